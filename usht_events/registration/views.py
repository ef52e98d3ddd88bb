"""The sign-up journey: the public calendar, an event's page with the sign-up form, signing
up, and managing one's own place through the e-mailed link."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from sqlalchemy import select

from usht_events.catalogue import rules as catalogue_rules
from usht_events.catalogue.forms import CalendarFilterForm
from usht_events.catalogue.models import Event
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import signup, waitlist
from usht_events.registration.availability import Availability, availability_for
from usht_events.registration.forms import (
    CancelForm,
    SignUpForm,
    municipality_choices,
    signup_from,
)
from usht_events.registration.models import Registration
from usht_events.registration.places import counts_for_events, waitlist_position

blueprint = Blueprint("registration", __name__)


@blueprint.get("/events")
@blueprint.get("/")
def calendar():
    """Upcoming published events matching the filters, soonest first, a page at a time."""
    form = CalendarFilterForm.for_request(db.session, request.args)
    valid = form.validate()
    # Anything but a plain page number (say "¹", which str.isdigit accepts) means page 1.
    page_number = request.args.get("page", "1")
    if not (page_number.isascii() and page_number.isdigit() and 0 < int(page_number) < 10_000):
        page_number = "1"
    page_number = int(page_number)
    filters = form.to_filter() if valid else catalogue_rules.EventFilter()
    now = utcnow()
    page = catalogue_rules.find_events(
        db.session, filters, now, page_number, current_app.config["EVENTS_PER_PAGE"]
    )
    availability = availability_for(db.session, page.events, now)
    status = 200 if valid else 400
    return render_template(
        "registration/calendar.html", form=form, page=page, availability=availability
    ), status


@blueprint.get("/events/<int:event_id>")
def show_event(event_id: int):
    """The event, its sessions and rules in plain Norwegian, and the sign-up form."""
    event = catalogue_rules.public_event(db.session, event_id) or abort(404)
    form = SignUpForm(municipality_choices=municipality_choices(db.session, event))
    return render_event_page(event, form)


@blueprint.post("/events/<int:event_id>/register")
def register(event_id: int):
    """Sign up: redirect to the manage page, or show the form again with what went wrong.

    A valid form goes straight to the sign-up rule, which reads what it needs under the
    event's lock; the event page is loaded only when the form has to be shown again.
    """
    form = SignUpForm()
    if not form.validate_on_submit():
        return _show_form_again(event_id, form, 422)
    try:
        result = signup.sign_up(
            db.session,
            event_id,
            signup_from(form, locale=str(get_locale() or "nb")),
            utcnow(),
            current_app.config["BASE_URL"],
        )
    except DomainError as error:
        db.session.rollback()
        return _show_form_again(event_id, form, error.status, error)
    db.session.commit()
    if result.existing:
        # Anyone can type any address: say nothing about that person's place here.
        event = catalogue_rules.event_for_sign_up(db.session, event_id)
        return render_template("registration/already_registered.html", event=event)
    return redirect(url_for("registration.manage", token=result.token), 303)


def render_event_page(event: Event, form: SignUpForm, status: int = 200, error: str | None = None):
    """The event page with the sign-up form, after a GET or a refused POST."""
    availability = availability_for(db.session, [event], utcnow())[event.id]
    body = render_template(
        "registration/show_event.html",
        event=event,
        availability=availability,
        form=form,
        error=error,
    )
    return body, status


def _show_form_again(
    event_id: int, form: SignUpForm, status: int, error: DomainError | None = None
):
    """The event page with the posted form, its errors, and every municipality to pick from."""
    event = catalogue_rules.event_for_sign_up(db.session, event_id) or abort(404)
    if error and error.status == 404:
        abort(404)
    form.municipality.choices = municipality_choices(db.session, event)
    message = error.localised() if error else None
    if error and error.field in form:
        # Beside the field; the form's error summary lists it too.
        form[error.field].errors = [message]
        message = None
    return render_event_page(event, form, status, message)


def _registration_by_token(token: str) -> Registration:
    if len(token) > 64:
        abort(404)
    registration = db.session.scalar(select(Registration).where(Registration.token == token))
    return registration or abort(404)


@blueprint.get("/r/<token>")
def manage(token: str):
    """The person's own place: status, waiting-list position, calendar file, ticket, cancel."""
    registration = _registration_by_token(token)
    counts = counts_for_events(db.session, [registration.event_id])
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=registration.event,
        availability=Availability(registration.event, counts[registration.event_id], utcnow()),
        position=waitlist_position(db.session, registration),
    )


@blueprint.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    """Ask "are you sure?", then give up the place."""
    registration = _registration_by_token(token)
    if not registration.is_active:
        return redirect(url_for("registration.manage", token=token), 303)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            waitlist.cancel_registration(
                db.session, registration, utcnow(), current_app.config["BASE_URL"]
            )
        except DomainError as error:
            db.session.rollback()
            return render_template(
                "registration/cancel.html",
                registration=registration,
                form=form,
                error=error.localised(),
            ), error.status
        db.session.commit()
        flash(gettext("Du er meldt av. Takk for at du ga beskjed!"), "success")
        return redirect(url_for("registration.manage", token=token), 303)
    return render_template("registration/cancel.html", registration=registration, form=form)
