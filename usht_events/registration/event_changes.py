"""Changes to an event that concern the people signed up for it: editing it (new time or
place, new caps), cancelling it, and taking it back to draft.

Each use case locks the event, checks, writes through the catalogue's rules for the event
itself (catalogue/editing.py, catalogue/changes.py), then does what the participants are
owed: promotion when a cap is raised, a mail with the new time or place, the cancellation
mail. It writes its audit entry; the caller commits.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue import changes, editing
from usht_events.catalogue import errors as event_errors
from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.editing import EventDraft
from usht_events.catalogue.models import Event, EventStatus
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.registration import errors, notifications
from usht_events.registration.models import Registration
from usht_events.registration.places import active_count
from usht_events.registration.threshold import record_threshold_if_reached
from usht_events.registration.waitlist import change_capacity


@dataclass
class EventUpdate:
    """What an update did, so the page can say it."""

    changed: list[str]
    told_of_change: bool = False
    promoted: list[Registration] = field(default_factory=list)


def update_event(
    session: DbSession,
    actor: User | None,
    event_id: int,
    draft: EventDraft,
    now: datetime,
    base_url: str,
) -> EventUpdate:
    """Apply the organiser's draft; a new time or place is mailed, a raised cap promotes."""
    event = lock_event(session, event_id)
    if event.is_cancelled:
        raise DomainError(event_errors.CANCELLED_NOT_CHANGEABLE)
    editing.refuse_invalid(draft, now, decision_before=event.decision_at)
    before = editing.snapshot(event)
    told = editing.apply_time_and_place(session, event, draft, now)
    promoted = _change_caps(session, event, draft, now, base_url)
    editing.apply_details(session, event, draft, now)
    record_threshold_if_reached(session, event, now, base_url)
    if told:
        notifications.notify_event_changed(session, event, base_url, now)
    after = editing.snapshot(event)
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        record_action(session, actor, "event.update", editing.change_summary(changed), event.id)
    return EventUpdate(changed, told_of_change=told, promoted=promoted)


def _change_caps(session, event: Event, draft: EventDraft, now, base_url) -> list[Registration]:
    caps = (draft.capacity, draft.seats_per_municipality)
    if caps == (event.capacity, event.seats_per_municipality):
        return []
    # The minimum is set again by apply_details: flushed between an old and a new capacity it
    # could break the database's minimum <= capacity check.
    event.min_participants = None
    session.flush()
    return change_capacity(session, event.id, *caps, now, base_url)


def cancel_event(
    session: DbSession,
    event_id: int,
    reason: str,
    now: datetime,
    base_url: str,
    actor: User | None = None,
) -> int:
    """Cancel the event; everyone with a place or on the waiting list is told. Returns how many.

    Without an `actor` it is the worker's automatic decision at the minimum.
    """
    event = lock_event(session, event_id)
    must_tell = changes.cancel_event(session, event, reason, now)
    told = notifications.notify_event_cancelled(session, event, base_url, now) if must_tell else []
    by = "Avlyste arrangementet" if actor is not None else "Avlyste arrangementet automatisk"
    summary = f"{by}; {len(told)} fikk e-post. Begrunnelse: {event.cancellation_reason}"
    action = "event.cancel" if actor is not None else "event.auto_cancel"
    record_action(session, actor, action, summary, event.id)
    return len(told)


def unpublish_event(session: DbSession, actor: User | None, event_id: int, now: datetime) -> None:
    """Take a published event back to draft; refused while anyone holds a place."""
    event = lock_event(session, event_id)
    if not event.is_live:
        raise DomainError(event_errors.NOT_PUBLISHED)
    if active := active_count(session, event.id):
        raise DomainError(errors.HAS_REGISTRATIONS, active=active)
    event.status = EventStatus.DRAFT
    event.published_at = None
    editing.status_changed(session, event, now)
    record_action(session, actor, "event.unpublish", "Gjorde om til utkast.", event.id)
