"""When participants are reminded of a session (the mail itself is notifications.py).

Reminders are sent once per registration and session without a column of their own: a
session counts as reminded when the registration has a `reminder` row in the outbox, or was
confirmed, inside that session's reminder window [starts_at - days_before, starts_at). A
confirmation that arrives inside the window already says everything a reminder would; a
session moved to a later date gets a fresh reminder before its new date.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select

from usht_events.catalogue.models import Event
from usht_events.catalogue.models import Session as EventSession
from usht_events.core.outbox import OutboxMessage
from usht_events.registration.models import Registration, RegistrationStatus
from usht_events.registration.notifications import notify_reminder


def queue_due_reminders(
    session, now: datetime, days_before: int, base_url: str, limit: int | None = None
) -> list[OutboxMessage]:
    """Remind confirmed participants of sessions starting within `days_before` days, once.

    With a `limit`, at most that many reminders are queued; a later call queues the rest.
    """
    window = timedelta(days=days_before)
    due_by_event = _due_sessions(session, now, now + window)
    registrations = _confirmed(session, list(due_by_event))
    reminded = _reminder_times(session, [registration.id for registration in registrations])
    queued = []
    for registration in registrations:
        times = [*reminded[registration.id], registration.confirmed_at]
        due = [
            item
            for item in due_by_event[registration.event_id]
            if not any(t and item.starts_at - window <= t < item.starts_at for t in times)
        ]
        if due and (message := notify_reminder(session, registration, due, base_url, now)):
            queued.append(message)
            if limit is not None and len(queued) >= limit:
                break
    return queued


def _confirmed(session, event_ids: list[int]) -> list[Registration]:
    query = select(Registration).where(
        Registration.event_id.in_(event_ids),
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    return list(session.scalars(query.order_by(Registration.created_at, Registration.id)))


def _due_sessions(session, now, horizon) -> dict[int, list[EventSession]]:
    rows = session.scalars(
        select(EventSession)
        .join(Event, EventSession.event_id == Event.id)
        .where(
            EventSession.starts_at > now,
            EventSession.starts_at <= horizon,
            Event.is_live,
        )
        .order_by(EventSession.starts_at)
    )
    due = defaultdict(list)
    for item in rows:
        due[item.event_id].append(item)
    return due


def _reminder_times(session, registration_ids) -> dict[int, list[datetime]]:
    times = defaultdict(list)
    if registration_ids:
        rows = session.execute(
            select(OutboxMessage.registration_id, OutboxMessage.created_at).where(
                OutboxMessage.kind == "reminder",
                OutboxMessage.registration_id.in_(registration_ids),
            )
        )
        for registration_id, created_at in rows:
            times[registration_id].append(created_at)
    return times
