"""An event's registrations as CSV and Excel files that open right in Norwegian Excel.

After the fixed columns (attendance and completion among them) comes one per day of the
event: when the person was checked in that day (Oslo time), empty when not.

Every text cell a participant typed could start a formula (=HYPERLINK(...) in a workplace),
so each one goes through `neutralise_formula` before it is written (OWASP, CSV injection).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from usht_events.core.timezones import to_oslo
from usht_events.registration.completion import Completion
from usht_events.registration.models import Registration

# A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = (
    "Navn",
    "E-post",
    "Telefon",
    "Kommunenummer",
    "Kommune",
    "Arbeidssted",
    "Yrke",
    "Behov",
    "Status",
    "Plass på venteliste",
    "Påmeldt",
    "Oppmøte",
    "Fullført",
)
SIGNED_UP_COLUMN = HEADERS.index("Påmeldt") + 1
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_COLUMN_WIDTH = 50


@dataclass(frozen=True)
class ExportRow:
    """One registration as the export files show it; `signed_up_at` is Oslo time."""

    name: str
    email: str
    phone: str
    municipality_number: str
    municipality: str
    workplace: str
    profession: str
    needs: str
    status: str
    waitlist_position: int | None
    signed_up_at: datetime
    attendance: str = ""
    completed: str = ""
    # One per day of the event, in order: the check-in's Oslo time, or None.
    checked_in: tuple[datetime | None, ...] = ()

    def values(self) -> list:
        return [
            self.name,
            self.email,
            self.phone,
            self.municipality_number,
            self.municipality,
            self.workplace,
            self.profession,
            self.needs,
            self.status,
            self.waitlist_position,
            self.signed_up_at,
            self.attendance,
            self.completed,
            *self.checked_in,
        ]


def neutralise_formula(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_rows(
    registrations: Iterable[Registration],
    positions: dict[int, int],
    day_ids: Sequence[int] = (),
    attendance: dict[int, dict[int, datetime]] | None = None,
    completions: dict[int, Completion] | None = None,
) -> list[ExportRow]:
    """Rows for the export files, with each waitlisted registration's place in line,
    when given its attendance and completion, and for each of `day_ids` the check-in time
    from `attendance` (registration -> day -> time)."""
    attendance, completions = attendance or {}, completions or {}
    return [
        _row(
            registration,
            positions.get(registration.id),
            day_ids,
            attendance,
            completions.get(registration.id),
        )
        for registration in registrations
    ]


def headers(day_labels: Sequence[str] = ()) -> list[str]:
    """The header row: the fixed columns, then "Sjekket inn" for each day."""
    return [*HEADERS, *(f"Sjekket inn {label}" for label in day_labels)]


def completion_text(completion: Completion | None) -> str:
    """Yes or no ("Ja", "Nei"), marked "(overstyrt)" when the organiser said so."""
    if completion is None:
        return ""
    verdict = "Ja" if completion.completed else "Nei"
    return f"{verdict} (overstyrt)" if completion.overridden else verdict


def _row(
    registration: Registration, position: int | None, day_ids, attendance, completion
) -> ExportRow:
    person = registration.person
    municipality = registration.municipality
    return ExportRow(
        name=person.name,
        email=person.email,
        phone=person.phone or "",
        municipality_number=registration.municipality_number or "",
        municipality=municipality.name if municipality else "",
        workplace=registration.workplace or "",
        profession=registration.profession.label if registration.profession else "",
        needs=registration.needs or "",
        status=registration.status.label,
        waitlist_position=position,
        signed_up_at=to_oslo(registration.created_at),
        attendance=f"{completion.attended} av {completion.sessions}" if completion else "",
        completed=completion_text(completion),
        checked_in=tuple(
            to_oslo(at) if (at := (attendance or {}).get(registration.id, {}).get(day)) else None
            for day in day_ids
        ),
    )


@dataclass(frozen=True)
class Heading:
    """What the file is: the event's title, then its dates and centre, above the table."""

    title: str
    dates: str
    centre: str

    def lines(self) -> list[str]:
        return [self.title, f"{self.dates}, {self.centre}" if self.dates else self.centre]


def registrations_csv(
    rows: list[ExportRow], day_labels: Sequence[str] = (), heading: Heading | None = None
) -> bytes:
    """UTF-8 with a byte-order mark, semicolons and CRLF: Excel in Norway opens it in columns.

    With a heading, its lines and an empty one come first, then the table.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in heading.lines() if heading else ():
        writer.writerow([neutralise_formula(line)])
    if heading:
        writer.writerow([])
    writer.writerow(headers(day_labels))
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row.values()])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return neutralise_formula(str(value))


def registrations_xlsx(
    rows: list[ExportRow],
    title: str,
    day_labels: Sequence[str] = (),
    heading: Heading | None = None,
) -> bytes:
    """The same rows as an Excel workbook: the heading, a bold frozen header, real dates,
    sized columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Påmeldinger"
    for number, line in enumerate(heading.lines() if heading else ()):
        sheet.append([neutralise_formula(line)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=14 if number == 0 else 11)
    if heading:
        sheet.append([])
    header = headers(day_labels)
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row.values()])
        for column in (SIGNED_UP_COLUMN, *range(len(HEADERS) + 1, len(header) + 1)):
            sheet.cell(sheet.max_row, column).number_format = DATETIME_FORMAT
    sheet.freeze_panes = f"B{header_row + 1}"
    workbook.properties.title = title[:200]
    _size_columns(sheet, rows, header)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones: Oslo wall-clock time
    return neutralise_formula(value)


def _size_columns(sheet, rows: list[ExportRow], header: list[str]) -> None:
    for index, title in enumerate(header, start=1):
        lengths = [len(_csv_cell(row.values()[index - 1])) for row in rows] + [len(title)]
        width = min(max(lengths) + 2, MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width
