"""The offline desk's queued scans, its snapshot, and what the desk reads."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from usht_events.checkin import desk
from usht_events.checkin.offline import apply_queued_scans, parse_scans
from usht_events.checkin.scanning import ScanResult, check_in
from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.registration.models import Attendance, RegistrationStatus


def _payload(course, *tickets, minutes_ago=10):
    return {
        "scans": [
            {
                "id": f"scan-{n}",
                "code": f"https://usht.test/t/{ticket.ticket_token}",
                "session": course.day_one.id,
                "scanned_at": (course.now - timedelta(minutes=minutes_ago - n)).isoformat(),
            }
            for n, ticket in enumerate(tickets)
        ]
    }


def test_queued_scans_are_applied_in_order_with_their_own_times(course):
    scans = parse_scans(_payload(course, course.confirmed, course.second, course.confirmed))
    answers = apply_queued_scans(db.session, course.event, scans, course.now, course.organiser)
    db.session.commit()
    results = [outcome.result for _, outcome in answers]
    assert results == [
        ScanResult.CHECKED_IN,
        ScanResult.CHECKED_IN,
        ScanResult.ALREADY_CHECKED_IN,
    ]
    times = {a.registration_id: a.checked_in_at for a in db.session.scalars(select(Attendance))}
    assert times == {
        course.confirmed.id: course.now - timedelta(minutes=10),
        course.second.id: course.now - timedelta(minutes=9),
    }


def test_what_changed_on_the_server_meanwhile_is_refused_and_reported(course):
    course.second.status = RegistrationStatus.CANCELLED
    check_in(db.session, course.event, course.now, None, code=course.confirmed.ticket_token)
    db.session.commit()
    scans = parse_scans(_payload(course, course.confirmed, course.second))
    answers = apply_queued_scans(db.session, course.event, scans, course.now, course.organiser)
    assert [outcome.result for _, outcome in answers] == [
        ScanResult.ALREADY_CHECKED_IN,
        ScanResult.CANCELLED,
    ]


def test_a_batch_sent_twice_checks_nobody_in_twice(course):
    payload = _payload(course, course.confirmed, course.second)
    for _ in range(2):
        answers = apply_queued_scans(
            db.session, course.event, parse_scans(payload), course.now, course.organiser
        )
        db.session.commit()
        assert [outcome.result for _, outcome in answers] == [ScanResult.CHECKED_IN] * 2
    assert len(db.session.scalars(select(Attendance)).all()) == 2


def test_a_scan_for_a_day_of_another_event_is_answered_with_its_refusal(course):
    payload = _payload(course, course.confirmed)
    payload["scans"][0]["session"] = course.other_event.sessions[0].id
    ((_, answer),) = apply_queued_scans(
        db.session, course.event, parse_scans(payload), course.now, course.organiser
    )
    assert isinstance(answer, DomainError)
    assert answer.code == "unknown_session"


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"scans": "x"},
        {"scans": [{"id": "a", "code": "x", "session": 1}]},
        {"scans": [{"id": "a", "code": "x", "session": "1", "scanned_at": "2026-01-01T10:00Z"}]},
        {"scans": [{"id": "a", "code": "x", "session": 1, "scanned_at": "2026-01-01 10:00"}]},
        {"scans": [{"id": "", "code": "x", "session": 1, "scanned_at": "2026-01-01T10:00Z"}]},
        {"scans": [{"id": "a", "code": "x", "session": True, "scanned_at": "2026-01-01T10:00Z"}]},
    ],
)
def test_a_malformed_batch_is_refused_whole(payload):
    with pytest.raises(DomainError) as refusal:
        parse_scans(payload)
    assert refusal.value.code == "bad_scan"


def test_a_batch_too_large_is_refused():
    scan = {"id": "a", "code": "x", "session": 1, "scanned_at": "2026-01-01T10:00:00Z"}
    with pytest.raises(DomainError) as refusal:
        parse_scans({"scans": [scan] * 501})
    assert refusal.value.code == "too_many_scans"


def test_the_snapshot_holds_digests_not_tickets(course):
    check_in(db.session, course.event, course.now, None, code=course.confirmed.ticket_token)
    db.session.commit()
    snapshot = desk.snapshot(db.session, course.event, course.day_one.id, course.now)
    text = json.dumps(snapshot)
    for registration in (course.confirmed, course.second, course.waitlisted, course.cancelled):
        assert registration.ticket_token not in text
        assert registration.ticket_code not in text
    assert course.elsewhere.person.name not in text
    by_key = {key: ticket for ticket in snapshot["tickets"] for key in ticket["keys"]}
    kari = by_key[desk.ticket_key(course.confirmed.ticket_token)]
    assert by_key[desk.ticket_key(course.confirmed.ticket_code)] is kari
    assert (kari["name"], kari["municipality"], kari["status"]) == (
        "Kari Nordmann",
        "Indre Østfold",
        "confirmed",
    )
    assert kari["checked_in_at"] is not None
    assert by_key[desk.ticket_key(course.second.ticket_token)]["checked_in_at"] is None
    assert by_key[desk.ticket_key(course.cancelled.ticket_token)]["status"] == "cancelled"
    assert set(kari) == {"keys", "name", "municipality", "status", "checked_in_at"}
    assert snapshot["session"] == course.day_one.id
    # Kept by the browser until half a day after the event's last day.
    expires = datetime.fromisoformat(snapshot["expires_at"])
    assert expires == course.event.ends_at + timedelta(hours=12)


def test_counts_missing_search_and_recent(course):
    check_in(db.session, course.event, course.now, None, code=course.confirmed.ticket_token)
    db.session.commit()
    counts = desk.day_counts(db.session, course.event)
    assert [(c.checked_in, c.confirmed) for c in counts] == [(1, 2), (0, 2)]
    missing = desk.missing(db.session, course.event.id, course.day_one.id)
    assert [row.name for row in missing] == ["Ola Hansen"]
    found = desk.search(db.session, course.event.id, course.day_one.id, "kari")
    assert [(row.name, row.checked_in_at is not None) for row in found] == [("Kari Nordmann", True)]
    assert [
        row.name for row in desk.search(db.session, course.event.id, course.day_one.id, "")
    ] == []
    by_workplace = desk.search(db.session, course.event.id, course.day_one.id, "hjemmetjenesten")
    assert {row.name for row in by_workplace} >= {"Ola Hansen", "Per Venter"}
    assert "Nils Annet" not in {row.name for row in by_workplace}
    recent = desk.recent_check_ins(db.session, course.event.id, course.day_one.id)
    assert [row.name for row in recent] == ["Kari Nordmann"]


def test_search_treats_wildcards_as_text(course):
    assert desk.search(db.session, course.event.id, course.day_one.id, "%") == []
    assert desk.search(db.session, course.event.id, course.day_one.id, "_") == []


def test_two_desks_offline_at_once_end_with_one_check_in_per_person(course, make):
    other_desk, _ = make.user(role="organiser", centre=course.event.centre)
    db.session.commit()
    first = apply_queued_scans(
        db.session, course.event, parse_scans(_payload(course, course.confirmed)), course.now,
        course.organiser,
    )  # fmt: skip
    db.session.commit()
    second = apply_queued_scans(
        db.session, course.event,
        parse_scans(_payload(course, course.confirmed, minutes_ago=8)), course.now, other_desk,
    )  # fmt: skip
    db.session.commit()
    assert first[0][1].result == ScanResult.CHECKED_IN
    assert second[0][1].result == ScanResult.ALREADY_CHECKED_IN
    (attendance,) = db.session.scalars(select(Attendance)).all()
    assert attendance.checked_in_by_id == course.organiser.id
