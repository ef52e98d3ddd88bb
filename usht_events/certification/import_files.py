"""The files of the certification import: reading a CSV or XLSX table with its header
checked, the refusal that lists every problem by row and column, and the template file."""

import csv
import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from usht_events.catalogue.importer import ImportProblem
from usht_events.certification import errors
from usht_events.core.errors import DomainError
from usht_events.core.forms import control_character
from usht_events.core.i18n import N_

COLUMNS = (
    "name",
    "email",
    "municipality",
    "workplace",
    "kind",
    "issued_on",
    "expires_on",
    "source",
)
REQUIRED = ("name", "email", "municipality", "kind", "issued_on")
EXAMPLE = (
    "Kari Nordmann",
    "kari.nordmann@fredrikstad.kommune.no",
    "3107",
    "Fredrikstad sykehjem",
    "proact-instruktor",
    "2025-03-14",
    "",
    "Kommunens liste 2025",
)
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"


def template_csv() -> bytes:
    """The import template as CSV (semicolons, UTF-8 with BOM): the header and an example."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([COLUMNS, EXAMPLE])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The import template as a workbook: bold header and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Godkjenninger"
    sheet.append(list(COLUMNS))
    sheet.append(list(EXAMPLE))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (24, 36, 14, 26, 28, 12, 12, 26), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problem(row: int | None, column: str | None, template: str, /, **details) -> ImportProblem:
    """A problem at this row and column: a catalogue id and the values that fill it, so the
    page says it in the reader's language (`message` is the Norwegian)."""
    return ImportProblem(row, column, template, tuple(details.items()))


def invalid(problems: list[ImportProblem]) -> DomainError:
    problems = sorted(problems, key=lambda p: (p.row or 0, _column_index(p.column)))
    return DomainError(errors.INVALID_IMPORT, count=len(problems), errors=problems)


def _column_index(column: str | None) -> int:
    return COLUMNS.index(column) if column in COLUMNS else -1


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict[str, object]]]:
    is_xlsx = filename.lower().endswith(".xlsx") or content.startswith(XLSX_MAGIC)
    table = _read_xlsx(content) if is_xlsx else _read_csv(content)
    table = [["" if cell is None else cell for cell in row] for row in table]
    if not table or not any(str(cell).strip() for cell in table[0]):
        raise invalid([problem(None, None, N_("Filen er tom; første rad må være kolonnenavn."))])
    header = [str(cell).strip().lower() for cell in table[0]]
    _check_header(header)
    rows = [
        (
            number,
            {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name},
        )
        for number, cells in enumerate(table[1:], start=2)
        if any(str(cell).strip() for cell in cells)
    ]
    if not rows:
        raise invalid([problem(None, None, N_("Filen har ingen rader med godkjenninger."))])
    if len(rows) > MAX_ROWS:
        message = N_("Filen har %(rows)s rader; del den opp (høyst %(most)s per fil).")
        raise invalid([problem(None, None, message, rows=len(rows), most=MAX_ROWS)])
    return rows


def _check_header(header: list[str]) -> None:
    problems = []
    for number, name in enumerate(header, start=1):
        if control_character(name) is not None:
            message = N_("kolonne %(number)s har et navn med kontrolltegn.")
            problems.append(problem(1, None, message, number=number))
        elif name and name not in COLUMNS:
            problems.append(problem(1, name[:40], N_("ukjent kolonne.")))
        elif name and header.count(name) > 1:
            problems.append(problem(1, name, N_("kolonnen finnes mer enn én gang.")))
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        names = ", ".join(f"«{column}»" for column in missing)
        problems.append(problem(1, None, N_("Mangler kolonnene %(names)s."), names=names))
    if problems:
        raise invalid(sorted(set(problems), key=lambda p: (p.column or "", p.message)))


def _read_csv(content: bytes) -> list[list[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = N_("Filen er ikke UTF-8. Lagre den som «CSV UTF-8» og prøv igjen.")
        raise invalid([problem(None, None, message)]) from error
    delimiter = max((";", ",", "\t"), key=text.split("\n", 1)[0].count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        message = N_(
            "Filen kunne ikke leses som CSV (en celle er for stor, eller filen er skadet)."
        )
        raise invalid([problem(None, None, message)]) from error


def _read_xlsx(content: bytes) -> list[list[object]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        message = N_("Filen kunne ikke leses som et Excel-ark (.xlsx).")
        raise invalid([problem(None, None, message)]) from error
    try:
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()
