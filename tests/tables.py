"""Read the registration exports back as a table, from the header row down: the lines
that name the event above the table are checked on their own."""

import csv
import io

from openpyxl import load_workbook

FIRST_HEADER = "Navn"


def csv_table(body: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    return _from_header(rows)


def xlsx_table(body: bytes) -> list[tuple]:
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    return _from_header(rows)


def _from_header(rows: list) -> list:
    start = next(number for number, row in enumerate(rows) if row and row[0] == FIRST_HEADER)
    return rows[start:]
