"""What the desk writes shows up where attendance is read: the participant list, the
exports (a column per day), the attendance sheet and the annual report."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.checkin.conftest import build_course
from tests.tables import csv_table
from usht_events.checkin.scanning import check_in
from usht_events.core.db import db
from usht_events.core.timezones import to_oslo
from usht_events.reports.rules import participation_report


@pytest.fixture
def checked_in(app, make):
    """The course with Kari checked in on day one (Ola not), as the desk would."""
    course = build_course(make)
    check_in(
        db.session, course.event, course.now, course.organiser,
        code=course.confirmed.ticket_token, session_id=course.day_one.id,
    )  # fmt: skip
    db.session.commit()
    return course


@pytest.fixture
def organiser(login_as, checked_in):
    return login_as("organiser", centre=checked_in.event.centre)


def _clock(course) -> str:
    return f"{to_oslo(course.now):%H.%M}"


def test_the_participant_list_shows_check_ins_and_the_count_per_day(organiser, checked_in):
    page = organiser.get(f"/admin/events/{checked_in.event.id}/registrations").get_data(
        as_text=True
    )
    assert f"kl. {_clock(checked_in)}" in page
    counts = re.findall(r"<dt>Sjekket inn[^<]*</dt><dd>(\d+)</dd>", page)
    assert counts == ["1", "0"]
    assert f"/admin/events/{checked_in.event.id}/checkin" in page


def test_the_csv_has_a_column_per_day(organiser, checked_in):
    body = organiser.get(f"/admin/events/{checked_in.event.id}/registrations.csv").data
    rows = csv_table(body)
    header = rows[0]
    assert [title for title in header if title.startswith("Sjekket inn")] == [
        f"Sjekket inn {to_oslo(day.starts_at):%d.%m.%Y %H.%M}" for day in checked_in.event.sessions
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Kari Nordmann"][-2:] == [f"{to_oslo(checked_in.now):%Y-%m-%d %H:%M}", ""]
    assert by_name["Ola Hansen"][-2:] == ["", ""]


def test_the_xlsx_has_real_times_per_day(organiser, checked_in):
    body = organiser.get(f"/admin/events/{checked_in.event.id}/registrations.xlsx").data
    sheet = load_workbook(io.BytesIO(body))["Påmeldinger"]
    rows = list(sheet.iter_rows(values_only=True))
    kari = next(row for row in rows if row[0] == "Kari Nordmann")
    assert kari[-2] == to_oslo(checked_in.now).replace(tzinfo=None)
    assert kari[-1] is None


def test_the_attendance_sheet_marks_who_checked_in(organiser, checked_in):
    page = organiser.get(f"/admin/events/{checked_in.event.id}/attendance-sheet").get_data(
        as_text=True
    )
    assert page.count("Sjekket inn kl.") == 1
    assert f"Sjekket inn kl. {_clock(checked_in)}" in page


def test_the_annual_report_counts_the_attendance(checked_in):
    year = to_oslo(checked_in.event.starts_at).year
    report = participation_report(db.session, year, None, checked_in.now)
    assert report.totals.attendances == 1
