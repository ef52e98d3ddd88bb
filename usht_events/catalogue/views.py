"""The public calendar and event pages."""

from flask import Blueprint, abort, current_app, render_template, request

from usht_events.catalogue import rules
from usht_events.catalogue.forms import CalendarFilterForm
from usht_events.catalogue.models import Event
from usht_events.core.db import db, utcnow
from usht_events.registration.availability import Availability
from usht_events.registration.forms import SignUpForm, municipality_choices
from usht_events.registration.rules import counts_for_events

blueprint = Blueprint("catalogue", __name__)


@blueprint.get("/events")
@blueprint.get("/")
def index():
    """Upcoming published events matching the filters, soonest first, a page at a time."""
    form = CalendarFilterForm.for_request(db.session, request.args)
    valid = form.validate()
    # Anything but a plain page number (say "¹", which str.isdigit accepts) means page 1.
    page_number = request.args.get("page", "1")
    if not (page_number.isascii() and page_number.isdigit() and 0 < int(page_number) < 10_000):
        page_number = "1"
    page_number = int(page_number)
    filters = form.to_filter() if valid else rules.EventFilter()
    now = utcnow()
    page = rules.find_events(
        db.session, filters, now, page_number, current_app.config["EVENTS_PER_PAGE"]
    )
    availability = availability_for(page.events, now)
    status = 200 if valid else 400
    return render_template(
        "catalogue/index.html", form=form, page=page, availability=availability
    ), status


@blueprint.get("/events/<int:event_id>")
def show_event(event_id: int):
    """The event, its sessions and rules in plain Norwegian, and the sign-up form."""
    event = rules.public_event(db.session, event_id) or abort(404)
    form = SignUpForm(municipality_choices=municipality_choices(db.session, event))
    return render_event_page(event, form)


def availability_for(events: list[Event], now) -> dict[int, Availability]:
    """Availability of each event, counted in one query."""
    counts = counts_for_events(db.session, [event.id for event in events])
    return {event.id: Availability(event, counts[event.id], now) for event in events}


def render_event_page(event: Event, form: SignUpForm, status: int = 200, error: str | None = None):
    """The event page with the sign-up form, after a GET or a refused POST."""
    availability = availability_for([event], utcnow())[event.id]
    body = render_template(
        "catalogue/show_event.html",
        event=event,
        availability=availability,
        form=form,
        error=error,
    )
    return body, status
