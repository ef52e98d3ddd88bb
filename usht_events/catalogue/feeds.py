"""Calendar files for download and subscription: one event, and a centre's feed.

The personal feed of one participant's places is registration/feeds.py."""

from dataclasses import replace
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import exists, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.catalogue import ics, rules
from usht_events.catalogue.models import Event, EventKind, EventStatus, FocusArea, Session
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo
from usht_events.organisations.models import Centre

blueprint = Blueprint("calendar", __name__)

# How often subscribing calendars should fetch the feed again.
FEED_REFRESH_HOURS = 6
FEED_EVENT_LIMIT = 500
# Subscribed calendars drop what leaves the feed: keep recent events so attendees keep them.
FEED_HISTORY_DAYS = 90
# Proxies and clients may reuse a calendar file this long; ETags make re-fetching cheap.
CACHE_SECONDS = 300


def ics_response(body: bytes, filename: str, *, private: bool = False) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = (
        f"{'private' if private else 'public'}, max-age={CACHE_SECONDS}"
    )
    response.add_etag()
    return response.make_conditional(request)


@blueprint.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    """Every session of one event."""
    event = rules.public_event(db.session, event_id) or abort(404)
    body = ics.build_calendar([event], current_app.config["BASE_URL"], utcnow())
    return ics_response(body, f"arrangement-{event.id}.ics")


@blueprint.get("/calendar.ics")
def centre_feed():
    """A subscribable feed of published events, filtered by centre, focus area and kind."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in {k.value for k in EventKind}:
        abort(400)
    filters = rules.EventFilter(
        centre=request.args.get("centre") or None,
        focus=request.args.get("focus") or None,
        kind=EventKind(kind) if kind else None,
    )
    body = ics.build_calendar(
        feed_events(db.session, filters, utcnow()),
        current_app.config["BASE_URL"],
        utcnow(),
        name=_feed_name(db.session, filters),
        refresh_hours=FEED_REFRESH_HOURS,
    )
    return ics_response(body, "usht-kalender.ics")


def feed_events(session: DbSession, filters: rules.EventFilter, now: datetime) -> list[Event]:
    """Listed events of the last months and ahead, and upcoming ones cancelled after publishing.

    A subscriber only learns of a cancellation if the entry stays in the feed as CANCELLED.
    """
    since = (to_oslo(now) - timedelta(days=FEED_HISTORY_DAYS)).date()
    recent = replace(filters, date_from=since)
    listed = rules.find_events(session, recent, now, per_page=FEED_EVENT_LIMIT).events
    events = listed + _cancelled_upcoming(session, filters, now)
    return sorted(events, key=lambda event: (event.starts_at, event.id))


def _cancelled_upcoming(session: DbSession, filters: rules.EventFilter, now: datetime):
    ongoing = exists().where(Session.event_id == Event.id, Session.ends_at > now)
    query = select(Event).where(
        Event.status == EventStatus.CANCELLED, Event.published_at.is_not(None), ongoing
    )
    query = rules.where_centre_focus_kind(query, filters)
    loads = (selectinload(Event.sessions), selectinload(Event.centre))
    return list(session.scalars(query.limit(FEED_EVENT_LIMIT).options(*loads)))


def _feed_name(session: DbSession, filters: rules.EventFilter) -> str:
    """'USHT Østfold: kurs og arrangementer', narrowed by the focus area and kind chosen."""
    centre = filters.centre and session.scalar(select(Centre).where(Centre.slug == filters.centre))
    focus = filters.focus and session.scalar(
        select(FocusArea).where(FocusArea.slug == filters.focus)
    )
    parts = [f"{centre.name if centre else 'USHT'}: kurs og arrangementer"]
    parts += [item for item in (focus and focus.name, filters.kind and filters.kind.label) if item]
    return " – ".join(parts)
