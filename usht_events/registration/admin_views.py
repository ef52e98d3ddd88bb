"""The organiser's participant pages: the list with its search and counts, the exports,
adding someone by hand, messages and the attendance sheet. What is done to places from the
list (cancelling, giving a seat, a selection at once) is in place_views.py.

Each view loads through the access scopes (another centre's event is a 404), calls one
rule, commits once, and answers with a redirect and a message or a page.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue.access import manageable_event
from usht_events.core.db import db, utcnow
from usht_events.core.downloads import attachment_headers, file_slug
from usht_events.core.errors import DomainError
from usht_events.core.timezones import to_oslo
from usht_events.registration import answers, completion, exports, listing, participants, signup
from usht_events.registration.admin_forms import (
    AddRegistrationForm,
    MessageForm,
    ParticipantListForm,
    selected_ids,
)
from usht_events.registration.forms import municipality_choices, signup_from, with_questions
from usht_events.registration.models import RegistrationSource, RegistrationStatus
from usht_events.registration.participants import Audience
from usht_events.registration.places import waitlist_positions

blueprint = Blueprint("registration_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)

MANAGERS = (Role.ADMIN, Role.ORGANISER)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.get("/events/<int:event_id>/registrations")
@allow(*MANAGERS)
def list_registrations(event_id: int):
    """Counts, the minimum, and the registrations found by the search, in the order asked
    for, each with its actions and a box to tick for acting on several at once."""
    event = manageable_event(db.session, current_user, event_id)
    filters = ParticipantListForm(request.args)
    valid = filters.validate()
    status = filters.chosen_status
    everyone = participants.event_registrations(db.session, event.id, status)
    found = listing.ordered(listing.matching(everyone, filters.search), filters.chosen_order)
    counts = participants.status_counts(db.session, event.id)
    body = render_template(
        "registration/admin/list_registrations.html",
        event=event,
        filters=filters,
        confirmed_count=counts[RegistrationStatus.CONFIRMED],
        waiting_count=counts[RegistrationStatus.WAITLISTED],
        registrations=found,
        shown_of=len(everyone),
        positions=_positions(event.id, status),
        status_counts=counts,
        attendance=participants.attendance_by_registration(db.session, event.id),
        municipality_counts=participants.municipality_counts(db.session, event.id),
        status=status,
        completions=completion.event_completions(db.session, event),
        required=completion.sessions_required(event),
        answers=answers.shown_answers(db.session, [item.id for item in found], gettext),
    )
    return body, 200 if valid else 400


@blueprint.get("/events/<int:event_id>/registrations.csv")
@allow(*MANAGERS)
def export_registrations_csv(event_id: int):
    """The list as CSV for Excel (semicolons, UTF-8 with BOM); ?status= narrows it."""
    event, table = _export_table(event_id)
    body = exports.registrations_csv(table.rows, table.header, table.heading)
    return _download(body, "text/csv; charset=utf-8", event, "csv")


@blueprint.get("/events/<int:event_id>/registrations.xlsx")
@allow(*MANAGERS)
def export_registrations_xlsx(event_id: int):
    """The list as an Excel workbook; ?status= narrows it."""
    event, table = _export_table(event_id)
    body = exports.registrations_xlsx(table.rows, event.title, table.header, table.heading)
    return _download(body, XLSX_TYPE, event, "xlsx")


@blueprint.route("/events/<int:event_id>/registrations/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def add_registration(event_id: int):
    """Register someone who signed up by phone or e-mail; they get the usual mail."""
    event = manageable_event(db.session, current_user, event_id)
    form_class = with_questions(AddRegistrationForm, event.questions, required=False)
    form = form_class(municipality_choices=municipality_choices(db.session, event))
    if form.validate_on_submit():
        try:
            result = signup.sign_up(
                db.session,
                event.id,
                signup_from(form, source=RegistrationSource.ORGANISER),
                utcnow(),
                _base_url(),
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            if error.field not in form:
                return _render_add(event, form, error.localised())
            form[error.field].errors.append(error.localised())
        else:
            db.session.commit()
            registration = result.registration
            added = gettext(
                "%(name)s er lagt til: %(status)s.",
                name=registration.person.name,
                status=gettext(registration.status.label),
            )
            flash(added, "success")
            return redirect(url_for(".list_registrations", event_id=event.id), 303)
    return _render_add(event, form)


@blueprint.route("/events/<int:event_id>/message", methods=["GET", "POST"])
@allow(*MANAGERS)
def message_participants(event_id: int):
    """E-mail everyone, the confirmed, the waitlisted, or the people ticked on the list
    (?registration=<id>&...): one outbox mail per person."""
    event = manageable_event(db.session, current_user, event_id)
    ids = selected_ids(request.values.getlist("registration"))
    if ids is None:
        abort(400)
    form = MessageForm()
    error = None
    if form.validate_on_submit():
        try:
            messages = participants.queue_message(
                db.session,
                current_user,
                event,
                None if ids else Audience(form.audience.data),
                form.subject.data,
                form.body.data,
                _base_url(),
                utcnow(),
                selected=ids or None,
            )
        except DomainError as refusal:
            db.session.rollback()
            error = refusal.localised()
        else:
            db.session.commit()
            queued = ngettext(
                "E-posten er lagt i kø til %(num)s mottaker.",
                "E-posten er lagt i kø til %(num)s mottakere.",
                len(messages),
            )
            flash(queued, "success")
            return redirect(url_for(".list_registrations", event_id=event.id), 303)
    counts = participants.audience_counts(db.session, event.id)
    chosen = _chosen_recipients(event, ids)
    body = render_template(
        "registration/admin/message_participants.html",
        event=event,
        form=form,
        counts={audience.value: count for audience, count in counts.items()},
        selected=chosen,
        selected_ids=ids,
        error=error,
    )
    return body, 422 if (form.errors or error) else 200


def _chosen_recipients(event, ids: list[int]):
    """The ticked people a message would reach; a forged or stale id is a 404."""
    if not ids:
        return None
    try:
        return participants.selected_recipients(db.session, event, ids)
    except DomainError as error:
        abort(error.status)


@blueprint.get("/events/<int:event_id>/attendance-sheet")
@allow(*MANAGERS)
def attendance_sheet(event_id: int):
    """The confirmed participants on paper, with a signature column per session."""
    event = manageable_event(db.session, current_user, event_id)
    return render_template(
        "registration/admin/attendance_sheet.html",
        event=event,
        registrations=participants.attendance_sheet_registrations(db.session, event.id),
        attendance=participants.attendance_by_registration(db.session, event.id),
    )


def _status_filter() -> RegistrationStatus | None:
    try:
        return RegistrationStatus(request.args.get("status", ""))
    except ValueError:
        return None


def _positions(event_id: int, status) -> dict[int, int]:
    """Places in line, counted on the whole list even when the page shows part of it."""
    if status not in (None, RegistrationStatus.WAITLISTED):
        return {}
    return waitlist_positions(db.session, event_id)


def _export_table(event_id: int):
    """The rows of ?status=, or every active place, the cancelled too only when asked
    (?with_cancelled=1)."""
    event = manageable_event(db.session, current_user, event_id)
    with_cancelled = request.args.get("with_cancelled") == "1"
    return event, exports.event_table(db.session, event, _status_filter(), with_cancelled)


def _download(body: bytes, mimetype: str, event, extension: str) -> Response:
    """The file, named after the event and its first day: pameldinger-<title>-<date>.<ext>."""
    first_day = f"-{to_oslo(event.starts_at):%Y-%m-%d}" if event.starts_at else ""
    stem = f"pameldinger-{file_slug(event.title)}{first_day}"
    return Response(body, mimetype=mimetype, headers=attachment_headers(f"{stem}.{extension}"))


def _render_add(event, form: AddRegistrationForm, error: str | None = None):
    body = render_template(
        "registration/admin/add_registration.html", event=event, form=form, error=error
    )
    return body, 422 if (form.errors or error) else 200


def _base_url() -> str:
    return current_app.config["BASE_URL"]
