"""Changing and cancelling an event: SEQUENCE grows exactly when calendars must update."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from usht_events.catalogue.changes import (
    SessionTimes,
    cancel_event,
    change_place,
    change_sessions,
)
from usht_events.catalogue.models import EventFormat, EventStatus
from usht_events.core.db import db
from usht_events.core.errors import DomainError

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
OSLO = ZoneInfo("Europe/Oslo")


def times_of(event) -> list[tuple]:
    return [(session.starts_at, session.ends_at, session.venue) for session in event.sessions]


def test_moving_a_session_raises_the_sequence_and_tells_participants(app, make):
    event = make.event(days=2)
    first, second = times_of(event)
    moved = (second[0] + timedelta(days=7), second[1] + timedelta(days=7), "")
    assert change_sessions(db.session, event, [first, moved], NOW) is True
    assert event.sequence == 1
    assert times_of(event)[1][:2] == moved[:2]


def test_same_times_change_nothing(app, make):
    event = make.event(days=2)
    assert change_sessions(db.session, event, times_of(event), NOW) is False
    assert event.sequence == 0


def test_same_instant_in_another_zone_is_no_change(app, make):
    event = make.event()
    ((start, end, venue),) = times_of(event)
    assert change_sessions(db.session, event, [(start.astimezone(OSLO), end, venue)], NOW) is False
    assert event.sequence == 0


def test_session_venue_change_raises_the_sequence(app, make):
    event = make.event()
    ((start, end, _),) = times_of(event)
    assert change_sessions(db.session, event, [SessionTimes(start, end, "Askim")], NOW)
    assert event.sequence == 1
    assert event.sessions[0].place == "Askim"


def test_sessions_keep_their_rows_so_uids_survive(app, make):
    event = make.event(days=2)
    ids = [session.id for session in event.sessions]
    later = [
        (start + timedelta(hours=1), end + timedelta(hours=1), v)
        for start, end, v in times_of(event)
    ]
    change_sessions(db.session, event, later, NOW)
    assert [session.id for session in event.sessions] == ids


def test_an_added_day_is_a_change(app, make):
    event = make.event()
    ((start, end, venue),) = times_of(event)
    extra = (start + timedelta(days=1), end + timedelta(days=1), venue)
    assert change_sessions(db.session, event, [(start, end, venue), extra], NOW)
    assert len(event.sessions) == 2 and event.sequence == 1


def test_removing_a_day_is_refused(app, make):
    event = make.event(days=2)
    with pytest.raises(DomainError) as error:
        change_sessions(db.session, event, times_of(event)[:1], NOW)
    assert error.value.code == "sessions_removed"
    assert event.sequence == 0


def test_a_session_must_end_after_it_starts(app, make):
    event = make.event()
    ((start, end, venue),) = times_of(event)
    with pytest.raises(DomainError) as error:
        change_sessions(db.session, event, [(end, start, venue)], NOW)
    assert error.value.code == "invalid_session"


def test_moving_a_draft_raises_the_sequence_but_tells_no_one(app, make):
    event = make.event(status=EventStatus.DRAFT)
    ((start, end, venue),) = times_of(event)
    assert (
        change_sessions(db.session, event, [(start, end + timedelta(hours=1), venue)], NOW) is False
    )
    assert event.sequence == 1


def test_new_venue_raises_the_sequence(app, make):
    event = make.event(venue="Mysen helsehus")
    assert change_place(db.session, event, NOW, venue="Askim kulturhus", venue_address="Torget 1")
    assert (event.venue, event.venue_address, event.sequence) == ("Askim kulturhus", "Torget 1", 1)
    assert event.updated_at == NOW


def test_same_venue_is_no_change(app, make):
    event = make.event(venue="Mysen helsehus")
    assert change_place(db.session, event, NOW, venue=" Mysen helsehus ") is False
    assert event.sequence == 0


def test_going_digital_is_a_change_of_place(app, make):
    event = make.event(venue="Mysen helsehus")
    assert change_place(
        db.session, event, NOW, venue="Mysen helsehus", event_format=EventFormat.DIGITAL
    )
    assert event.sequence == 1


def test_a_cancelled_event_cannot_be_moved(app, make):
    event = make.event()
    cancel_event(db.session, event, "", NOW)
    with pytest.raises(DomainError) as error:
        change_place(db.session, event, NOW, venue="Askim")
    assert error.value.code == "event_cancelled"


def test_cancel_event_marks_it_cancelled_and_raises_the_sequence(app, make):
    event = make.event()
    assert cancel_event(db.session, event, " For få påmeldte. ", NOW) is True
    db.session.commit()
    db.session.expire_all()
    assert event.status == EventStatus.CANCELLED
    assert event.cancelled_at == NOW
    assert event.cancellation_reason == "For få påmeldte."
    assert event.sequence == 1


def test_cancelling_twice_is_refused(app, make):
    event = make.event()
    cancel_event(db.session, event, "", NOW)
    with pytest.raises(DomainError) as error:
        cancel_event(db.session, event, "", NOW)
    assert error.value.code == "already_cancelled_event"
    assert event.sequence == 1
