"""The go/no-go decision for an event with a minimum ("runs if 25 sign up").

An event awaits a decision while it is published (neither confirmed nor cancelled), has a
minimum and its `decision_at` has come. The organiser confirms it (it runs) or cancels it
(everyone is told, calendar entries turn CANCELLED). With `auto_decision` the worker decides
instead, through the very same two functions.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue import errors as event_errors
from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.editing import status_changed
from usht_events.catalogue.models import Event, EventStatus
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.registration import errors, notifications
from usht_events.registration.event_changes import cancel_event
from usht_events.registration.places import confirmed_count


def awaiting_decision(now: datetime) -> tuple:
    """SQL conditions: published events with a minimum whose decision time has come."""
    return (
        Event.status == EventStatus.PUBLISHED,
        Event.min_participants.is_not(None),
        Event.decision_at.is_not(None),
        Event.decision_at <= now,
    )


def events_awaiting_decision(session: DbSession, scope, now: datetime) -> list[Event]:
    """Events within `scope` (an SQL condition) whose decision is due, earliest first."""
    query = select(Event).where(scope, *awaiting_decision(now))
    return list(session.scalars(query.order_by(Event.decision_at, Event.id)))


def check_undecided(event: Event) -> None:
    """Refuse unless the event is published with a minimum: neither confirmed nor cancelled."""
    if event.status == EventStatus.CANCELLED:
        raise DomainError(event_errors.EVENT_ALREADY_CANCELLED)
    if event.status != EventStatus.PUBLISHED or event.min_participants is None:
        raise DomainError(errors.NOT_AWAITING_DECISION)


def confirm_event(
    session: DbSession, event_id: int, now: datetime, base_url: str, actor: User | None = None
) -> int:
    """Decide that the event runs; the confirmed hear it. Returns how many mails went out.

    The organiser may confirm before `decision_at` once they know enough have signed up;
    without an `actor` it is the worker's automatic decision.
    """
    event = lock_event(session, event_id)
    check_undecided(event)
    event.status = EventStatus.CONFIRMED
    # A TENTATIVE calendar entry turns CONFIRMED: the mail below carries the update.
    status_changed(session, event, now)
    told = notifications.notify_threshold_reached(session, event, base_url, now)
    participants = confirmed_count(session, event.id)
    if actor is None:
        action = "event.auto_confirm"
        summary = (
            "Bekreftet automatisk at arrangementet gjennomføres"
            f" ({participants} påmeldte, minst {event.min_participants})."
        )
    else:
        action = "event.confirm"
        summary = f"Bekreftet at arrangementet gjennomføres ({participants} påmeldte)."
    record_action(session, actor, action, summary, event.id)
    return len(told)


def cancel_undecided_event(
    session: DbSession,
    event_id: int,
    reason: str,
    now: datetime,
    base_url: str,
    actor: User | None = None,
) -> int:
    """Decide that the event does not run: cancel it for everyone. Returns the mails sent."""
    check_undecided(lock_event(session, event_id))
    return cancel_event(session, event_id, reason, now, base_url, actor=actor)


def decide_automatically(session: DbSession, now: datetime, base_url: str) -> int:
    """Confirm or cancel every due event with `auto_decision`; returns how many were decided."""
    due = select(Event.id).where(Event.auto_decision.is_(True), *awaiting_decision(now))
    decided = 0
    for event_id in session.scalars(due.order_by(Event.decision_at, Event.id)).all():
        event = lock_event(session, event_id)
        # Decided by an organiser between our query and the lock: nothing left to do.
        if event.status != EventStatus.PUBLISHED:
            continue
        participants = confirmed_count(session, event.id)
        if participants >= event.min_participants:
            confirm_event(session, event.id, now, base_url)
        else:
            reason = too_few_reason(participants, event.min_participants)
            cancel_undecided_event(session, event.id, reason, now, base_url)
        decided += 1
    return decided


def too_few_reason(participants: int, minimum: int) -> str:
    """The cancellation reason participants read: 'For få påmeldte (12 av 25)'."""
    return f"For få påmeldte ({participants} av {minimum})"
