"""Rules for finding events: what the public calendar, the API and the organiser's events
list show."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload

from usht_events.catalogue.models import (
    Event,
    EventKind,
    EventStatus,
    FocusArea,
    Session,
    event_eligible_municipality,
)
from usht_events.core.timezones import oslo_datetime
from usht_events.organisations.models import Centre


@dataclass(frozen=True)
class EventFilter:
    """The calendar's filters; every field is optional."""

    centre: str | None = None
    focus: str | None = None
    kind: EventKind | None = None
    municipality: str | None = None
    text: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Page:
    """One page of events and the total that matched."""

    events: list[Event]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def find_events(
    session: DbSession, filters: EventFilter, now: datetime, page: int = 1, per_page: int = 20
) -> Page:
    """Published events matching the filters, soonest first; upcoming only unless dated."""
    spans = _event_spans()
    query = select(Event).join(spans, spans.c.event_id == Event.id).where(Event.is_live)
    query = _apply_filters(query, filters, spans, now)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    events = session.scalars(
        query.order_by(spans.c.first_start, Event.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(*_card_loads())
    )
    return Page(list(events), total, page, per_page)


def _event_spans():
    """Each event's first start and last end, to join events on."""
    return (
        select(
            Session.event_id,
            func.min(Session.starts_at).label("first_start"),
            func.max(Session.ends_at).label("last_end"),
        )
        .group_by(Session.event_id)
        .subquery()
    )


# The organiser's events list: which of their events, in every status.
WHEN = ("upcoming", "past", "all")


@dataclass(frozen=True)
class ManagedEventFilter:
    """The organiser's events list filters: status, kind, time, dates and free text."""

    status: EventStatus | None = None
    kind: EventKind | None = None
    when: str = "upcoming"
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None


def managed_events(
    session: DbSession, scope, filters: ManagedEventFilter, now: datetime
) -> list[Event]:
    """The events within `scope` (an SQL condition) the filters pick, by first day.

    Upcoming means not yet over, soonest first; past means over, latest first. Events
    without sessions count as upcoming.
    """
    spans = _event_spans()
    query = select(Event).outerjoin(spans, spans.c.event_id == Event.id).where(scope)
    if filters.status:
        query = query.where(Event.status == filters.status)
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.when == "upcoming":
        query = query.where(or_(spans.c.last_end.is_(None), spans.c.last_end >= now))
    elif filters.when == "past":
        query = query.where(spans.c.last_end < now)
    if filters.date_from:
        query = query.where(spans.c.last_end > oslo_datetime(filters.date_from, time()))
    if filters.date_to:
        next_day = oslo_datetime(filters.date_to + timedelta(days=1), time())
        query = query.where(spans.c.first_start < next_day)
    if filters.text:
        query = query.where(_matches_text(filters.text))
    first = spans.c.first_start.desc() if filters.when == "past" else spans.c.first_start.asc()
    loads = (selectinload(Event.sessions), selectinload(Event.centre))
    return list(session.scalars(query.order_by(first, Event.id).options(*loads)))


def _card_loads():
    return (
        selectinload(Event.sessions),
        selectinload(Event.centre),
        selectinload(Event.focus_area),
        selectinload(Event.eligible_municipalities),
        selectinload(Event.series),
        selectinload(Event.certifies_kind),
    )


def where_centre_focus_kind(query, filters: EventFilter):
    """Narrow an event query to the filters' centre, focus area and kind, where given."""
    if filters.centre:
        query = query.where(Event.centre.has(Centre.slug == filters.centre))
    if filters.focus:
        query = query.where(Event.focus_area.has(FocusArea.slug == filters.focus))
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    return query


def _apply_filters(query, filters: EventFilter, spans, now: datetime):
    start_bound = oslo_datetime(filters.date_from, time()) if filters.date_from else now
    query = query.where(spans.c.last_end > start_bound)
    if filters.date_to:
        query = query.where(
            spans.c.first_start < oslo_datetime(filters.date_to + timedelta(days=1), time())
        )
    query = where_centre_focus_kind(query, filters)
    if filters.municipality:
        query = query.where(_open_to(filters.municipality))
    if filters.text:
        query = query.where(_matches_text(filters.text))
    return query


def _open_to(municipality_number: str):
    """Events with no eligibility list, or one that includes the municipality."""
    listed = event_eligible_municipality.c
    restricted = exists().where(listed.event_id == Event.id)
    includes = exists().where(
        listed.event_id == Event.id, listed.municipality_number == municipality_number
    )
    return or_(~restricted, includes)


def _matches_text(text: str):
    # LIKE wildcards typed by a person are meant literally.
    needle = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{needle}%"
    columns = (Event.title, Event.summary, Event.description, Event.venue, Event.target_group)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def public_event(session: DbSession, event_id: int) -> Event | None:
    """An event the public may see (published, confirmed to run, or cancelled)."""
    # One row each: joined into the event's query rather than a query apiece.
    one_each = (Event.centre, Event.focus_area, Event.series, Event.certifies_kind)
    return session.scalar(
        select(Event)
        .where(Event.id == event_id, Event.is_public)
        .options(
            selectinload(Event.sessions),
            selectinload(Event.eligible_municipalities),
            *(joinedload(relation) for relation in one_each),
        )
    )


def event_for_sign_up(session: DbSession, event_id: int) -> Event | None:
    """A public event with just what a sign-up checks: its days and who may take part."""
    # One round trip: a sign-up is the hottest path there is.
    return (
        session.scalars(
            select(Event)
            .where(Event.id == event_id, Event.is_public)
            .options(joinedload(Event.sessions), joinedload(Event.eligible_municipalities))
        )
        .unique()
        .one_or_none()
    )


def filter_choices(session: DbSession) -> dict:
    """Centres, focus areas and kinds for the calendar's filter form."""
    return {
        "centres": list(session.scalars(select(Centre).order_by(Centre.name))),
        "focus_areas": list(session.scalars(select(FocusArea).order_by(FocusArea.name))),
        "kinds": list(EventKind),
    }
