"""One test per counting rule of the participation report, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest

from usht_events.catalogue.models import EventKind, EventStatus
from usht_events.certification.models import CertificationSource
from usht_events.core.db import db
from usht_events.core.timezones import OSLO
from usht_events.registration.models import Attendance, RegistrationStatus
from usht_events.reports.rules import Counts, participation_report

YEAR = 2025
# After every event of the year: all of them are over.
AFTER_YEAR = datetime(YEAR + 1, 3, 1, tzinfo=UTC)


@pytest.fixture
def centre(any_app, make):
    return make.centre("ostfold", region=("3107", "3101"))


@pytest.fixture
def event(make, centre):
    """An event of the year at the centre, starting at `start` (Oslo time)."""

    def make_event(start=datetime(YEAR, 3, 10, 9, tzinfo=OSLO), **fields):
        fields.setdefault("centre", centre)
        return make.event(
            starts_at=start,
            registration_opens_at=start - timedelta(days=60),
            registration_closes_at=start - timedelta(days=1),
            **fields,
        )

    return make_event


def _report(centre_ids=None, now=AFTER_YEAR):
    db.session.flush()
    return participation_report(db.session, YEAR, centre_ids, now)


def _cell(matrix, municipality_name, column_label) -> Counts:
    row = next(row for row in matrix.rows if row.name == municipality_name)
    column = next(column for column in matrix.columns if column.label == column_label)
    return matrix.cell(row, column)


def _check_in(registration, session):
    db.session.add(Attendance(registration=registration, session=session))


def test_cell_counts_registrations_distinct_participants_and_attendances(make, event):
    focus = make.focus_area("demens", "Demensplan 2025")
    first, second = event(focus_area=focus, days=2), event(focus_area=focus)
    kari, ola = make.person(), make.person()
    kari_first = make.registration(first, kari)
    make.registration(second, kari)
    make.registration(first, ola)
    _check_in(kari_first, first.sessions[0])
    _check_in(kari_first, first.sessions[1])

    cell = _cell(_report().by_focus_area, "Fredrikstad", "Demensplan 2025")

    assert cell == Counts(registrations=3, participants=2, attendances=1)


def test_waitlisted_registrations_count_but_cancelled_do_not(make, event):
    course = event(kind=EventKind.INSTRUCTOR_COURSE)
    make.registration(course)
    make.registration(course, status=RegistrationStatus.WAITLISTED)
    make.registration(course, status=RegistrationStatus.CANCELLED)

    report = _report()

    assert _cell(report.by_kind, "Fredrikstad", "Instruktørkurs").registrations == 2
    assert report.totals.registrations == 2


def test_events_whose_first_session_is_in_another_year_are_left_out(make, event):
    last_minute = event(start=datetime(YEAR, 12, 31, 23, 30, tzinfo=OSLO))
    next_year = event(start=datetime(YEAR + 1, 1, 1, 0, 30, tzinfo=OSLO))
    across_new_year = event(start=datetime(YEAR - 1, 12, 31, 9, tzinfo=OSLO), days=2)
    for counted in (last_minute, next_year, across_new_year):
        make.registration(counted)

    assert _report().totals.registrations == 1


def test_other_centres_are_left_out_when_filtering_by_centre(make, event, centre):
    make.registration(event())
    make.registration(event(centre=make.centre("buskerud")))

    assert _report([centre.id]).totals.registrations == 1
    assert _report(None).totals.registrations == 2


def test_cancelled_and_draft_events_are_not_in_the_matrices(make, event):
    make.registration(event(status=EventStatus.CANCELLED))
    make.registration(event(status=EventStatus.DRAFT))

    report = _report()

    assert report.by_focus_area.rows == []
    assert report.totals.registrations == 0


def test_rows_are_participating_municipalities_sorted_by_name_with_county(make, event):
    course = event()
    for number in ("3107", "3101", "3301"):
        make.registration(course, make.person(municipality=number))

    rows = _report().by_kind.rows

    assert [(row.name, row.county) for row in rows] == [
        ("Drammen", "Buskerud"),
        ("Fredrikstad", "Østfold"),
        ("Halden", "Østfold"),
    ]


def test_row_and_column_totals_count_a_person_once(make, event):
    kari = make.person()
    make.registration(event(focus_area=make.focus_area("leve-hele-livet")), kari)
    make.registration(event(focus_area=make.focus_area("ernaering")), kari)
    make.registration(event(focus_area=make.focus_area("ernaering")), kari)

    matrix = _report().by_focus_area
    row = matrix.rows[0]

    assert [matrix.cell(row, column).participants for column in matrix.columns] == [1, 1]
    assert matrix.row_total(row) == Counts(registrations=3, participants=1, attendances=0)
    assert matrix.total.participants == 1
    assert [matrix.column_total(c).registrations for c in matrix.columns] == [2, 1]


def test_series_matrix_counts_only_events_in_a_series(make, event, centre):
    network = make.series(centre, name="KlinObsKommune")
    make.registration(event(series=network))
    make.registration(event())

    matrix = _report().by_series

    assert [column.label for column in matrix.columns] == ["KlinObsKommune"]
    assert matrix.total.registrations == 1


def test_events_held_and_cancelled_are_totalled_for_the_year(make, event):
    now = datetime(YEAR, 6, 1, 12, tzinfo=OSLO)
    event(start=datetime(YEAR, 2, 1, 9, tzinfo=OSLO))
    event(start=datetime(YEAR, 3, 1, 9, tzinfo=OSLO), status=EventStatus.CONFIRMED)
    event(start=datetime(YEAR, 9, 1, 9, tzinfo=OSLO))  # not held yet
    event(start=datetime(YEAR, 4, 1, 9, tzinfo=OSLO), status=EventStatus.CANCELLED)
    event(start=datetime(YEAR, 4, 2, 9, tzinfo=OSLO), status=EventStatus.DRAFT)
    event(start=datetime(YEAR - 1, 4, 1, 9, tzinfo=OSLO), status=EventStatus.CANCELLED)

    totals = _report(now=now).totals

    assert (totals.events_held, totals.events_cancelled) == (2, 1)


def test_certifications_per_kind_count_the_year_and_leave_out_revoked(make, event, centre):
    course = event(kind=EventKind.INSTRUCTOR_COURSE)
    proact = make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    hhlr = make.certification_kind("hhlr-instruktor", name="HHLR-instruktør")
    elsewhere = event(centre=make.centre("vestfold"))

    def certify(kind, on=date(YEAR, 3, 11), at=course, **fields):
        make.certification(
            kind=kind, source=CertificationSource.EVENT, event=at, issued_on=on, **fields
        )

    certify(proact)
    certify(proact)
    certify(hhlr)
    certify(proact, revoked_at=datetime(YEAR, 4, 1, tzinfo=UTC))
    certify(proact, on=date(YEAR - 1, 12, 31))
    certify(hhlr, at=elsewhere)
    make.certification(kind=proact, issued_on=date(YEAR, 5, 1))  # imported, not ours

    totals = _report([centre.id]).totals

    assert totals.certifications == [("HHLR-instruktør", 1), ("ProACT-instruktør", 2)]
