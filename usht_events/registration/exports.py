"""An event's registrations as CSV and Excel files that open right in Norwegian Excel.

After the fixed columns (attendance and completion among them) come the answers to the
event's own questions, one column each, then one column per day of the event: when the
person was checked in that day (Oslo time), empty when not. Headings and the words in the
cells are in the language of the one who downloads.

Every text cell a participant typed could start a formula (=HYPERLINK(...) in a workplace),
so each one goes through `neutralise_formula` before it is written (OWASP, CSV injection).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import Event, EventQuestion
from usht_events.core.i18n import N_
from usht_events.core.timezones import format_date_span, to_oslo
from usht_events.registration import answers as event_answers
from usht_events.registration import completion, participants
from usht_events.registration.completion import Completion
from usht_events.registration.models import Registration, RegistrationStatus
from usht_events.registration.places import waitlist_positions

# A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = (
    N_("Navn"),
    N_("E-post"),
    N_("Telefon"),
    N_("Kommunenummer"),
    N_("Kommune"),
    N_("Arbeidssted"),
    N_("Yrke"),
    N_("Behov"),
    N_("Status"),
    N_("Plass på venteliste"),
    N_("Påmeldt"),
    N_("Oppmøte"),
    N_("Fullført"),
)
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
    # One per question of the event, in the form's order: the answer as read.
    answers: tuple[str, ...] = ()
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
            *self.answers,
            *self.checked_in,
        ]


@dataclass(frozen=True)
class ExportTable:
    """An event's export: what it is (the heading), the header row and the rows."""

    heading: "Heading"
    header: list[str]
    rows: list[ExportRow]


def event_table(
    session: DbSession,
    event: Event,
    status: RegistrationStatus | None = None,
    with_cancelled: bool = False,
) -> ExportTable:
    """The event's registrations of `status`, or every active one (and the cancelled when
    asked), with positions, attendance, completion and answers."""
    registrations = participants.event_registrations(
        session, event.id, status, include_cancelled=with_cancelled or status is not None
    )
    waiting = status in (None, RegistrationStatus.WAITLISTED)
    questions = event.questions
    rows = export_rows(
        registrations,
        waitlist_positions(session, event.id) if waiting else {},
        [day.id for day in event.sessions],
        participants.attendance_by_registration(session, event.id),
        completion.event_completions(session, event),
        questions,
        event_answers.answers_by_registration(session, [item.id for item in registrations]),
    )
    days = [f"{to_oslo(day.starts_at):%d.%m.%Y %H.%M}" for day in event.sessions]
    header = headers(days, [item.label for item in questions])
    dates = format_date_span(event.starts_at, event.ends_at) if event.sessions else ""
    return ExportTable(Heading(event.title, dates, event.centre.name), header, rows)


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
    questions: Sequence[EventQuestion] = (),
    answers: dict[int, dict[int, str]] | None = None,
) -> list[ExportRow]:
    """Rows for the export files, with each waitlisted registration's place in line,
    when given its attendance and completion, its answers to `questions` (registration ->
    question -> stored answer), and for each of `day_ids` the check-in time from
    `attendance` (registration -> day -> time)."""
    attendance, completions, answers = attendance or {}, completions or {}, answers or {}
    return [
        _row(
            registration,
            positions.get(registration.id),
            day_ids,
            attendance,
            completions.get(registration.id),
            tuple(
                event_answers.shown(item, answers.get(registration.id, {}).get(item.id), gettext)
                for item in questions
            ),
        )
        for registration in registrations
    ]


def headers(day_labels: Sequence[str] = (), question_labels: Sequence[str] = ()) -> list[str]:
    """The header row: the fixed columns, the questions, then "Sjekket inn" for each day."""
    return [
        *(gettext(title) for title in HEADERS),
        *question_labels,
        *(gettext("Sjekket inn %(day)s", day=label) for label in day_labels),
    ]


def completion_text(completion: Completion | None) -> str:
    """Yes or no ("Ja", "Nei"), marked "(overstyrt)" when the organiser said so."""
    if completion is None:
        return ""
    if completion.overridden:
        return gettext("Ja (overstyrt)") if completion.completed else gettext("Nei (overstyrt)")
    return gettext("Ja") if completion.completed else gettext("Nei")


def _row(
    registration: Registration,
    position: int | None,
    day_ids,
    attendance,
    completion,
    answers: tuple[str, ...],
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
        profession=gettext(registration.profession.label) if registration.profession else "",
        needs=registration.needs or "",
        status=gettext(registration.status.label),
        waitlist_position=position,
        signed_up_at=to_oslo(registration.created_at),
        attendance=_attended(completion),
        completed=completion_text(completion),
        answers=answers,
        checked_in=tuple(
            to_oslo(at) if (at := (attendance or {}).get(registration.id, {}).get(day)) else None
            for day in day_ids
        ),
    )


def _attended(completion: Completion | None) -> str:
    if completion is None:
        return ""
    return gettext(
        "%(attended)s av %(sessions)s", attended=completion.attended, sessions=completion.sessions
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
    rows: list[ExportRow], header: list[str] | None = None, heading: Heading | None = None
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
    writer.writerow(header or headers())
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
    header: list[str] | None = None,
    heading: Heading | None = None,
) -> bytes:
    """The same rows as an Excel workbook: the heading, a bold frozen header, real dates,
    sized columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Påmeldinger")
    for number, line in enumerate(heading.lines() if heading else ()):
        sheet.append([neutralise_formula(line)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=14 if number == 0 else 11)
    if heading:
        sheet.append([])
    header = header or headers()
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        values = row.values()
        sheet.append([_xlsx_cell(value) for value in values])
        for column, value in enumerate(values, start=1):
            if isinstance(value, datetime):
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
