"""A participant's personal calendar feed: the events they hold or wait for a place on."""

from flask import Blueprint, abort, current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.catalogue import ics
from usht_events.catalogue.feeds import FEED_REFRESH_HOURS, ics_response
from usht_events.catalogue.models import Event, EventStatus, Session
from usht_events.core.db import db, utcnow
from usht_events.registration.models import Person, Registration, RegistrationStatus

blueprint = Blueprint("personal_calendar", __name__)


@blueprint.get("/calendar/personal/<token>.ics")
def personal_feed(token: str):
    """One person's active registrations, linked from their manage page."""
    person = db.session.scalar(
        select(Person).where(Person.feed_token == token[:64], Person.anonymised_at.is_(None))
    ) or abort(404)
    body = ics.build_calendar(
        personal_events(db.session, person),
        current_app.config["BASE_URL"],
        utcnow(),
        name="Mine USHT-arrangementer",
        refresh_hours=FEED_REFRESH_HOURS,
        waitlisted=waitlisted_event_ids(db.session, person),
    )
    return ics_response(body, "mine-arrangementer.ics", private=True)


def personal_events(session: DbSession, person: Person) -> list[Event]:
    """Events the person holds a place on, and those cancelled under their place."""
    held = exists().where(
        Registration.event_id == Event.id,
        Registration.person_id == person.id,
        or_(
            Registration.status != RegistrationStatus.CANCELLED,
            # The event's cancellation may cancel every place; the entry must still say so.
            and_(
                Event.status == EventStatus.CANCELLED,
                Registration.cancelled_at >= Event.cancelled_at,
            ),
        ),
    )
    first_start = (
        select(func.min(Session.starts_at)).where(Session.event_id == Event.id).scalar_subquery()
    )
    return list(
        session.scalars(
            select(Event)
            .where(held, Event.is_public)
            .order_by(first_start, Event.id)
            .options(selectinload(Event.sessions), selectinload(Event.centre))
        )
    )


def waitlisted_event_ids(session: DbSession, person: Person) -> set[int]:
    """The events the person waits for a seat on."""
    return set(
        session.scalars(
            select(Registration.event_id).where(
                Registration.person_id == person.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
        )
    )
