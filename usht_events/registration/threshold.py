"""The minimum threshold ("runs if 25 sign up"): reaching it is recorded once, and the
confirmed then hear that the event runs. The go/no-go decision is in decisions.py."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import Event
from usht_events.registration import notifications
from usht_events.registration.places import confirmed_count


def awaits_threshold(event) -> bool:
    """The event has a minimum, and reaching it is not yet recorded."""
    return event.min_participants is not None and event.threshold_reached_at is None


def mark_threshold_reached(session: DbSession, event_id: int, now: datetime) -> bool:
    """Set threshold_reached_at unless it is set; True when this call set it.

    The event's calendar entries turn from TENTATIVE to CONFIRMED (Event.is_tentative), so
    SEQUENCE grows with it: calendars take the update the "it runs" mail carries.
    """
    # The WHERE makes the write idempotent even if two transactions got this far.
    result = session.execute(
        update(Event)
        .where(Event.id == event_id, Event.threshold_reached_at.is_(None))
        .values(threshold_reached_at=now, sequence=Event.sequence + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    # Once in an event's life: bring the session's copy of the event up to date.
    columns = ["threshold_reached_at", "sequence", "updated_at"]
    session.refresh(session.get_one(Event, event_id), columns)
    return result.rowcount == 1


def record_threshold_if_reached(
    session: DbSession, event: Event, now: datetime, base_url: str
) -> bool:
    """Record, exactly once, that the minimum is reached, and tell the confirmed it runs."""
    if not awaits_threshold(event) or confirmed_count(session, event.id) < event.min_participants:
        return False
    if not mark_threshold_reached(session, event.id, now):
        return False
    notifications.notify_threshold_reached(session, event, base_url, now)
    return True
