"""What the organiser's overview shows: the centre's coming events with how full they are,
which are at risk of not running, and the week's figures.

An event is *at risk* while it is published (not yet confirmed to run), has a minimum, has
fewer confirmed than that minimum, and its decision is near: the decision time within
AT_RISK_WINDOW (or, without one, its first day within that window), not yet come. Once the
decision time has come it is no longer "at risk" but "awaiting a decision"
(registration/decisions.py).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.catalogue.models import Event, EventStatus
from usht_events.catalogue.models import Session as EventSession
from usht_events.registration.models import Registration
from usht_events.registration.places import Counts, counts_for_events

AT_RISK_WINDOW = timedelta(days=7)
WEEK = timedelta(days=7)
# How long an event that reached its minimum stays in "Nådd minimum".
RECENTLY_REACHED = timedelta(days=14)
# A centre runs some dozens of events a term: far more than that is a bound, not a view.
COMING_LIMIT = 500


@dataclass(frozen=True)
class EventLine:
    """One coming event on the overview, with its counts and what needs attention."""

    event: Event
    counts: Counts
    at_risk: bool

    @property
    def is_full(self) -> bool:
        return self.event.capacity is not None and self.counts.confirmed >= self.event.capacity

    @property
    def still_needed(self) -> int:
        if self.event.min_participants is None:
            return 0
        return max(self.event.min_participants - self.counts.confirmed, 0)


def this_week(lines: list[EventLine], now: datetime) -> list[EventLine]:
    """Live events with a session on now or starting within a week, by their next session."""
    soon = [
        line
        for line in lines
        if line.event.is_live
        and any(item.ends_at > now and item.starts_at < now + WEEK for item in line.event.sessions)
    ]
    return sorted(soon, key=lambda line: (next_session(line.event, now).starts_at, line.event.id))


def next_session(event: Event, now: datetime) -> EventSession:
    """The event's first session that has not ended."""
    return next(item for item in event.sessions if item.ends_at > now)


def recently_reached(session: DbSession, scope, now: datetime, exclude: set[int]) -> list[Event]:
    """Live events whose sign-ups reached the minimum lately, most recent first."""
    events = session.scalars(
        select(Event)
        .where(scope, Event.is_live, Event.threshold_reached_at >= now - RECENTLY_REACHED)
        .order_by(Event.threshold_reached_at.desc(), Event.id)
    )
    return [event for event in events if event.id not in exclude]


@dataclass(frozen=True)
class Figures:
    """The week at a glance."""

    upcoming: int
    sign_ups_this_week: int
    at_risk: int


def coming_events(session: DbSession, scope, now: datetime) -> list[EventLine]:
    """The scope's live and draft events that have not ended, soonest first."""
    first_start = (
        select(func.min(EventSession.starts_at))
        .where(EventSession.event_id == Event.id)
        .scalar_subquery()
    )
    last_end = (
        select(func.max(EventSession.ends_at))
        .where(EventSession.event_id == Event.id)
        .scalar_subquery()
    )
    events = session.scalars(
        select(Event)
        .where(scope, Event.status != EventStatus.CANCELLED, last_end > now)
        .order_by(first_start, Event.id)
        .limit(COMING_LIMIT)
        .options(selectinload(Event.sessions), selectinload(Event.centre))
    ).all()
    counts = counts_for_events(session, [event.id for event in events])
    return [
        EventLine(event, counts[event.id], is_at_risk(event, counts[event.id], now))
        for event in events
    ]


def is_at_risk(event: Event, counts: Counts, now: datetime) -> bool:
    """Published, below its minimum, with the decision (or the first day) near but not come."""
    if event.status != EventStatus.PUBLISHED or event.min_participants is None:
        return False
    if counts.confirmed >= event.min_participants:
        return False
    deadline = event.decision_at or event.starts_at
    return deadline is not None and now < deadline <= now + AT_RISK_WINDOW


def figures(session: DbSession, scope, lines: list[EventLine], now: datetime) -> Figures:
    """Coming events, sign-ups in the last seven days, and how many events are at risk."""
    sign_ups = session.scalar(
        select(func.count(Registration.id))
        .join(Event, Event.id == Registration.event_id)
        .where(scope, Registration.created_at >= now - WEEK)
    )
    return Figures(
        upcoming=len(lines),
        sign_ups_this_week=sign_ups,
        at_risk=sum(1 for line in lines if line.at_risk),
    )
