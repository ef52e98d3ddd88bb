"""The organiser's participant pages: list and counts, exports, adding by hand, cancelling,
moving from the waiting list, resending, messages and the attendance sheet.

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
from flask_login import current_user
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue.access import manageable_event
from usht_events.core.db import db, utcnow
from usht_events.core.downloads import attachment_headers, file_slug
from usht_events.core.errors import DomainError
from usht_events.core.forms import BaseForm, strip_text
from usht_events.core.timezones import format_date_span, to_oslo
from usht_events.registration import completion, exports, participants, signup, waitlist
from usht_events.registration.forms import (
    SignUpForm,
    email_field,
    municipality_choices,
    municipality_field,
    name_field,
    profession_field,
    signup_from,
    workplace_field,
)
from usht_events.registration.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from usht_events.registration.participants import Audience
from usht_events.registration.places import waitlist_positions

blueprint = Blueprint("registration_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)

MANAGERS = (Role.ADMIN, Role.ORGANISER)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ActionForm(BaseForm):
    """Only the CSRF token: the action is the button itself."""


class AddRegistrationForm(SignUpForm):
    """The sign-up form, worded for the organiser who fills it in for someone else."""

    name = name_field("Skriv inn navnet til personen.")
    email = email_field("Skriv inn e-postadressen til personen.")
    municipality = municipality_field("Velg kommunen personen jobber i.")
    workplace = workplace_field("Skriv inn arbeidsstedet, f.eks. Mysen sykehjem.")
    profession = profession_field("Velg yrket til personen.")
    consent = BooleanField(
        "Personen har samtykket til at opplysningene lagres og brukes til å gjennomføre "
        "arrangementet.",
        validators=[DataRequired("Bekreft at personen har samtykket.")],
    )


# The override form's choices: completed, not completed, or back to the attendance.
COMPLETION_CHOICES = {"yes": True, "no": False, "attendance": None}


class CompletionForm(BaseForm):
    """The organiser's word on a participant's completion, and why."""

    completed = RadioField(
        "Fullført",
        choices=[
            SelectChoice("yes", "Fullført"),
            SelectChoice("no", "Ikke fullført"),
            SelectChoice("attendance", "Følg oppmøtet"),
        ],
        validators=[DataRequired("Velg om deltakeren har fullført.")],
    )
    reason = TextAreaField(
        "Begrunnelse",
        filters=[strip_text],
        validators=[Length(max=1000, message="Begrunnelsen kan ha høyst 1000 tegn.")],
    )


class CancelRegistrationForm(BaseForm):
    """The organiser's reason, which the person is mailed."""

    reason = TextAreaField(
        "Begrunnelse til deltakeren",
        filters=[strip_text],
        validators=[
            DataRequired(
                "Skriv en begrunnelse til deltakeren: den står i e-posten om avmeldingen."
            ),
            Length(max=1000, message="Begrunnelsen kan ha høyst 1000 tegn."),
        ],
    )


class MessageForm(BaseForm):
    """Subject, text and who gets it."""

    audience = RadioField(
        "Mottakere",
        choices=[SelectChoice(audience.value, audience.label) for audience in Audience],
        default=Audience.CONFIRMED.value,
        validators=[DataRequired("Velg hvem som skal få e-posten.")],
    )
    subject = StringField(
        "Emne",
        filters=[strip_text],
        validators=[
            DataRequired("Skriv inn et emne."),
            Length(max=150, message="Emnet kan ha høyst 150 tegn."),
        ],
    )
    body = TextAreaField(
        "Melding",
        filters=[strip_text],
        validators=[
            DataRequired("Skriv inn meldingen."),
            Length(max=5000, message="Meldingen kan ha høyst 5000 tegn."),
        ],
    )


@blueprint.get("/events/<int:event_id>/registrations")
@allow(*MANAGERS)
def list_registrations(event_id: int):
    """Counts by status and municipality, and every registration with its actions."""
    event = manageable_event(db.session, current_user, event_id)
    status = _status_filter()
    registrations = participants.event_registrations(db.session, event.id, status)
    return render_template(
        "registration/admin/list_registrations.html",
        event=event,
        registrations=registrations,
        positions=_positions(event.id, status),
        status_counts=participants.status_counts(db.session, event.id),
        attendance=participants.attendance_by_registration(db.session, event.id),
        municipality_counts=participants.municipality_counts(db.session, event.id),
        status=status,
        statuses=participants.STATUS_ORDER,
        completions=completion.event_completions(db.session, event),
        required=completion.sessions_required(event),
    )


@blueprint.get("/events/<int:event_id>/registrations.csv")
@allow(*MANAGERS)
def export_registrations_csv(event_id: int):
    """The list as CSV for Excel (semicolons, UTF-8 with BOM); ?status= narrows it."""
    event, rows, days = _export_rows(event_id)
    body = exports.registrations_csv(rows, days, _heading(event))
    return _download(body, "text/csv; charset=utf-8", event, "csv")


@blueprint.get("/events/<int:event_id>/registrations.xlsx")
@allow(*MANAGERS)
def export_registrations_xlsx(event_id: int):
    """The list as an Excel workbook; ?status= narrows it."""
    event, rows, days = _export_rows(event_id)
    body = exports.registrations_xlsx(rows, event.title, days, _heading(event))
    return _download(body, XLSX_TYPE, event, "xlsx")


@blueprint.route("/events/<int:event_id>/registrations/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def add_registration(event_id: int):
    """Register someone who signed up by phone or e-mail; they get the usual mail."""
    event = manageable_event(db.session, current_user, event_id)
    form = AddRegistrationForm(municipality_choices=municipality_choices(db.session, event))
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
            flash(
                f"{registration.person.name} er lagt til: {registration.status.label}.", "success"
            )
            return redirect(url_for(".list_registrations", event_id=event.id), 303)
    return _render_add(event, form)


@blueprint.post("/registrations/<int:registration_id>/cancel")
@allow(*MANAGERS)
def cancel_registration(registration_id: int):
    """Cancel a place with the reason the person is mailed; the next who fits gets it."""
    registration = _manageable_registration(registration_id)
    name = registration.person.name
    form = CancelRegistrationForm()
    if not form.validate():
        flash(f"{name} er ikke meldt av. {' '.join(form.reason.errors)}".strip(), "danger")
        return _back_to_list(registration)
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
        return _refused(registration, error)
    db.session.commit()
    message = f"{name} er meldt av og får begrunnelsen på e-post."
    if promoted:
        message += f" {len(promoted)} fikk plass fra ventelisten og får beskjed på e-post."
    flash(message, "success")
    return _back_to_list(registration)


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
        return _refused(registration, error)
    db.session.commit()
    flash(f"{registration.person.name} har fått plass og får beskjed på e-post.", "success")
    return _back_to_list(registration)


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
        return _refused(registration, error)
    db.session.commit()
    flash(f"E-posten er sendt på nytt til {message.to_address}.", "success")
    return _back_to_list(registration)


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
        return _refused(registration, error)
    db.session.commit()
    flash(f"Ny billett er sendt til {message.to_address}. Den gamle virker ikke lenger.", "success")
    return _back_to_list(registration)


@blueprint.route("/events/<int:event_id>/message", methods=["GET", "POST"])
@allow(*MANAGERS)
def message_participants(event_id: int):
    """E-mail everyone, the confirmed or the waitlisted: one outbox mail per person."""
    event = manageable_event(db.session, current_user, event_id)
    form = MessageForm()
    error = None
    if form.validate_on_submit():
        try:
            messages = participants.queue_message(
                db.session,
                current_user,
                event,
                Audience(form.audience.data),
                form.subject.data,
                form.body.data,
                _base_url(),
                utcnow(),
            )
        except DomainError as refusal:
            db.session.rollback()
            error = refusal.localised()
        else:
            db.session.commit()
            flash(f"E-posten er lagt i kø til {len(messages)} mottakere.", "success")
            return redirect(url_for(".list_registrations", event_id=event.id), 303)
    counts = participants.audience_counts(db.session, event.id)
    body = render_template(
        "registration/admin/message_participants.html",
        event=event,
        form=form,
        counts={audience.value: count for audience, count in counts.items()},
        error=error,
    )
    return body, 422 if (form.errors or error) else 200


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
        return _back_to_list(registration)
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
        return _refused(registration, error)
    db.session.commit()
    verdict = "fullført" if result.completed else "ikke fullført"
    how = "etter oppmøtet" if not result.overridden else "(overstyrt)"
    flash(f"{registration.person.name} står nå som {verdict} {how}.", "success")
    return _back_to_list(registration)


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


def _export_rows(event_id: int):
    """The export's rows: those of ?status=, or every active place, with the cancelled
    too only when asked (?with_cancelled=1)."""
    event = manageable_event(db.session, current_user, event_id)
    status = _status_filter()
    with_cancelled = status is not None or request.args.get("with_cancelled") == "1"
    registrations = participants.event_registrations(
        db.session, event.id, status, include_cancelled=with_cancelled
    )
    rows = exports.export_rows(
        registrations,
        _positions(event.id, status),
        [day.id for day in event.sessions],
        participants.attendance_by_registration(db.session, event.id),
        completion.event_completions(db.session, event),
    )
    return event, rows, _day_labels(event)


def _day_labels(event) -> list[str]:
    """The export's name for each day: its start in Oslo time."""
    return [f"{to_oslo(day.starts_at):%d.%m.%Y %H.%M}" for day in event.sessions]


def _heading(event) -> exports.Heading:
    dates = format_date_span(event.starts_at, event.ends_at) if event.sessions else ""
    return exports.Heading(event.title, dates, event.centre.name)


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


def _manageable_registration(registration_id: int) -> Registration:
    """The registration if the user may manage its event, else 404; the CSRF token checked."""
    registration = db.session.get(Registration, registration_id) or abort(404)
    manageable_event(db.session, current_user, registration.event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return registration


def _first_error(form) -> str:
    messages = [errors[0] for name, errors in form.errors.items() if name != "csrf_token"]
    return messages[0] if messages else "Skjemaet var utløpt. Last inn siden og prøv igjen."


def _refused(registration: Registration, error: DomainError):
    db.session.rollback()
    flash(error.localised(), "danger")
    return _back_to_list(registration)


def _back_to_list(registration: Registration):
    return redirect(url_for(".list_registrations", event_id=registration.event_id), 303)


def _base_url() -> str:
    return current_app.config["BASE_URL"]
