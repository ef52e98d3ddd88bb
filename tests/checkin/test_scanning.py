"""Every answer a scan can get, on SQLite and PostgreSQL, and what each one writes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from usht_events.checkin.scanning import ScanResult, check_in, read_code, undo_check_in
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.core.timezones import to_oslo
from usht_events.registration.models import Attendance, CheckinMethod, RegistrationStatus


def _scan(course, code=None, **options):
    options.setdefault("session_id", course.day_one.id)
    outcome = check_in(
        db.session, course.event, options.pop("now", course.now), course.organiser,
        code=code, **options,
    )  # fmt: skip
    db.session.commit()
    return outcome


def _attendances():
    return db.session.scalars(select(Attendance).order_by(Attendance.id)).all()


def test_a_confirmed_ticket_checks_in_with_name_municipality_time_and_organiser(course):
    outcome = _scan(course, course.confirmed.ticket_token)
    assert outcome.result == ScanResult.CHECKED_IN
    assert (outcome.name, outcome.municipality) == ("Kari Nordmann", "Indre Østfold")
    assert outcome.who == "Kari Nordmann, Indre Østfold"
    assert outcome.checked_in_at == course.now
    (attendance,) = _attendances()
    assert attendance.registration_id == course.confirmed.id
    assert attendance.session_id == course.day_one.id
    assert attendance.checked_in_at == course.now
    assert attendance.checked_in_by_id == course.organiser.id
    assert attendance.method == CheckinMethod.SCAN


def test_the_second_scan_says_already_checked_in_with_the_first_time(course):
    _scan(course, course.confirmed.ticket_token)
    later = course.now + timedelta(minutes=3)
    outcome = _scan(course, course.confirmed.ticket_token, now=later)
    assert outcome.result == ScanResult.ALREADY_CHECKED_IN
    assert outcome.checked_in_at == course.now
    assert outcome.message_details()["time"] == f"{to_oslo(course.now):%H.%M}"
    assert len(_attendances()) == 1


def test_the_same_ticket_checks_in_once_per_day(course):
    assert _scan(course, course.confirmed.ticket_token).result == ScanResult.CHECKED_IN
    day_two = _scan(course, course.confirmed.ticket_token, session_id=course.day_two.id)
    assert day_two.result == ScanResult.CHECKED_IN
    assert {a.session_id for a in _attendances()} == {course.day_one.id, course.day_two.id}


@pytest.mark.parametrize(
    "scanned",
    [
        "{base}/t/{token}",
        "{base}/t/{token}?utm=x",
        "  {token}  ",
    ],
)
def test_the_whole_scanned_url_or_the_bare_secret_is_read(course, scanned):
    code = scanned.format(base="https://pamelding.example", token=course.confirmed.ticket_token)
    assert _scan(course, code).result == ScanResult.CHECKED_IN


def test_the_read_out_code_works_typed_as_heard(course):
    code = course.confirmed.ticket_code
    typed = f"{code[:4].lower()} {code[4:8]}-{code[8:]}"
    assert _scan(course, typed).result == ScanResult.CHECKED_IN


def test_an_old_qr_code_with_the_read_out_code_still_checks_in_at_its_own_event(course):
    url = f"https://pamelding.example/t/{course.confirmed.ticket_code}"
    assert _scan(course, url).result == ScanResult.CHECKED_IN


def test_the_read_out_code_of_another_event_is_unknown_here(course):
    outcome = _scan(course, course.elsewhere.ticket_code)
    assert outcome.result == ScanResult.UNKNOWN
    assert outcome.name == ""


def test_a_ticket_for_another_event_is_named_as_such_and_shows_nobody(course):
    outcome = _scan(course, course.elsewhere.ticket_token)
    assert outcome.result == ScanResult.WRONG_EVENT
    assert outcome.name == ""
    assert _attendances() == []


@pytest.mark.parametrize(
    ("which", "result"),
    [("cancelled", ScanResult.CANCELLED), ("waitlisted", ScanResult.WAITLISTED)],
)
def test_cancelled_and_waitlisted_places_never_check_in(course, which, result):
    outcome = _scan(course, getattr(course, which).ticket_token)
    assert outcome.result == result
    assert outcome.name
    assert _attendances() == []


@pytest.mark.parametrize("code", ["nonsense", "A" * 22, "https://x/t/", "ABCDEFGHIO"])
def test_anything_else_is_an_unknown_ticket(course, code):
    assert _scan(course, code).result == ScanResult.UNKNOWN
    assert _attendances() == []


def test_a_cancelled_event_checks_nobody_in(course):
    course.event.status = "cancelled"
    db.session.commit()
    outcome = _scan(course, course.confirmed.ticket_token)
    assert outcome.result == ScanResult.CANCELLED
    assert outcome.event_cancelled
    assert _attendances() == []


def test_an_empty_code_is_refused(course):
    with pytest.raises(DomainError) as refusal:
        _scan(course, "  ")
    assert refusal.value.code == "no_code"


def test_a_session_of_another_event_is_refused(course):
    with pytest.raises(DomainError) as refusal:
        _scan(course, course.confirmed.ticket_token, session_id=course.other_event.sessions[0].id)
    assert refusal.value.code == "unknown_session"
    db.session.rollback()
    assert _attendances() == []


def test_without_a_session_the_one_running_now_is_chosen(course):
    outcome = _scan(course, course.confirmed.ticket_token, session_id=None)
    assert outcome.session_id == course.day_one.id
    tomorrow = course.now + timedelta(days=1)
    outcome = _scan(course, course.second.ticket_token, session_id=None, now=tomorrow)
    assert outcome.session_id == course.day_two.id


def test_the_name_search_checks_in_by_registration_of_this_event_only(course):
    outcome = _scan(course, registration_id=course.second.id, method=CheckinMethod.SEARCH)
    assert outcome.result == ScanResult.CHECKED_IN
    assert _attendances()[0].method == CheckinMethod.SEARCH
    assert _scan(course, registration_id=course.elsewhere.id).result == ScanResult.UNKNOWN


def test_an_offline_scan_keeps_its_own_time(course):
    scanned_at = course.now - timedelta(minutes=20)
    outcome = _scan(course, course.confirmed.ticket_token, scanned_at=scanned_at)
    assert outcome.checked_in_at == scanned_at
    assert _attendances()[0].checked_in_at == scanned_at


def test_a_scan_time_ahead_of_the_server_is_taken_as_now(course):
    outcome = _scan(
        course, course.confirmed.ticket_token, scanned_at=course.now + timedelta(hours=3)
    )
    assert outcome.checked_in_at == course.now


def test_an_offline_scan_sent_again_is_its_own_check_in_not_a_second_one(course):
    scanned_at = course.now - timedelta(minutes=5)
    first = _scan(course, course.confirmed.ticket_token, scanned_at=scanned_at)
    again = _scan(course, course.confirmed.ticket_token, scanned_at=scanned_at)
    assert (first.result, again.result) == (ScanResult.CHECKED_IN, ScanResult.CHECKED_IN)
    assert again.replayed
    other_scan = _scan(course, course.confirmed.ticket_token, scanned_at=course.now)
    assert other_scan.result == ScanResult.ALREADY_CHECKED_IN
    assert len(_attendances()) == 1


def test_a_place_cancelled_after_check_in_reads_as_cancelled(course):
    _scan(course, course.confirmed.ticket_token)
    course.confirmed.status = RegistrationStatus.CANCELLED
    db.session.commit()
    assert _scan(course, course.confirmed.ticket_token).result == ScanResult.CANCELLED


def test_undo_removes_the_check_in_and_says_so_in_the_log(course):
    _scan(course, course.confirmed.ticket_token)
    undo_check_in(
        db.session, course.event, course.confirmed.id, course.day_one.id, course.organiser
    )
    db.session.commit()
    assert _attendances() == []
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert entry.action == "attendance.undo"
    assert entry.event_id == course.event.id
    assert f"#{course.confirmed.id}" in entry.summary
    assert "Kari" not in entry.summary
    assert _scan(course, course.confirmed.ticket_token).result == ScanResult.CHECKED_IN


def test_undo_of_nothing_is_refused(course):
    with pytest.raises(DomainError) as refusal:
        undo_check_in(
            db.session, course.event, course.second.id, course.day_one.id, course.organiser
        )
    assert refusal.value.code == "not_checked_in"


def test_undo_cannot_reach_another_events_check_in(course):
    other = course.other_event
    check_in(db.session, other, course.now, course.organiser, code=course.elsewhere.ticket_token)
    db.session.commit()
    with pytest.raises(DomainError):
        undo_check_in(
            db.session, course.event, course.elsewhere.id, course.day_one.id, course.organiser
        )
    db.session.rollback()
    assert len(_attendances()) == 1


@pytest.mark.parametrize(
    ("text", "token", "read_out"),
    [
        ("https://a.b/t/abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuv", None),
        ("https://a.b/t/abcdefghijklmnopqrstuv/", "abcdefghijklmnopqrstuv", None),
        ("abcd efgh jk", None, "ABCDEFGHJK"),
        ("ABCD-EFGH-JK", None, "ABCDEFGHJK"),
    ],
)
def test_read_code(text, token, read_out):
    key = read_code(text)
    assert (key.token, key.read_out) == (token, read_out)
