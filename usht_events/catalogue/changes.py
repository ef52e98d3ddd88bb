"""Rules for moving, relocating and cancelling an event; each raises its calendar SEQUENCE.

Calendars replace the entry they hold only when SEQUENCE grows, so every change to the
time, the place or the status raises it, and nothing else does. The rules return whether
the participants must be told; the caller queues the mails in the same transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue import errors
from usht_events.catalogue.models import Event, EventFormat, EventStatus, Session
from usht_events.core.errors import DomainError


@dataclass(frozen=True)
class SessionTimes:
    """The planned time and, optionally, own venue of one session."""

    starts_at: datetime
    ends_at: datetime
    venue: str = ""


def change_sessions(
    session: DbSession,
    event: Event,
    new_times: Iterable[SessionTimes | tuple],
    now: datetime,
) -> bool:
    """Give the sessions new times or venues, first to first; True if participants must hear.

    Sessions keep their rows, so calendar entries keep their UIDs. More sessions than
    before adds days; fewer is refused, since a dropped day would stay in calendars.
    """
    _lock_open(session, event)
    planned = sorted((_session_times(item) for item in new_times), key=lambda t: t.starts_at)
    if len(planned) < len(event.sessions):
        raise DomainError(errors.SESSIONS_REMOVED)
    changed = False
    for existing, plan in zip(list(event.sessions), planned, strict=False):
        if SessionTimes(existing.starts_at, existing.ends_at, existing.venue) != plan:
            existing.starts_at, existing.ends_at = plan.starts_at, plan.ends_at
            existing.venue = plan.venue
            changed = True
    for plan in planned[len(event.sessions) :]:
        event.sessions.append(
            Session(starts_at=plan.starts_at, ends_at=plan.ends_at, venue=plan.venue)
        )
        changed = True
    return _record_change(session, event, changed, now)


def change_place(
    session: DbSession,
    event: Event,
    now: datetime,
    *,
    venue: str,
    venue_address: str = "",
    event_format: EventFormat | None = None,
) -> bool:
    """Move the event to another venue (or format); True if participants must hear."""
    _lock_open(session, event)
    place = (venue.strip(), venue_address.strip(), event_format or event.format)
    changed = place != (event.venue, event.venue_address, event.format)
    if changed:
        event.venue, event.venue_address, event.format = place
    return _record_change(session, event, changed, now)


def cancel_event(session: DbSession, event: Event, reason: str, now: datetime) -> bool:
    """Cancel the event: every calendar entry turns CANCELLED; True if participants must hear.

    Checked under the lock: of two organisers cancelling at once, the second is told calmly
    that it is already cancelled.
    """
    _lock(session, event)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(errors.EVENT_ALREADY_CANCELLED)
    was_public = event.status != EventStatus.DRAFT
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    event.cancellation_reason = reason.strip()
    _record_change(session, event, True, now)
    return was_public


# Every column of the event, refreshed under the lock; relationships stay as loaded.
_EVENT_COLUMNS = [attribute.key for attribute in Event.__mapper__.column_attrs]


def lock_event(session: DbSession, event_id: int) -> Event:
    """Load the event and hold its row lock until the transaction ends.

    Every rule that changes an event, or who holds its seats, takes this lock first, so
    they take turns (on SQLite, BEGIN IMMEDIATE already serialises writers).
    """
    event = session.get(Event, event_id)
    if event is None:
        raise DomainError(errors.EVENT_NOT_FOUND)
    _lock(session, event)
    return event


def _lock(session: DbSession, event: Event) -> None:
    # Re-read under the lock: what was loaded before it may have changed since.
    session.refresh(event, _EVENT_COLUMNS, with_for_update=True)


def _lock_open(session: DbSession, event: Event) -> None:
    _lock(session, event)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(errors.CANCELLED_NOT_CHANGEABLE)


def _session_times(item: SessionTimes | tuple) -> SessionTimes:
    times = item if isinstance(item, SessionTimes) else SessionTimes(*item)
    if times.starts_at.tzinfo is None or times.ends_at.tzinfo is None:
        raise DomainError(errors.SESSION_WITHOUT_TIME_ZONE)
    if times.ends_at <= times.starts_at:
        raise DomainError(errors.SESSION_ENDS_BEFORE_START)
    return SessionTimes(times.starts_at, times.ends_at, times.venue.strip())


def _record_change(session: DbSession, event: Event, changed: bool, now: datetime) -> bool:
    if not changed:
        return False
    event.sequence += 1
    event.updated_at = now
    session.flush()
    return event.status != EventStatus.DRAFT
