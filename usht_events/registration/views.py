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

from usht_events.catalogue import rules as catalogue_rules
from usht_events.catalogue.forms import CalendarFilterForm
from usht_events.catalogue.models import Event
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.web import SUPPORTED_LOCALES
from usht_events.registration import answers, corrections, signup, waitlist
from usht_events.registration.availability import Availability, availability_for
from usht_events.registration.forms import (
    CancelForm,
    DetailsForm,
    SignUpForm,
    municipality_choices,
    posted_answers,
    signup_from,
    with_questions,
)
from usht_events.registration.models import Registration
from usht_events.registration.notifications import EXISTING_PLACE_PAUSE
from usht_events.registration.places import (
    counts_for_events,
    next_in_line,
    waiting_list,
    waitlist_position,
    waits_for_municipality,
)
from usht_events.registration.tickets import registration_by_link

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


# One rule per address, both methods on it: with a GET and a POST rule for one path,
# werkzeug answers an id out of range with 405 rather than 404.
@blueprint.route("/events/<int:event_id>", methods=["GET", "POST"])
def show_event(event_id: int):
    """The event, its sessions and rules in plain Norwegian, and the sign-up form.

    The form posts to the event page's own address, so a refused sign-up is answered here,
    with what was typed and the right status, and the address bar keeps an address that can
    be reloaded, shared or switched to English.
    """
    if request.method == "POST":
        return _sign_up_from_form(event_id)
    event = catalogue_rules.public_event(db.session, event_id) or abort(404)
    form_class = with_questions(SignUpForm, event.questions)
    form = form_class(municipality_choices=municipality_choices(db.session, event))
    return render_event_page(event, form)


@blueprint.route("/events/<int:event_id>/register", methods=["GET", "POST"])
def register(event_id: int):
    """Sign up from a form loaded before it posted to the event page; a GET here (a reload,
    a bookmark, the language switch) leads to the event page, in the language asked for."""
    if request.method == "POST":
        return _sign_up_from_form(event_id)
    catalogue_rules.public_event(db.session, event_id) or abort(404)
    lang = request.args.get("lang")
    target = url_for(
        "registration.show_event",
        event_id=event_id,
        lang=lang if lang in SUPPORTED_LOCALES else None,
    )
    return redirect(target, 303)


def _sign_up_from_form(event_id: int):
    """Sign up: redirect to the manage page, or show the form again with what went wrong.

    A valid form goes straight to the sign-up rule, which reads what it needs under the
    event's lock, the event's own questions too (only if it has any); the event page, and
    the form with those questions, are loaded only when the form has to be shown again.
    """
    if request.form.get("switch_language"):
        # The language switch on a refused form: the same form, its errors in the new
        # language; nothing is signed up.
        return _show_form_again(event_id, 200)
    form = SignUpForm()
    if not form.validate_on_submit():
        return _show_form_again(event_id, 422)
    posted = signup_from(
        form, locale=str(get_locale() or "nb"), answers=posted_answers(request.form)
    )
    try:
        result = signup.sign_up(
            db.session, event_id, posted, utcnow(), current_app.config["BASE_URL"]
        )
    except DomainError as error:
        db.session.rollback()
        error = signup.name_municipality(db.session, error)
        return _show_form_again(event_id, error.status, error)
    db.session.commit()
    if result.existing:
        # Anyone can type any address: say nothing about that person's place here.
        event = catalogue_rules.event_for_sign_up(db.session, event_id)
        return render_template(
            "registration/already_registered.html",
            event=event,
            link_sent=result.link_sent,
            pause_minutes=int(EXISTING_PLACE_PAUSE.total_seconds() // 60),
        )
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
        # What was typed goes along when the language is switched (base.html).
        language_switch_form="signup-form" if request.method == "POST" else None,
    )
    return body, status


def _show_form_again(event_id: int, status: int, error: DomainError | None = None):
    """The event page with the posted form, every error in it (the questions' too), and
    every municipality to pick from."""
    event = catalogue_rules.event_for_sign_up(db.session, event_id) or abort(404)
    if error and error.status == 404:
        abort(404)
    form = with_questions(SignUpForm, event.questions)()
    form.validate()
    form.municipality.choices = municipality_choices(db.session, event)
    # Beside the field, where it has one; the form's error summary lists it too.
    message = _beside_field(form, error) if error else None
    return render_event_page(event, form, status, message)


def _registration_by_token(token: str) -> Registration:
    return registration_by_link(db.session, token) or abort(404)


@blueprint.get("/r/<token>")
def manage(token: str):
    """The person's own place: status, waiting-list position, calendar file, ticket, cancel."""
    registration = _registration_by_token(token)
    counts = counts_for_events(db.session, [registration.event_id])
    for_municipality = waits_for_municipality(db.session, registration)
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=registration.event,
        availability=Availability(registration.event, counts[registration.event_id], utcnow()),
        position=waitlist_position(db.session, registration, in_municipality=for_municipality),
        waits_for_municipality=for_municipality,
        answers=answers.shown_answers(db.session, [registration.id], gettext)[registration.id],
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
            return _cancel_page(registration, form, error.localised()), error.status
        db.session.commit()
        flash(gettext("Du er meldt av. Takk for at du ga beskjed!"), "success")
        return redirect(url_for("registration.manage", token=token), 303)
    return _cancel_page(registration, form)


def _cancel_page(registration: Registration, form: CancelForm, error: str | None = None) -> str:
    """The question, saying truly who gets the place: the next in line, or nobody yet."""
    return render_template(
        "registration/cancel.html",
        registration=registration,
        form=form,
        error=error,
        next_in_line=next_in_line(db.session, registration),
        anyone_waiting=bool(waiting_list(db.session, registration.event_id)),
    )


@blueprint.route("/r/<token>/details", methods=["GET", "POST"])
def correct_details(token: str):
    """The person corrects their name, phone, workplace and needs (and the municipality, where
    it decides nothing); the e-mail address is who they are and stays."""
    registration = _registration_by_token(token)
    if not registration.is_active:
        return redirect(url_for("registration.manage", token=token), 303)
    event = registration.event
    municipalities = (
        municipality_choices(db.session, event)
        if corrections.municipality_changeable(event)
        else None
    )
    formdata = request.form if request.method == "POST" else None
    form = DetailsForm.for_registration(registration, municipalities, formdata)
    error, status = None, 200
    if request.method == "POST" and form.validate():
        try:
            changed = corrections.correct_details(
                db.session, registration, form.details(), utcnow()
            )
        except DomainError as refusal:
            db.session.rollback()
            error, status = _beside_field(form, refusal), refusal.status
        else:
            db.session.commit()
            flash(_details_saved_message(changed), "success")
            return redirect(url_for("registration.manage", token=token), 303)
    body = render_template(
        "registration/correct_details.html",
        registration=registration,
        event=event,
        form=form,
        error=error,
    )
    return body, 422 if status == 200 and form.errors else status


def _beside_field(form, refusal: DomainError) -> str | None:
    """Put a refusal beside its field; return it when it concerns the form as a whole."""
    message = refusal.localised()
    if refusal.field in form:
        form[refusal.field].errors = [message]
        return None
    return message


def _details_saved_message(changed: list[str]) -> str:
    if not changed:
        return gettext("Ingenting ble endret: opplysningene var de samme som før.")
    return gettext("Opplysningene dine er oppdatert. Arrangøren ser de nye opplysningene.")
