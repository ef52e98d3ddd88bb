"""Rules for finding events: what the public calendar shows."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.catalogue.models import Event, EventStatus, Session

PUBLIC_LISTED_STATUSES = (EventStatus.PUBLISHED, EventStatus.CONFIRMED)


def upcoming_events(session: DbSession, now: datetime, limit: int | None = None) -> list[Event]:
    """Published events with a session that has not ended yet, soonest first."""
    last_end = (
        select(Session.event_id, func.min(Session.starts_at).label("first_start"))
        .group_by(Session.event_id)
        .having(func.max(Session.ends_at) > now)
        .subquery()
    )
    query = (
        select(Event)
        .join(last_end, last_end.c.event_id == Event.id)
        .where(Event.status.in_(PUBLIC_LISTED_STATUSES))
        .order_by(last_end.c.first_start, Event.id)
        .options(
            selectinload(Event.sessions),
            selectinload(Event.centre),
            selectinload(Event.focus_area),
        )
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
