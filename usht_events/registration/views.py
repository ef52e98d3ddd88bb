"""Signing up, and managing one's own registration through the e-mailed link."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import get_locale, gettext
from sqlalchemy import select

from usht_events.catalogue import rules as catalogue_rules
from usht_events.catalogue.models import Event
from usht_events.catalogue.views import render_event_page
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import notifications, rules
from usht_events.registration.availability import Availability
from usht_events.registration.forms import (
    CancelForm,
    SignUpForm,
    municipality_choices,
    signup_from,
)
from usht_events.registration.models import Registration

blueprint = Blueprint("registration", __name__)

# HTTP status for each refusal: the request was fine, the event's state says no.
REFUSAL_STATUS = {
    "full": 409,
    "closed": 409,
    "not_yet_open": 409,
    "past": 409,
    "cancelled": 409,
    "not_eligible": 403,
    "unknown_municipality": 422,
    "not_found": 404,
}


# Refusals that concern the municipality chosen: shown beside that field.
MUNICIPALITY_REFUSALS = {"unknown_municipality", "not_eligible"}


@blueprint.post("/events/<int:event_id>/register")
def register(event_id: int):
    """Sign up: redirect to the manage page, or show the form again with what went wrong.

    A valid form goes straight to the sign-up rule, which reads what it needs under the
    event's lock; the event page is loaded only when the form has to be shown again.
    """
    form = SignUpForm()
    if not form.validate_on_submit():
        return _show_form_again(event_id, form, 422)
    now = utcnow()
    try:
        signup = signup_from(form, locale=str(get_locale() or "nb"))
        result = rules.register(db.session, event_id, signup, now)
    except DomainError as error:
        db.session.rollback()
        return _show_form_again(event_id, form, REFUSAL_STATUS.get(error.code, 409), error)
    _notify_sign_up(result, now)
    db.session.commit()
    if result.existing:
        # Anyone can type any address: say nothing about that person's place here.
        event = catalogue_rules.event_for_sign_up(db.session, event_id)
        return render_template("registration/already_registered.html", event=event)
    return redirect(url_for("registration.manage", token=result.token), 303)


def _notify_sign_up(result: rules.SignUpResult, now) -> None:
    """Queue the mails a sign-up causes, in its transaction."""
    base_url = current_app.config["BASE_URL"]
    if result.threshold_reached:
        event = db.session.get_one(Event, result.event_id)
        notifications.notify_threshold_reached(db.session, event, base_url, now)
    notifications.queue_sign_up_mail(db.session, result, base_url, now)


def _show_form_again(
    event_id: int, form: SignUpForm, status: int, error: DomainError | None = None
):
    """The event page with the posted form, its errors, and every municipality to pick from."""
    event = catalogue_rules.event_for_sign_up(db.session, event_id) or abort(404)
    if error and error.code == "not_found":
        abort(404)
    form.municipality.choices = municipality_choices(db.session, event)
    message = gettext(error.message) if error else None
    if error and error.code in MUNICIPALITY_REFUSALS:
        # Beside the field; the form's error summary lists it too.
        form.municipality.errors = [message]
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
    counts = rules.counts_for_events(db.session, [registration.event_id])
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=registration.event,
        availability=Availability(registration.event, counts[registration.event_id], utcnow()),
        position=rules.waitlist_position(db.session, registration),
    )


@blueprint.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    """Ask "are you sure?", then give up the place."""
    registration = _registration_by_token(token)
    if not registration.is_active:
        return redirect(url_for("registration.manage", token=token), 303)
    form = CancelForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            promoted = rules.cancel(db.session, registration, now)
        except DomainError as error:
            db.session.rollback()
            return render_template(
                "registration/cancel.html",
                registration=registration,
                form=form,
                error=gettext(error.message),
            ), 409
        base_url = current_app.config["BASE_URL"]
        notifications.notify_cancelled_by_participant(db.session, registration, base_url, now)
        notifications.notify_promoted(db.session, promoted, base_url, now)
        db.session.commit()
        flash(gettext("Du er meldt av. Takk for at du ga beskjed!"), "success")
        return redirect(url_for("registration.manage", token=token), 303)
    return render_template("registration/cancel.html", registration=registration, form=form)
