"""The organiser's event pages that concern the people signed up: the events list with how
full each is, editing (a new time or place is mailed, a raised cap promotes), taking an
event back to draft, cancelling it, and the go/no-go decision at the minimum.

Creating, duplicating and publishing are in catalogue/admin_views.py. Each view loads the
event through the access scope (another centre's event is a 404), calls one use case,
commits once, and answers with a redirect and a message or a page.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue.access import event_scope, manageable_event
from usht_events.catalogue.admin_forms import CancelForm, ConfirmForm, build_draft
from usht_events.catalogue.editor import (
    added_a_day,
    chosen_centre,
    event_form,
    render_event_form,
    show_problems,
)
from usht_events.catalogue.forms import ManagedEventFilterForm
from usht_events.catalogue.models import Event, EventStatus
from usht_events.catalogue.rules import ManagedEventFilter, managed_events
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.forms import BaseForm, strip_text
from usht_events.registration import decisions, event_changes
from usht_events.registration.availability import Availability
from usht_events.registration.event_changes import EventUpdate
from usht_events.registration.forms import SignUpForm, municipality_choices, with_questions
from usht_events.registration.places import active_count, confirmed_count, counts_for_events

blueprint = Blueprint("events_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)

MANAGERS = (Role.ADMIN, Role.ORGANISER)
REASON_REQUIRED = "Skriv hvorfor arrangementet avlyses. Deltakerne får begrunnelsen på e-post."


class DecisionForm(BaseForm):
    """Confirm that an event runs, or cancel it with a reason the participants read."""

    decision = SelectField(
        "Beslutning",
        choices=[SelectChoice("confirm", "Gjennomføres"), SelectChoice("cancel", "Avlyses")],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        "Begrunnelse til deltakerne",
        filters=[strip_text],
        validators=[Length(max=1000)],
    )


@blueprint.get("/events")
@allow(*MANAGERS)
def list_events():
    """The user's events in every status, searchable and filtered, with fill and deadlines."""
    form = ManagedEventFilterForm(request.args)
    valid = form.validate()
    filters = form.to_filter() if valid else ManagedEventFilter()
    events = managed_events(db.session, event_scope(current_user), filters, utcnow())
    body = render_template(
        "catalogue/admin/list_events.html",
        form=form,
        events=events,
        counts=counts_for_events(db.session, [event.id for event in events]),
    )
    return body, 200 if valid else 400


@blueprint.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@allow(*MANAGERS)
def edit_event(event_id: int):
    """Change any field; participants hear of a new time or place, the promoted of their seat."""
    event = manageable_event(db.session, current_user, event_id)
    form = event_form(event)
    if event.is_cancelled or added_a_day(form) or not form.validate_on_submit():
        return _render_edit(form, event)
    try:
        draft = build_draft(db.session, form, chosen_centre(form), event)
        update = event_changes.update_event(
            db.session, current_user, event.id, draft, utcnow(), _base_url()
        )
    except DomainError as error:
        db.session.rollback()
        show_problems(form, error)
        return _render_edit(form, event)
    db.session.commit()
    flash(_saved_message(update), "success")
    return redirect(url_for(".edit_event", event_id=event.id))


@blueprint.get("/events/<int:event_id>/preview")
@allow(*MANAGERS)
def preview_event(event_id: int):
    """The public event page as it will look once published; a draft too. Nothing posts."""
    event = manageable_event(db.session, current_user, event_id)
    counts = counts_for_events(db.session, [event.id])[event.id]
    form_class = with_questions(SignUpForm, event.questions)
    form = form_class(municipality_choices=municipality_choices(db.session, event))
    return render_template(
        "registration/show_event.html",
        event=event,
        availability=Availability(event, counts, utcnow(), as_published=True),
        form=form,
        error=None,
        preview=True,
    )


@blueprint.post("/events/<int:event_id>/unpublish")
@allow(*MANAGERS)
def unpublish_event(event_id: int):
    """Take a published event back to draft, only while nobody has signed up."""
    event = manageable_event(db.session, current_user, event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        event_changes.unpublish_event(db.session, current_user, event.id, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.localised(), "danger")
    else:
        db.session.commit()
        flash(gettext("Arrangementet er gjort om til utkast."), "success")
    return redirect(url_for(".edit_event", event_id=event_id))


@blueprint.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@allow(*MANAGERS)
def cancel_event(event_id: int):
    """Ask for a reason, then cancel: everyone with a place or on the waiting list is told."""
    event = manageable_event(db.session, current_user, event_id)
    if event.is_cancelled:
        flash(gettext("Arrangementet er allerede avlyst."), "info")
        return redirect(url_for(".edit_event", event_id=event.id))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            told = event_changes.cancel_event(
                db.session, event.id, form.reason.data, utcnow(), _base_url(), actor=current_user
            )
        except DomainError as error:
            # Another organiser cancelled it a moment before: say so, calmly.
            db.session.rollback()
            flash(error.localised(), "info")
            return redirect(url_for(".edit_event", event_id=event.id))
        db.session.commit()
        flash(
            ngettext(
                "Arrangementet er avlyst, og %(num)s påmeldte har fått e-post.",
                "Arrangementet er avlyst, og %(num)s påmeldte har fått e-post.",
                told,
            ),
            "success",
        )
        return redirect(url_for(".edit_event", event_id=event.id))
    body = render_template(
        "catalogue/admin/cancel_event.html",
        event=event,
        form=form,
        # A draft has nobody to tell (cancel_event says so too).
        told=active_count(db.session, event.id) if event.status != EventStatus.DRAFT else 0,
        tab="edit",
    )
    return body, 400 if form.errors else 200


@blueprint.post("/events/<int:event_id>/decision")
@allow(*MANAGERS)
def decide_event(event_id: int):
    """Confirm that the event runs, or cancel it after a step that asks for the reason."""
    event = manageable_event(db.session, current_user, event_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.decision.errors:
            abort(400)
        return _cancel_step(event, form), 400
    if form.decision.data == "confirm":
        return _decided(decisions.confirm_event, event, "gjennomføres")
    try:
        decisions.check_undecided(event)
    except DomainError as error:
        return _refused(error)
    if "reason" not in request.form:
        participants = confirmed_count(db.session, event.id)
        form.reason.data = decisions.too_few_reason(participants, event.min_participants)
        return _cancel_step(event, form)
    if not form.reason.data:
        form.reason.errors.append(REASON_REQUIRED)
        return _cancel_step(event, form), 400
    return _decided(decisions.cancel_undecided_event, event, "er avlyst", form.reason.data)


def _decided(decide, event: Event, outcome: str, *reason: str):
    """Run the decision, commit, and tell the organiser how many participants hear of it."""
    try:
        told = decide(db.session, event.id, *reason, utcnow(), _base_url(), actor=current_user)
    except DomainError as error:
        return _refused(error)
    db.session.commit()
    flash(f"«{event.title}» {outcome}. {_told(told)}", "success")
    return redirect(url_for("dashboard.index"))


def _cancel_step(event: Event, form: DecisionForm) -> str:
    form.decision.data = "cancel"
    counts = counts_for_events(db.session, [event.id])[event.id]
    return render_template("dashboard/decide_event.html", event=event, form=form, counts=counts)


def _refused(error: DomainError):
    db.session.rollback()
    flash(error.localised(), "warning")
    return redirect(url_for("dashboard.index"))


def _told(mails: int) -> str:
    if mails == 0:
        return "Ingen påmeldte å gi beskjed til."
    return f"{mails} påmeldte får beskjed på e-post." if mails > 1 else "Én påmeldt får beskjed."


def _saved_message(update: EventUpdate) -> str:
    if not update.changed:
        return gettext("Ingen endringer å lagre.")
    parts = [gettext("Endringene er lagret.")]
    if update.told_of_change:
        parts.append(gettext("De påmeldte har fått e-post om ny tid eller nytt sted."))
    if promoted := len(update.promoted):
        parts.append(
            ngettext(
                "%(num)s fikk plass fra ventelisten og har fått e-post.",
                "%(num)s fikk plass fra ventelisten og har fått e-post.",
                promoted,
            )
        )
    return " ".join(parts)


def _render_edit(form, event: Event):
    return render_event_form(form, event, active=active_count(db.session, event.id))


def _base_url() -> str:
    return current_app.config["BASE_URL"]
