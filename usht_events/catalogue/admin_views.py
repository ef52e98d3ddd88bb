"""The organiser's event editor, the parts that concern the event alone: create, duplicate,
publish, and importing a programme.

Listing, editing, taking back to draft and cancelling concern the people signed up too, and
are in registration/event_admin_views.py. Each view loads the event through the access
scope (another centre's event is a 404), calls one rule, commits once.
"""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue import editing
from usht_events.catalogue.access import manageable_event
from usht_events.catalogue.admin_forms import ConfirmForm, DuplicateForm, build_draft
from usht_events.catalogue.admin_import import import_programme, import_template
from usht_events.catalogue.editor import (
    added_a_day,
    chosen_centre,
    event_form,
    render_event_form,
    show_problems,
)
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.timezones import format_day

blueprint = Blueprint("catalogue_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)
blueprint.add_url_rule("/events/import", view_func=import_programme, methods=["GET", "POST"])
blueprint.add_url_rule(
    "/events/import/template.<any(xlsx, csv):extension>", view_func=import_template
)

MANAGERS = (Role.ADMIN, Role.ORGANISER)


@blueprint.route("/events/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def new_event():
    """Create an event as a draft, with one or more days."""
    form = event_form()
    if not added_a_day(form) and form.validate_on_submit():
        try:
            draft = build_draft(db.session, form, chosen_centre(form))
            event = editing.create_event(db.session, current_user, draft, utcnow())
        except DomainError as error:
            db.session.rollback()
            show_problems(form, error)
        else:
            db.session.commit()
            flash(
                gettext("Arrangementet er lagret som utkast. Publiser det når det er klart."),
                "success",
            )
            return redirect(url_for("events_admin.edit_event", event_id=event.id))
    return render_event_form(form, None)


@blueprint.post("/events/<int:event_id>/duplicate")
@allow(*MANAGERS)
def duplicate_event(event_id: int):
    """Copy the event as a draft, moved by weeks or to a new first day; no registrations."""
    event = manageable_event(db.session, current_user, event_id)
    form = DuplicateForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "danger")
        return redirect(url_for("events_admin.edit_event", event_id=event.id))
    try:
        copy = editing.duplicate_event(
            db.session,
            current_user,
            event,
            utcnow(),
            weeks=form.weeks.data,
            first_day=form.first_day.data,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.localised(), "danger")
        return redirect(url_for("events_admin.edit_event", event_id=event.id))
    db.session.commit()
    day = format_day(copy.starts_at, str(get_locale() or "nb"))
    flash(
        gettext(
            "Kopien er lagret som utkast, med første dag %(day)s. Se over og publiser.", day=day
        ),
        "success",
    )
    return redirect(url_for("events_admin.edit_event", event_id=copy.id))


@blueprint.post("/events/<int:event_id>/publish")
@allow(*MANAGERS)
def publish_event(event_id: int):
    """Publish a draft: it shows in the calendar and opens for sign-up in its window."""
    event = manageable_event(db.session, current_user, event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        editing.publish_event(db.session, current_user, event.id, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.localised(), "danger")
    else:
        db.session.commit()
        flash(gettext("Arrangementet er publisert."), "success")
    return redirect(url_for("events_admin.edit_event", event_id=event_id))


def _first_error(form) -> str:
    messages = [errors[0] for name, errors in form.errors.items() if name != "csrf_token"]
    return str(messages[0]) if messages else gettext("Skjemaet var utløpt. Prøv igjen.")
