"""The organiser's event editor: list, create, edit, duplicate, publish, unpublish, cancel.

Each view loads the event through the access scope (another centre's event is a 404),
calls one rule, queues the participants' mails and the audit entry, and commits once.
"""

from itertools import groupby

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from usht_events.accounts.access import allow, enforce_declared_roles, event_scope, manageable_event
from usht_events.accounts.models import Role
from usht_events.catalogue import editing
from usht_events.catalogue.admin_forms import (
    MAX_SESSIONS,
    CancelForm,
    ConfirmForm,
    DuplicateForm,
    EventForm,
    build_draft,
)
from usht_events.catalogue.admin_import import import_programme
from usht_events.catalogue.changes import cancel_event as cancel_event_rule
from usht_events.catalogue.editing import Problem, active_registration_count
from usht_events.catalogue.models import Event, EventStatus, FocusArea, Series, Session
from usht_events.certification.models import CertificationKind
from usht_events.core.audit import record_action
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.timezones import format_day
from usht_events.organisations.models import Centre, Municipality, centre_municipality
from usht_events.registration.notifications import (
    notify_event_cancelled,
    notify_event_changed,
    notify_promoted,
)
from usht_events.registration.rules import counts_for_events

blueprint = Blueprint("catalogue_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)
blueprint.add_url_rule("/events/import", view_func=import_programme, methods=["GET", "POST"])

WHEN_CHOICES = {"upcoming": "Kommende", "past": "Tidligere", "all": "Alle"}
# Which form field a rule's refusal without its own field belongs to.
ERROR_FIELDS = {
    "capacity_below_confirmed": "capacity",
    "invalid_capacity": "capacity",
    "sessions_removed": "sessions",
    "invalid_session": "sessions",
}


@blueprint.get("/events")
@allow(Role.ADMIN, Role.ORGANISER)
def list_events():
    """The user's events in every status, by start, with confirmed, capacity and waiting."""
    status = request.args.get("status", "")
    status = status if status in {item.value for item in EventStatus} else ""
    when = request.args.get("when", "upcoming")
    when = when if when in WHEN_CHOICES else "upcoming"
    events = _listed_events(status, when)
    return render_template(
        "catalogue/admin/list_events.html",
        events=events,
        counts=counts_for_events(db.session, [event.id for event in events]),
        status=status,
        when=when,
        statuses=list(EventStatus),
        when_choices=WHEN_CHOICES,
    )


def _listed_events(status: str, when: str) -> list[Event]:
    first = _session_bound(func.min(Session.starts_at))
    last = _session_bound(func.max(Session.ends_at))
    query = (
        select(Event)
        .where(event_scope(current_user))
        .options(selectinload(Event.sessions), selectinload(Event.centre))
    )
    if status:
        query = query.where(Event.status == status)
    now = utcnow()
    if when == "upcoming":
        query = query.where(or_(last.is_(None), last >= now))
    elif when == "past":
        query = query.where(last < now)
    order = first.desc() if when == "past" else first.asc()
    return list(db.session.scalars(query.order_by(order, Event.id)))


def _session_bound(aggregate):
    return select(aggregate).where(Session.event_id == Event.id).scalar_subquery()


@blueprint.route("/events/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.ORGANISER)
def new_event():
    """Create an event as a draft, with one or more days."""
    form = _event_form()
    if not _added_a_day(form) and form.validate_on_submit():
        try:
            event = editing.create_event(
                db.session, build_draft(db.session, form, _centre(form)), utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            _show_problems(form, error)
        else:
            summary = f"Opprettet «{event.title}» som utkast."
            record_action(db.session, current_user, "event.create", summary, event.id)
            db.session.commit()
            flash("Arrangementet er lagret som utkast. Publiser det når det er klart.", "success")
            return redirect(url_for(".edit_event", event_id=event.id))
    return _render_form(form, None)


@blueprint.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.ORGANISER)
def edit_event(event_id: int):
    """Change any field; participants hear of a new time or place, the promoted of their seat."""
    event = manageable_event(db.session, current_user, event_id)
    form = _event_form(event)
    if event.is_cancelled or _added_a_day(form) or not form.validate_on_submit():
        return _render_form(form, event)
    now = utcnow()
    try:
        draft = build_draft(db.session, form, _centre(form), event)
        update = editing.update_event(db.session, event, draft, now)
    except DomainError as error:
        db.session.rollback()
        _show_problems(form, error)
        return _render_form(form, event)
    base_url = current_app.config["BASE_URL"]
    if update.notify_changed:
        notify_event_changed(db.session, event, base_url, now)
    if update.promoted:
        notify_promoted(db.session, update.promoted, base_url, now)
    if update.changed:
        record_action(db.session, current_user, "event.update", update.summary, event.id)
    db.session.commit()
    flash(_saved_message(update), "success")
    return redirect(url_for(".edit_event", event_id=event.id))


def _saved_message(update) -> str:
    if not update.changed:
        return "Ingen endringer å lagre."
    told = (
        " De påmeldte har fått e-post om ny tid eller nytt sted." if update.notify_changed else ""
    )
    promoted = len(update.promoted)
    moved = f" {promoted} fikk plass fra ventelisten og har fått e-post." if promoted else ""
    return f"Endringene er lagret.{told}{moved}"


@blueprint.post("/events/<int:event_id>/duplicate")
@allow(Role.ADMIN, Role.ORGANISER)
def duplicate_event(event_id: int):
    """Copy the event as a draft, moved by weeks or to a new first day; no registrations."""
    event = manageable_event(db.session, current_user, event_id)
    form = DuplicateForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "danger")
        return redirect(url_for(".edit_event", event_id=event.id))
    try:
        weeks, first_day = form.weeks.data, form.first_day.data
        copy = editing.duplicate_event(
            db.session, event, utcnow(), weeks=weeks, first_day=first_day
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for(".edit_event", event_id=event.id))
    day = format_day(copy.starts_at)
    summary = f"Kopiert fra «{event.title}» (nr. {event.id}); første dag {day}."
    record_action(db.session, current_user, "event.duplicate", summary, copy.id)
    db.session.commit()
    flash(f"Kopien er lagret som utkast, med første dag {day}. Se over og publiser.", "success")
    return redirect(url_for(".edit_event", event_id=copy.id))


def _first_error(form) -> str:
    messages = [errors[0] for name, errors in form.errors.items() if name != "csrf_token"]
    return messages[0] if messages else "Skjemaet var utløpt. Prøv igjen."


@blueprint.post("/events/<int:event_id>/publish")
@allow(Role.ADMIN, Role.ORGANISER)
def publish_event(event_id: int):
    """Publish a draft: it shows in the calendar and opens for sign-up in its window."""
    return _change_status(event_id, editing.publish_event, "event.publish", "Publiserte.")


@blueprint.post("/events/<int:event_id>/unpublish")
@allow(Role.ADMIN, Role.ORGANISER)
def unpublish_event(event_id: int):
    """Take a published event back to draft, only while nobody has signed up."""
    return _change_status(
        event_id, editing.unpublish_event, "event.unpublish", "Gjorde om til utkast."
    )


def _change_status(event_id: int, rule, action: str, summary: str):
    event = manageable_event(db.session, current_user, event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        rule(db.session, event, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        record_action(db.session, current_user, action, summary, event.id)
        db.session.commit()
        done = "publisert" if action == "event.publish" else "gjort om til utkast"
        flash(f"Arrangementet er {done}.", "success")
    return redirect(url_for(".edit_event", event_id=event_id))


@blueprint.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.ORGANISER)
def cancel_event(event_id: int):
    """Ask for a reason, then cancel: everyone with a place or on the waiting list is told."""
    event = manageable_event(db.session, current_user, event_id)
    if event.is_cancelled:
        flash("Arrangementet er allerede avlyst.", "info")
        return redirect(url_for(".edit_event", event_id=event.id))
    form = CancelForm()
    if form.validate_on_submit():
        now = utcnow()
        must_tell = cancel_event_rule(db.session, event, form.reason.data, now)
        base_url = current_app.config["BASE_URL"]
        told = notify_event_cancelled(db.session, event, base_url, now) if must_tell else []
        summary = f"Avlyste arrangementet; {len(told)} fikk e-post. Begrunnelse: {form.reason.data}"
        record_action(db.session, current_user, "event.cancel", summary, event.id)
        db.session.commit()
        flash(f"Arrangementet er avlyst, og {len(told)} påmeldte har fått e-post.", "success")
        return redirect(url_for(".edit_event", event_id=event.id))
    body = render_template(
        "catalogue/admin/cancel_event.html",
        event=event,
        form=form,
        # A draft has nobody to tell (cancel_event says so too).
        told=active_registration_count(db.session, event.id)
        if event.status != EventStatus.DRAFT
        else 0,
        tab="edit",
    )
    return body, 400 if form.errors else 200


# The event form


def _event_form(event: Event | None = None) -> EventForm:
    form = EventForm()
    is_admin = current_user.role == Role.ADMIN
    centres = _all(select(Centre).order_by(Centre.name)) if is_admin else []
    series = select(Series).join(Series.centre).order_by(Centre.name, Series.name)
    if not is_admin:
        series = series.where(Series.centre_id == current_user.centre_id)
    form.set_choices(
        centres,
        _all(select(FocusArea).order_by(FocusArea.name)),
        _all(series),
        _all(select(CertificationKind).order_by(CertificationKind.name)),
        _eligible_choices(event),
    )
    if not is_admin:
        del form.centre
    if event is not None and not form.is_submitted():
        form.fill_from(event)
    return form


def _all(query) -> list:
    return list(db.session.scalars(query))


def _eligible_choices(event: Event | None) -> list[Municipality]:
    """The regions of the user's centre (every centre for administrators), plus those chosen."""
    region = select(centre_municipality.c.municipality_number)
    if current_user.role != Role.ADMIN:
        region = region.where(centre_municipality.c.centre_id == current_user.centre_id)
    chosen = [m.number for m in event.eligible_municipalities] if event else []
    return _all(
        select(Municipality)
        .where(or_(Municipality.number.in_(region), Municipality.number.in_(chosen)))
        .order_by(Municipality.county_name, Municipality.name)
    )


def _centre(form: EventForm) -> Centre:
    if current_user.role == Role.ADMIN:
        return db.session.get(Centre, int(form.centre.data))
    return db.session.get(Centre, current_user.centre_id)


def _added_a_day(form: EventForm) -> bool:
    """«Legg til dag» re-renders the form with one more row; nothing is saved."""
    if not (form.is_submitted() and form.add_session.data):
        return False
    if len(form.sessions.entries) < MAX_SESSIONS:
        form.sessions.append_entry()
    return True


def _show_problems(form: EventForm, error: DomainError) -> None:
    problems = error.details.get("problems") or [
        Problem(error.code, ERROR_FIELDS.get(error.code, "title"), error.message)
    ]
    for problem in problems:
        form.add_problem(problem)


def _render_form(form: EventForm, event: Event | None):
    counties = [
        (county, list(items))
        for county, items in groupby(form.eligible.choices, key=lambda choice: choice.optgroup)
    ]
    error_links = form.error_links()
    body = render_template(
        "catalogue/admin/edit_event.html",
        form=form,
        event=event,
        counties=counties,
        chosen=set(form.eligible.data or []),
        error_links=error_links,
        duplicate_form=DuplicateForm(formdata=None),
        active=active_registration_count(db.session, event.id) if event else 0,
        tab="edit",
    )
    return body, 400 if error_links else 200
