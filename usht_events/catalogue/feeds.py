"""Calendar files for download and subscription."""

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from usht_events.catalogue import ics, rules
from usht_events.catalogue.models import Event, EventKind
from usht_events.core.db import db, utcnow
from usht_events.registration.models import Person, Registration, RegistrationStatus

blueprint = Blueprint("calendar", __name__)

# How often subscribing calendars should fetch the feed again.
FEED_REFRESH_HOURS = 6
FEED_EVENT_LIMIT = 500


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@blueprint.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    """Every session of one event."""
    event = rules.public_event(db.session, event_id) or abort(404)
    body = ics.build_calendar([event], current_app.config["BASE_URL"], utcnow())
    return _ics_response(body, f"arrangement-{event.id}.ics")


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
    page = rules.find_events(db.session, filters, utcnow(), per_page=FEED_EVENT_LIMIT)
    body = ics.build_calendar(
        page.events,
        current_app.config["BASE_URL"],
        utcnow(),
        name="USHT kurs og arrangementer",
        refresh_hours=FEED_REFRESH_HOURS,
    )
    return _ics_response(body, "usht-kalender.ics")


@blueprint.get("/calendar/personal/<token>.ics")
def personal_feed(token: str):
    """One person's active registrations, linked from their manage page."""
    person = db.session.scalar(select(Person).where(Person.feed_token == token[:64])) or abort(404)
    events = db.session.scalars(
        select(Event)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            Registration.person_id == person.id,
            Registration.status != RegistrationStatus.CANCELLED,
            Event.status.in_(rules.PUBLIC_VISIBLE_STATUSES),
        )
        .options(selectinload(Event.sessions), selectinload(Event.centre))
    )
    body = ics.build_calendar(
        events,
        current_app.config["BASE_URL"],
        utcnow(),
        name="Mine USHT-arrangementer",
        refresh_hours=FEED_REFRESH_HOURS,
    )
    return _ics_response(body, "mine-arrangementer.ics")
