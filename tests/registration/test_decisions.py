"""The minimum-threshold decision: which events await it, confirming, and the automatic one."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, true

from usht_events.catalogue.models import Event, EventStatus
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage
from usht_events.registration.decisions import (
    cancel_undecided_event,
    confirm_event,
    decide_automatically,
    events_awaiting_decision,
)
from usht_events.registration.models import RegistrationStatus

BASE = "http://usht.test"
START = datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
NOW = START - timedelta(days=10)


@pytest.fixture
def due_event(make):
    """A published course needing 3 participants, whose decision time has just passed."""

    def build(confirmed: int = 0, **fields) -> Event:
        values = {"min_participants": 3, "decision_at": NOW - timedelta(hours=1)}
        event = make.event(starts_at=START, **(values | fields))
        for _ in range(confirmed):
            make.registration(event)
        return event

    return build


def _mails(kind: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def _actions() -> list[tuple[str, int | None, int]]:
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(entry.action, entry.user_id, entry.event_id) for entry in entries]


def test_event_whose_decision_time_has_come_is_awaiting(app, due_event):
    event = due_event()
    assert events_awaiting_decision(db.session, true(), NOW) == [event]


def test_event_before_its_decision_time_is_not_awaiting(app, due_event):
    due_event(decision_at=NOW + timedelta(minutes=1))
    assert events_awaiting_decision(db.session, true(), NOW) == []


def test_event_without_minimum_is_not_awaiting(app, due_event):
    due_event(min_participants=None)
    assert events_awaiting_decision(db.session, true(), NOW) == []


@pytest.mark.parametrize(
    "status", [EventStatus.DRAFT, EventStatus.CONFIRMED, EventStatus.CANCELLED]
)
def test_decided_or_unpublished_event_is_not_awaiting(app, due_event, status):
    due_event(status=status)
    assert events_awaiting_decision(db.session, true(), NOW) == []


def test_awaiting_events_are_narrowed_by_the_scope(app, make, due_event):
    mine = due_event(centre=make.centre("ostfold"))
    due_event(centre=make.centre("buskerud"))
    scope = Event.centre_id == mine.centre_id
    assert events_awaiting_decision(db.session, scope, NOW) == [mine]


def test_confirming_sets_the_event_confirmed(app, due_event):
    event = due_event(confirmed=1)
    confirm_event(db.session, event.id, NOW, BASE)
    assert event.status == EventStatus.CONFIRMED
    assert events_awaiting_decision(db.session, true(), NOW) == []


def test_confirming_a_confirmed_event_is_refused_with_not_awaiting(app, due_event):
    event = due_event(status=EventStatus.CONFIRMED)
    with pytest.raises(DomainError) as refused:
        confirm_event(db.session, event.id, NOW, BASE)
    assert refused.value.code == "not_awaiting"


def test_confirming_an_event_without_minimum_is_refused_with_not_awaiting(app, due_event):
    event = due_event(min_participants=None)
    with pytest.raises(DomainError) as refused:
        confirm_event(db.session, event.id, NOW, BASE)
    assert refused.value.code == "not_awaiting"


def test_confirming_a_cancelled_event_is_refused_with_already_cancelled(app, due_event):
    event = due_event(status=EventStatus.CANCELLED)
    with pytest.raises(DomainError) as refused:
        confirm_event(db.session, event.id, NOW, BASE)
    assert refused.value.code == "already_cancelled_event"


def test_cancelling_an_undecided_event_cancels_it(app, due_event):
    event = due_event(confirmed=1)
    assert cancel_undecided_event(db.session, event.id, "For få", NOW, BASE) == 1  # one told
    assert event.status == EventStatus.CANCELLED
    assert event.cancellation_reason == "For få"
    assert event.sequence == 1


def test_cancelling_a_confirmed_event_as_a_decision_is_refused_with_not_awaiting(app, due_event):
    event = due_event(status=EventStatus.CONFIRMED)
    with pytest.raises(DomainError) as refused:
        cancel_undecided_event(db.session, event.id, "For få", NOW, BASE)
    assert refused.value.code == "not_awaiting"


def test_automatic_decision_confirms_when_the_minimum_is_reached(any_app, due_event):
    event = due_event(confirmed=3, auto_decision=True)
    assert decide_automatically(db.session, NOW, BASE) == 1
    db.session.commit()
    assert event.status == EventStatus.CONFIRMED
    assert len(_mails("threshold_reached")) == 3
    assert _mails("event_cancelled") == []
    assert _actions() == [("event.auto_confirm", None, event.id)]


def test_automatic_decision_cancels_below_the_minimum_and_tells_everyone(any_app, make, due_event):
    event = due_event(confirmed=2, auto_decision=True)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    make.registration(event, status=RegistrationStatus.CANCELLED)
    decide_automatically(db.session, NOW, BASE)
    db.session.commit()
    assert event.status == EventStatus.CANCELLED
    assert event.cancellation_reason == "For få påmeldte (2 av 3)"
    mails = _mails("event_cancelled")
    assert len(mails) == 3  # two confirmed and the waitlisted one, not the cancelled one
    assert "For få påmeldte (2 av 3)" in mails[0].body_text
    assert _mails("threshold_reached") == []
    assert _actions() == [("event.auto_cancel", None, event.id)]


def test_automatic_decision_leaves_events_without_the_setting_to_the_organiser(app, due_event):
    event = due_event(confirmed=0, auto_decision=False)
    assert decide_automatically(db.session, NOW, BASE) == 0
    assert event.status == EventStatus.PUBLISHED


def test_automatic_decision_waits_for_the_decision_time(app, due_event):
    event = due_event(confirmed=3, auto_decision=True, decision_at=NOW + timedelta(hours=1))
    assert decide_automatically(db.session, NOW, BASE) == 0
    assert event.status == EventStatus.PUBLISHED


def test_automatic_decision_is_taken_once(app, due_event):
    due_event(confirmed=3, auto_decision=True)
    decide_automatically(db.session, NOW, BASE)
    db.session.commit()
    assert decide_automatically(db.session, NOW + timedelta(minutes=1), BASE) == 0
    assert len(_mails("threshold_reached")) == 3


def test_outbox_send_takes_the_automatic_decisions_and_queues_reminders(app, runner, make):
    now = utcnow()
    due = make.event(min_participants=1, decision_at=now - timedelta(hours=1), auto_decision=True)
    make.registration(due)
    tomorrow = make.event(starts_at=now + timedelta(days=1))
    make.registration(tomorrow, confirmed_at=now - timedelta(days=10))
    db.session.commit()
    due_id = due.id
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert db.session.get(Event, due_id).status == EventStatus.CONFIRMED
    assert len(_mails("threshold_reached")) == 1
    assert len(_mails("reminder")) == 1
