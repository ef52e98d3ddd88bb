"""What an organiser does to places from the participant list: cancel with a reason, give
a waiting place a seat, resend the mail, issue a new ticket, override completion, and each
of those that makes sense for a selection of people at once.

Each view loads through the access scopes (another centre's event is a 404), calls one
rule, commits once, and goes back to the list with a message that says what happened to
whom.
"""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue.access import manageable_event
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import completion, participants, selection, waitlist
from usht_events.registration.admin_forms import (
    COMPLETION_CHOICES,
    ActionForm,
    CancelRegistrationForm,
    CompletionForm,
    SelectionForm,
    selected_ids,
)
from usht_events.registration.models import Registration
from usht_events.registration.selection import SelectionOutcome

blueprint = Blueprint("places_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)

MANAGERS = (Role.ADMIN, Role.ORGANISER)


@blueprint.post("/registrations/<int:registration_id>/cancel")
@allow(*MANAGERS)
def cancel_registration(registration_id: int):
    """Cancel a place with the reason the person is mailed; the next who fits gets it."""
    registration = _manageable_registration(registration_id)
    name = registration.person.name
    form = CancelRegistrationForm()
    if not form.validate():
        refusal = gettext("%(name)s er ikke meldt av.", name=name)
        flash(" ".join([refusal, *map(str, form.reason.errors)]), "danger")
        return _back_to_list(registration.event_id)
    try:
        promoted = waitlist.cancel_registration(
            db.session,
            registration,
            utcnow(),
            _base_url(),
            actor=current_user,
            reason=form.reason.data,
        )
    except DomainError as error:
        return _refused(registration.event_id, error)
    db.session.commit()
    message = gettext("%(name)s er meldt av og får begrunnelsen på e-post.", name=name)
    flash(" ".join([message, *_promoted_sentence(promoted)]), "success")
    return _back_to_list(registration.event_id)


@blueprint.post("/registrations/<int:registration_id>/promote")
@allow(*MANAGERS)
def promote_registration(registration_id: int):
    """Give a waitlisted person a free seat now; without one, say to raise the capacity."""
    registration = _manageable_registration(registration_id)
    try:
        waitlist.promote_registration(
            db.session, registration, utcnow(), _base_url(), actor=current_user
        )
    except DomainError as error:
        return _refused(registration.event_id, error)
    db.session.commit()
    name = registration.person.name
    flash(gettext("%(name)s har fått plass og får beskjed på e-post.", name=name), "success")
    return _back_to_list(registration.event_id)


@blueprint.post("/registrations/<int:registration_id>/resend")
@allow(*MANAGERS)
def resend_confirmation(registration_id: int):
    """Send the confirmation with ticket (or the waiting-list mail) again."""
    registration = _manageable_registration(registration_id)
    try:
        message = participants.resend_confirmation(
            db.session, current_user, registration, _base_url(), utcnow()
        )
    except DomainError as error:
        return _refused(registration.event_id, error)
    db.session.commit()
    flash(
        gettext("E-posten er sendt på nytt til %(address)s.", address=message.to_address), "success"
    )
    return _back_to_list(registration.event_id)


@blueprint.post("/registrations/<int:registration_id>/ticket")
@allow(*MANAGERS)
def reissue_ticket(registration_id: int):
    """Revoke the ticket (a link or QR code gone astray) and mail a new one."""
    registration = _manageable_registration(registration_id)
    try:
        message = participants.reissue_ticket(
            db.session, current_user, registration, _base_url(), utcnow()
        )
    except DomainError as error:
        return _refused(registration.event_id, error)
    db.session.commit()
    sent = gettext(
        "Ny billett er sendt til %(address)s. Den gamle virker ikke lenger.",
        address=message.to_address,
    )
    flash(sent, "success")
    return _back_to_list(registration.event_id)


@blueprint.post("/registrations/<int:registration_id>/completion")
@allow(*MANAGERS)
def override_completion(registration_id: int):
    """Say a participant completed the event, or did not, whatever the attendance; a reason
    is required and the change is written to the event's log."""
    registration = db.session.get(Registration, registration_id) or abort(404)
    manageable_event(db.session, current_user, registration.event_id)
    form = CompletionForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "danger")
        return _back_to_list(registration.event_id)
    try:
        result = completion.override_completion(
            db.session,
            current_user,
            registration.id,
            COMPLETION_CHOICES[form.completed.data],
            form.reason.data or "",
            utcnow(),
        )
    except DomainError as error:
        return _refused(registration.event_id, error)
    db.session.commit()
    flash(_completion_sentence(registration.person.name, result), "success")
    return _back_to_list(registration.event_id)


@blueprint.post("/events/<int:event_id>/registrations/selection")
@allow(*MANAGERS)
def act_on_selection(event_id: int):
    """Message, give places to or cancel the people ticked on the list."""
    event = manageable_event(db.session, current_user, event_id)
    form = SelectionForm()
    ids = selected_ids(request.form.getlist("registration"))
    if ids is None:
        abort(400)
    if not form.validate_on_submit():
        flash(_first_error(form), "danger")
        return _back_to_list(event.id)
    if not ids:
        flash(gettext("Velg minst én deltaker i listen først."), "danger")
        return _back_to_list(event.id)
    if form.action.data == "message":
        return redirect(
            url_for("registration_admin.message_participants", event_id=event.id, registration=ids),
            303,
        )
    if form.action.data == "cancel" and not form.reason.data:
        flash(
            gettext("Skriv en begrunnelse til de valgte: den står i e-posten om avmeldingen."),
            "danger",
        )
        return _back_to_list(event.id)
    try:
        if form.action.data == "cancel":
            outcome = selection.cancel_registrations(
                db.session, event, ids, utcnow(), _base_url(), current_user, form.reason.data
            )
        else:
            outcome = selection.promote_registrations(
                db.session, event, ids, utcnow(), _base_url(), current_user
            )
    except DomainError as error:
        return _refused(event.id, error)
    db.session.commit()
    _flash_outcome(form.action.data, outcome)
    return _back_to_list(event.id)


def _flash_outcome(action: str, outcome: SelectionOutcome) -> None:
    """Who it was done for, who got a seat because of it, and who was refused why."""
    count = len(outcome.done)
    if action == "cancel":
        done = ngettext(
            "%(num)s er meldt av og får begrunnelsen på e-post.",
            "%(num)s er meldt av og får begrunnelsen på e-post.",
            count,
        )
        sentences = [done, *_promoted_sentence(outcome.promoted)]
    else:
        done = ngettext(
            "%(num)s har fått plass og får beskjed på e-post.",
            "%(num)s har fått plass og får beskjed på e-post.",
            count,
        )
        sentences = [done]
    if count:
        flash(" ".join(sentences), "success")
    for registration, error in outcome.refused:
        refused = gettext(
            "%(name)s: %(reason)s", name=registration.person.name, reason=error.localised()
        )
        flash(refused, "warning")


def _promoted_sentence(promoted: list[Registration]) -> list[str]:
    if not promoted:
        return []
    return [
        ngettext(
            "%(num)s fikk plass fra ventelisten og får beskjed på e-post.",
            "%(num)s fikk plass fra ventelisten og får beskjed på e-post.",
            len(promoted),
        )
    ]


def _completion_sentence(name: str, result) -> str:
    if result.overridden:
        if result.completed:
            return gettext("%(name)s står nå som fullført (overstyrt).", name=name)
        return gettext("%(name)s står nå som ikke fullført (overstyrt).", name=name)
    if result.completed:
        return gettext("%(name)s står nå som fullført etter oppmøtet.", name=name)
    return gettext("%(name)s står nå som ikke fullført etter oppmøtet.", name=name)


def _manageable_registration(registration_id: int) -> Registration:
    """The registration if the user may manage its event, else 404; the CSRF token checked."""
    registration = db.session.get(Registration, registration_id) or abort(404)
    manageable_event(db.session, current_user, registration.event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return registration


def _first_error(form) -> str:
    messages = [str(errors[0]) for name, errors in form.errors.items() if name != "csrf_token"]
    return (
        messages[0] if messages else gettext("Skjemaet var utløpt. Last inn siden og prøv igjen.")
    )


def _refused(event_id: int, error: DomainError):
    db.session.rollback()
    flash(error.localised(), "danger")
    return _back_to_list(event_id)


def _back_to_list(event_id: int):
    return redirect(url_for("registration_admin.list_registrations", event_id=event_id), 303)


def _base_url() -> str:
    return current_app.config["BASE_URL"]
