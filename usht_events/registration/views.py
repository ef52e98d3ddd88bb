"""Signing up, and managing one's own registration through the e-mailed link."""

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
from flask_babel import get_locale
from sqlalchemy import select

from usht_events.catalogue import rules as catalogue_rules
from usht_events.catalogue.views import render_event_page
from usht_events.core.db import db, sqlite_begin_mode, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import notifications, rules
from usht_events.registration.availability import Availability
from usht_events.registration.forms import (
    CancelForm,
    SignUpForm,
    municipality_choices,
    only_choice,
    posted_municipality,
)
from usht_events.registration.models import Profession, Registration

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


@blueprint.post("/events/<int:event_id>/register")
def register(event_id: int):
    """Sign up: redirect to the manage page, or show the form again with what went wrong."""
    probe = _probe()
    if probe.skip_lock:
        # The control run drops SQLite's lock too (BEGIN DEFERRED) before the first query;
        # the request teardown restores the begin mode.
        sqlite_begin_mode.set("DEFERRED")
    # The sign-up needs only the days and eligibility; the rest loads if the form comes back.
    event = catalogue_rules.event_for_sign_up(db.session, event_id) or abort(404)
    # Held for the whole request: rules.register then finds it in the session.
    chosen = posted_municipality(db.session, event, request.form.get("municipality"))
    form = SignUpForm(municipality_choices=only_choice(chosen))
    if not form.validate_on_submit():
        return _show_form_again(event, form, 422)
    now = utcnow()
    try:
        result = rules.register(db.session, event.id, _signup_from(form), now, probe)
    except DomainError as error:
        db.session.rollback()
        return _show_form_again(event, form, REFUSAL_STATUS.get(error.code, 409), error.message)
    _notify_sign_up(result, now)
    # Read before the commit expires it: saves a query per sign-up.
    token = result.registration.token
    db.session.commit()
    if result.existing:
        # Anyone can type any address: say nothing about that person's place here.
        return render_template("registration/already_registered.html", event=event)
    return redirect(url_for("registration.manage", token=token), 303)


def _notify_sign_up(result: rules.SignUpResult, now) -> None:
    """Queue the mails a sign-up causes, in its transaction.

    The new place's own mail is queued empty and written by the outbox worker: its calendar
    files and QR code cost more than the rest of the sign-up, and a popular course opening
    should not wait for them.
    """
    base_url = current_app.config["BASE_URL"]
    event = result.registration.event
    if result.created and event.threshold_reached_at == now:
        notifications.notify_threshold_reached(db.session, event, base_url, now)
    notifications.notify_signed_up(db.session, result, base_url, now, defer=True)


def _show_form_again(event, form: SignUpForm, status: int, error: str | None = None):
    form.municipality.choices = municipality_choices(db.session, event)
    return render_event_page(event, form, status, error)


def _signup_from(form: SignUpForm) -> rules.SignUp:
    return rules.SignUp(
        name=form.name.data,
        email=form.email.data.lower(),
        phone=form.phone.data or "",
        municipality_number=form.municipality.data,
        workplace=form.workplace.data,
        profession=Profession(form.profession.data),
        needs=form.needs.data or "",
        locale=str(get_locale() or "nb"),
        idempotency_key=form.idempotency_key,
    )


def _probe() -> rules.RaceProbe:
    """The concurrency tests' control run switches the lock off; nothing else does."""
    config = current_app.config
    if not (config["DEBUG_SIGNUP_SKIP_LOCK"] or config["DEBUG_SIGNUP_PAUSE"]):
        return rules.NO_PROBE
    return rules.RaceProbe(config["DEBUG_SIGNUP_SKIP_LOCK"], config["DEBUG_SIGNUP_PAUSE"])


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
                error=error.message,
            ), 409
        base_url = current_app.config["BASE_URL"]
        notifications.notify_cancelled_by_participant(db.session, registration, base_url, now)
        notifications.notify_promoted(db.session, promoted, base_url, now)
        db.session.commit()
        flash("Du er meldt av. Takk for at du ga beskjed!", "success")
        return redirect(url_for("registration.manage", token=token), 303)
    return render_template("registration/cancel.html", registration=registration, form=form)
