"""The template an organiser fills in to import a programme: the columns, two example rows
(one event over two days) and, in the workbook, the values each code column accepts."""

import csv
import io
from datetime import date, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.import_file import COLUMNS
from usht_events.catalogue.models import EVENT_KIND_LABELS, CertificationKind, EventKind, FocusArea
from usht_events.organisations.models import Centre


def example_rows(centre: Centre | None, focus_area: FocusArea | None, today: date) -> list[dict]:
    """A two-day instructor course about two months ahead, as the importer reads it."""
    first = today + timedelta(days=60)
    second = first + timedelta(days=1)
    shared = {
        "ref": "proact-host",
        "centre": centre.name if centre else "USHT Østfold",
        "title": "ProACT-instruktørkurs",
        "kind": EVENT_KIND_LABELS[EventKind.INSTRUCTOR_COURSE],
        "focus_area": focus_area.name if focus_area else "Demensplan 2025",
        "venue": "Kommunehuset",
        "capacity": "16",
        "min_participants": "8",
        "seats_per_municipality": "2",
        "waitlist": "ja",
        "registration_closes_at": f"{(first - timedelta(days=14)):%d.%m.%Y} 12:00",
        "certifies": "",
    }
    return [
        shared | {"starts_at": f"{day:%d.%m.%Y} 09:00", "ends_at": f"{day:%d.%m.%Y} 15:30"}
        for day in (first, second)
    ]


def template_csv(rows: list[dict]) -> bytes:
    """The template as CSV for Excel: semicolons, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def template_xlsx(session: DbSession, rows: list[dict]) -> bytes:
    """The template as a workbook: the programme sheet, and the values the codes accept."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Program"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    values = workbook.create_sheet("Gyldige verdier")
    for number, (heading, names) in enumerate(_accepted(session).items(), start=1):
        values.cell(row=1, column=number, value=heading).font = Font(bold=True)
        for offset, name in enumerate(names, start=2):
            values.cell(row=offset, column=number, value=name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _accepted(session: DbSession) -> dict[str, list[str]]:
    def names(model) -> list[str]:
        return list(session.scalars(select(model.name).order_by(model.name)))

    return {
        "centre": names(Centre),
        "kind": [EVENT_KIND_LABELS[kind] for kind in EventKind],
        "focus_area": names(FocusArea),
        "certifies": names(CertificationKind),
        "waitlist": ["ja", "nei"],
    }
