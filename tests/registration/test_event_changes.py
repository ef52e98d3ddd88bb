"""Changes to an event that concern its participants: editing, caps, taking it back to draft."""

from dataclasses import replace
from datetime import timedelta

import pytest

from usht_events.catalogue.changes import SessionTimes
from usht_events.catalogue.editing import EventDraft, change_summary, draft_of
from usht_events.catalogue.models import EventStatus
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration.event_changes import unpublish_event, update_event
from usht_events.registration.models import RegistrationStatus

BASE = "http://usht.test"
NOW = utcnow().replace(microsecond=0)


def edited(event, **fields) -> EventDraft:
    """The event as it is, with some fields changed."""
    return replace(draft_of(event), **fields)


def refusal(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_raising_capacity_promotes_the_waiting(any_app, make):
    event = make.event(capacity=1)
    make.registration(event)
    waiting = make.registration(event, status=RegistrationStatus.WAITLISTED)
    update = update_event(db.session, None, event.id, edited(event, capacity=2), utcnow(), BASE)
    assert update.promoted == [waiting] and waiting.status == RegistrationStatus.CONFIRMED
    assert update.changed == ["capacity"] and not update.told_of_change


def test_capacity_below_confirmed_is_refused(app, make):
    event = make.event(capacity=2)
    make.registration(event)
    make.registration(event)
    changed = edited(event, capacity=1, min_participants=None)
    assert refusal(lambda: update_event(db.session, None, event.id, changed, utcnow(), BASE)) == (
        "capacity_below_confirmed"
    )


def test_capacity_and_minimum_may_cross(any_app, make):
    event = make.event(capacity=10, min_participants=5)
    update_event(
        db.session, None, event.id, edited(event, capacity=30, min_participants=20), NOW, BASE
    )
    update_event(
        db.session, None, event.id, edited(event, capacity=4, min_participants=2), NOW, BASE
    )
    db.session.commit()
    assert (event.capacity, event.min_participants) == (4, 2)


def test_moving_a_session_raises_the_sequence_and_asks_to_notify(any_app, make):
    event = make.event(days=2)
    moved = draft_of(event)
    moved.sessions[1] = SessionTimes(
        moved.sessions[1].starts_at + timedelta(days=7), moved.sessions[1].ends_at + timedelta(7)
    )
    update = update_event(db.session, None, event.id, moved, utcnow(), BASE)
    assert update.told_of_change and event.sequence == 1 and update.changed == ["sessions"]


def test_new_venue_raises_the_sequence(app, make):
    event = make.event()
    update = update_event(db.session, None, event.id, edited(event, venue="Askim"), utcnow(), BASE)
    assert update.told_of_change and event.sequence == 1 and update.changed == ["place"]


def test_a_title_change_does_not_raise_the_sequence(app, make):
    event = make.event()
    update = update_event(
        db.session, None, event.id, edited(event, title="Nytt navn"), utcnow(), BASE
    )
    assert update.changed == ["title"] and not update.told_of_change and event.sequence == 0
    assert change_summary(update.changed) == "Endret tittel."


def test_a_cancelled_event_cannot_be_edited(app, make):
    event = make.event(status=EventStatus.CANCELLED)
    changed = draft_of(event)
    assert refusal(lambda: update_event(db.session, None, event.id, changed, utcnow(), BASE)) == (
        "event_cancelled"
    )


def test_unpublish_without_registrations(any_app, make):
    event = make.event()
    unpublish_event(db.session, None, event.id, NOW)
    db.session.commit()
    assert event.status == EventStatus.DRAFT and event.published_at is None


def test_unpublish_is_refused_while_anyone_has_a_place(app, make):
    event = make.event()
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    assert refusal(lambda: unpublish_event(db.session, None, event.id, NOW)) == "has_registrations"


def test_a_draft_cannot_be_unpublished(app, make):
    event = make.event(status=EventStatus.DRAFT)
    assert refusal(lambda: unpublish_event(db.session, None, event.id, NOW)) == "not_published"


def test_moving_the_decision_to_a_time_that_has_passed_is_refused(app, make):
    event = make.event(min_participants=5, decision_at=NOW + timedelta(days=3))
    changed = edited(event, decision_at=NOW - timedelta(hours=1))
    with pytest.raises(DomainError) as error:
        update_event(db.session, None, event.id, changed, NOW, BASE)
    (problem,) = error.value.details["problems"]
    assert (problem.code, problem.field) == ("decision_in_past", "decision_at")


def test_an_event_awaiting_its_decision_can_still_be_edited(app, make):
    event = make.event(min_participants=5, decision_at=NOW - timedelta(hours=1))
    update = update_event(db.session, None, event.id, edited(event, title="Ny tittel"), NOW, BASE)
    assert update.changed == ["title"]
