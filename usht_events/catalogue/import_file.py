"""Reading a programme file (CSV or XLSX) into rows of cells, and the file's problems.

The header names the columns; every cell is checked for control characters before anyone
reads it. importer.py turns the rows into events.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import load_workbook

from usht_events.catalogue import errors
from usht_events.core.errors import DomainError
from usht_events.core.forms import control_character
from usht_events.core.i18n import N_, fill, localise

COLUMNS = (
    "ref",
    "centre",
    "title",
    "kind",
    "focus_area",
    "starts_at",
    "ends_at",
    "venue",
    "capacity",
    "min_participants",
    "seats_per_municipality",
    "waitlist",
    "registration_closes_at",
    "certifies",
)
REQUIRED_COLUMNS = ("ref", "centre", "title", "kind", "focus_area", "starts_at", "ends_at")
# Columns that belong to the session of a row; all others describe the whole event.
SESSION_COLUMNS = ("ref", "starts_at", "ends_at", "venue")
EVENT_COLUMNS = tuple(column for column in COLUMNS if column not in SESSION_COLUMNS)

XLSX_MAGIC = b"PK\x03\x04"
SHOWN_MAX = 20
UNREADABLE = object()


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file, located by spreadsheet row and column.

    `text` is the Norwegian message, a catalogue id (marked N_) whose `%(name)s`
    placeholders are filled from `values`, pairs of name and value.
    """

    row: int | None
    column: str | None
    text: str
    values: tuple[tuple[str, object], ...] = ()

    @property
    def message(self) -> str:
        """The message in Norwegian."""
        return fill(self.text, self.values)

    def localised(self) -> str:
        """The message in the request's language."""
        return localise(self.text, self.values)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Rad {self.row}")
        if self.column is not None:
            where.append(f"kolonne «{self.column}»" if where else f"Kolonne «{self.column}»")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ParsedRow:
    """A data row: its raw cells and the values that parsed."""

    number: int
    raw: dict[str, object]
    values: dict[str, object] = field(default_factory=dict)


class CellError(Exception):
    """A cell that cannot be read; the text (a catalogue id, filled from values) says why."""

    def __init__(self, text: str, **values):
        super().__init__(fill(text, values))
        self.text, self.values = text, tuple(values.items())


def invalid_import(problems: list[ImportProblem]) -> DomainError:
    """The refusal of a whole file, listing every problem by row and column."""
    return DomainError(errors.INVALID_IMPORT, count=len(problems), errors=problems)


# Reading the file


def read_rows(filename: str, content: bytes) -> list[ParsedRow]:
    """The data rows of a CSV or XLSX file, keyed by column; header problems raise."""
    is_xlsx = filename.lower().endswith(".xlsx") or content.startswith(XLSX_MAGIC)
    table = _read_xlsx(content) if is_xlsx else _read_csv(content)
    table = [[_clean_cell(cell) for cell in row] for row in table]
    if not table or not any(table[0]):
        raise invalid_import(
            [ImportProblem(None, None, N_("Filen er tom; første rad må være kolonnenavn."))]
        )
    header = [str(cell).strip().lower() for cell in table[0]]
    _check_header(header)
    rows = [
        ParsedRow(number, {name: cells[i] if i < len(cells) else "" for i, name in _named(header)})
        for number, cells in enumerate(table[1:], start=2)
        if any(cell != "" for cell in cells)
    ]
    if not rows:
        raise invalid_import(
            [ImportProblem(None, None, N_("Filen har ingen rader med arrangementer."))]
        )
    return rows


def _named(header: list[str]) -> list[tuple[int, str]]:
    return [(index, name) for index, name in enumerate(header) if name]


def _check_header(header: list[str]) -> None:
    problems = []
    for number, name in enumerate(header, start=1):
        if (char := control_character(name)) is not None:
            message = N_(
                "kolonne %(number)s har et navn med tegnet %(code)s, som ikke er tillatt "
                "(et kontrolltegn eller usynlig tegn)."
            )
            values = (("number", number), ("code", character_code(char)))
            problems.append(ImportProblem(1, None, message, values))
    header = [name for name in header if control_character(name) is None]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        names = ", ".join(f"«{column}»" for column in missing)
        problems.append(
            ImportProblem(1, None, N_("Mangler kolonnene %(names)s."), (("names", names),))
        )
    for name in sorted({name for name in header if name and name not in COLUMNS}):
        problems.append(ImportProblem(1, name, N_("ukjent kolonne.")))
    for name in sorted({name for name in header if name and header.count(name) > 1}):
        problems.append(ImportProblem(1, name, N_("kolonnen finnes mer enn én gang.")))
    if problems:
        raise invalid_import(problems)


def _read_csv(content: bytes) -> list[list[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = N_("Filen er ikke UTF-8. Lagre den som «CSV UTF-8» og prøv igjen.")
        raise invalid_import([ImportProblem(None, None, message)]) from error
    first_line = text.split("\n", 1)[0]
    # Norwegian Excel writes semicolons; take whichever separator the header uses most.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:  # a cell above the csv module's limit (128 KiB), say
        message = N_(
            "Filen kunne ikke leses som CSV (en celle er for stor, eller filen er skadet)."
        )
        raise invalid_import([ImportProblem(None, None, message)]) from error


def _read_xlsx(content: bytes) -> list[list[object]]:
    try:
        workbook = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        message = N_("Filen kunne ikke leses som et Excel-ark (.xlsx).")
        raise invalid_import([ImportProblem(None, None, message)]) from error
    try:
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _clean_cell(cell: object) -> object:
    if cell is None:
        return ""
    return cell.strip() if isinstance(cell, str) else cell


def shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep="T", timespec="minutes")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def short(text: str) -> str:
    return text if len(text) <= SHOWN_MAX else f"{text[:SHOWN_MAX]}…"


def character_code(char: str) -> str:
    """How a character is named in a problem: U+0000."""
    return f"U+{ord(char):04X}"
