"""The minimum-threshold decision: at `decision_at` an event with a minimum runs or is cancelled.

An event is awaiting a decision while it is published (neither confirmed nor cancelled) and
has a `min_participants`; it shows up for the organiser once its `decision_at` has come. The
organiser confirms it (participants hear it goes ahead) or cancels it (everyone is told and
calendar entries turn CANCELLED). With `auto_decision` the worker decides instead: it runs
when enough people are confirmed, else it is cancelled.

The rules lock the event, check, write, and queue the mails in the caller's transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.changes import cancel_event
from usht_events.catalogue.models import Event, EventStatus
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.registration import notifications
from usht_events.registration.rules import confirmed_count, lock_event


@dataclass(frozen=True)
class AutoDecision:
    """What the worker decided for one event."""

    event: Event
    confirmed: bool
    participants: int


def awaiting_conditions(now: datetime) -> tuple:
    """SQL conditions: published events with a minimum whose decision time has come."""
    return (
        Event.status == EventStatus.PUBLISHED,
        Event.min_participants.is_not(None),
        Event.decision_at.is_not(None),
        Event.decision_at <= now,
    )


def events_awaiting_decision(session: DbSession, scope, now: datetime) -> list[Event]:
    """Events within `scope` (an SQL condition) whose decision is due, earliest first."""
    query = select(Event).where(scope, *awaiting_conditions(now))
    return list(session.scalars(query.order_by(Event.decision_at, Event.id)))


def confirm_event(session: DbSession, event: Event, now: datetime) -> Event:
    """Decide that the event runs (CONFIRMED); the caller tells the confirmed participants.

    The organiser may confirm before `decision_at` once they know enough have signed up.
    """
    event = lock_event(session, event.id)
    check_undecided(event)
    event.status = EventStatus.CONFIRMED
    event.updated_at = now
    session.flush()
    return event


def cancel_undecided_event(session: DbSession, event: Event, reason: str, now: datetime) -> bool:
    """Decide that the event does not run; True if participants must hear (they always do)."""
    event = lock_event(session, event.id)
    check_undecided(event)
    return cancel_event(session, event, reason, now)


def decide_automatically(session: DbSession, now: datetime, base_url: str) -> list[AutoDecision]:
    """Confirm or cancel every due event with `auto_decision`, queueing the mails."""
    due = select(Event.id).where(Event.auto_decision.is_(True), *awaiting_conditions(now))
    decisions = []
    for event_id in session.scalars(due.order_by(Event.decision_at, Event.id)).all():
        event = lock_event(session, event_id)
        # Decided by an organiser between our query and the lock: nothing left to do.
        if event.status == EventStatus.PUBLISHED:
            decisions.append(_decide(session, event, now, base_url))
    return decisions


def too_few_reason(participants: int, minimum: int) -> str:
    """The cancellation reason participants read: 'For få påmeldte (12 av 25)'."""
    return f"For få påmeldte ({participants} av {minimum})"


def check_undecided(event: Event) -> None:
    """Refuse unless the event is published with a minimum: neither confirmed nor cancelled."""
    if event.status == EventStatus.CANCELLED:
        raise DomainError("cancelled", "Arrangementet er allerede avlyst.")
    if event.status != EventStatus.PUBLISHED or event.min_participants is None:
        raise DomainError("not_awaiting", "Arrangementet venter ikke på en beslutning.")


def _decide(session: DbSession, event: Event, now: datetime, base_url: str) -> AutoDecision:
    participants = confirmed_count(session, event.id)
    minimum = event.min_participants
    if participants >= minimum:
        confirm_event(session, event, now)
        notifications.notify_threshold_reached(session, event, base_url, now)
        summary = (
            "Bekreftet automatisk at arrangementet gjennomføres"
            f" ({participants} påmeldte, minst {minimum})."
        )
        record_action(session, None, "event.auto_confirm", summary, event.id)
        return AutoDecision(event, True, participants)
    reason = too_few_reason(participants, minimum)
    if cancel_event(session, event, reason, now):
        notifications.notify_event_cancelled(session, event, base_url, now)
    record_action(session, None, "event.auto_cancel", f"Avlyst automatisk: {reason}.", event.id)
    return AutoDecision(event, False, participants)
