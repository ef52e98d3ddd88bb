"""The check-in desk: the page (camera scanner, code field, name search, counts, who is
missing, the latest check-ins), its JSON endpoints and the walk-in form.

`POST /admin/events/<id>/checkin` is public contract: with `code` (or, from the name
search, `registration`) and optionally `session`, it answers `{"result": R, ...}` when asked
for JSON, and otherwise goes back to the page it came from with the answer as a message, so
the desk works without JavaScript. Every view loads the event through the access scope: an
organiser of another centre gets a 404.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_login import current_user

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue.access import manageable_event
from usht_events.checkin import desk, errors, offline, scanning
from usht_events.checkin.forms import WalkInForm
from usht_events.checkin.scanning import RESULT_MESSAGES, ScanOutcome, ScanResult
from usht_events.checkin.sessions import default_session
from usht_events.checkin.walk_in import register_walk_in
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.timezones import format_clock
from usht_events.core.web import MAX_ID
from usht_events.registration.forms import municipality_choices, signup_from
from usht_events.registration.models import CheckinMethod, Registration, RegistrationSource

blueprint = Blueprint("checkin_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)

MANAGERS = (Role.ADMIN, Role.ORGANISER)
# The scanner page alone may compile the barcode decoder's WebAssembly; the rest of the
# site keeps the strict policy of core/web.py.
SCANNER_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
FLASH_CATEGORY = {
    ScanResult.CHECKED_IN: "success",
    ScanResult.ALREADY_CHECKED_IN: "warning",
}


# One rule for both methods: with two, an id out of range on POST was a 405, not a 404.
@blueprint.route("/events/<int:event_id>/checkin", methods=["GET", "POST"])
@allow(*MANAGERS)
def desk_page(event_id: int):
    """The desk for one day of the event (GET), or one ticket checked in there (POST)."""
    if request.method == "POST":
        return check_in_ticket(event_id)
    event = manageable_event(db.session, current_user, event_id)
    day = _chosen_day(event)
    query = request.args.get("q", "").strip()[:100]
    context = {
        "event": event,
        "day": day,
        "query": query,
        "days": desk.day_counts(db.session, event),
    }
    if day is not None:
        context |= {
            "results": desk.search(db.session, event.id, day.id, query) if query else None,
            "missing": desk.missing(db.session, event.id, day.id),
            "recent": desk.recent_check_ins(db.session, event.id, day.id),
            "messages": _scanner_messages(),
        }
    response = make_response(render_template("checkin/desk.html", **context))
    response.headers["Content-Security-Policy"] = SCANNER_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def check_in_ticket(event_id: int):
    """Check a ticket (or a person found by name) in; JSON for the scanner, else a message."""
    event = manageable_event(db.session, current_user, event_id)
    data = _posted()
    registration_id = _id(data.get("registration"))
    method = CheckinMethod.SCAN
    if registration_id is not None:
        method = CheckinMethod.SEARCH
    elif data.get("via") == "ticket":
        method = CheckinMethod.TICKET_PAGE
    try:
        outcome = scanning.check_in(
            db.session,
            event,
            utcnow(),
            current_user,
            code=data.get("code") if registration_id is None else None,
            registration_id=registration_id,
            session_id=_session_id(data.get("session")),
            method=method,
        )
    except DomainError as error:
        db.session.rollback()
        return _refused(event, data, error)
    db.session.commit()
    if _wants_json():
        return jsonify(outcome_json(outcome))
    flash(outcome_message(outcome), FLASH_CATEGORY.get(outcome.result, "danger"))
    return _back(event, data)


@blueprint.get("/events/<int:event_id>/checkin/snapshot")
@allow(*MANAGERS)
def snapshot(event_id: int):
    """What an offline desk needs for one day: digests of the codes, names and states."""
    event = manageable_event(db.session, current_user, event_id)
    now = utcnow()
    try:
        day = scanning.resolve_session(
            db.session, event, _session_id(request.args.get("session")), now
        )
    except DomainError as error:
        return _json_error(error)
    response = jsonify(desk.snapshot(db.session, event, day, now))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/events/<int:event_id>/checkin/sync")
@allow(*MANAGERS)
def sync(event_id: int):
    """Apply the scans an offline desk queued, in order; the answer for each."""
    event = manageable_event(db.session, current_user, event_id)
    try:
        scans = offline.parse_scans(request.get_json(silent=True))
    except DomainError as error:
        return _json_error(error)
    answers = offline.apply_queued_scans(db.session, event, scans, utcnow(), current_user)
    db.session.commit()
    results = []
    for scan, answer in answers:
        if isinstance(answer, DomainError):
            results.append({"id": scan.id, "error": answer.code, "message": answer.localised()})
        else:
            results.append({"id": scan.id, **outcome_json(answer)})
    return jsonify(results=results)


@blueprint.post("/events/<int:event_id>/checkin/undo")
@allow(*MANAGERS)
def undo(event_id: int):
    """Take back a check-in made by mistake (written to the event's log)."""
    event = manageable_event(db.session, current_user, event_id)
    data = request.form
    registration_id = _id(data.get("registration"))
    if registration_id is None:
        abort(400)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    try:
        scanning.undo_check_in(
            db.session, event, registration.id, _session_id(data.get("session")), current_user
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.localised(), "danger")
        return _back(event, data)
    name = registration.person.name
    db.session.commit()
    flash(gettext("Innsjekkingen av %(name)s er angret.", name=name), "success")
    return _back(event, data)


@blueprint.route("/events/<int:event_id>/checkin/walk-in", methods=["GET", "POST"])
@allow(*MANAGERS)
def walk_in(event_id: int):
    """Register someone at the door and check them in at once."""
    event = manageable_event(db.session, current_user, event_id)
    form = WalkInForm(municipality_choices=municipality_choices(db.session, event))
    if not form.session.data and (day := _chosen_day(event)) is not None:
        form.session.data = str(day.id)
    error = None
    if form.validate_on_submit():
        try:
            outcome = register_walk_in(
                db.session,
                event,
                signup_from(form, source=RegistrationSource.WALK_IN),
                utcnow(),
                current_app.config["BASE_URL"],
                current_user,
                session_id=_session_id(form.session.data),
                over_capacity=form.over_capacity.data,
            )
        except DomainError as refusal:
            db.session.rollback()
            if refusal.field in form and refusal.field != "session":
                form[refusal.field].errors.append(refusal.localised())
            else:
                error = refusal.localised()
        else:
            db.session.commit()
            flash(outcome_message(outcome), "success")
            return redirect(
                url_for(".desk_page", event_id=event.id, session=outcome.session_id), 303
            )
    body = render_template("checkin/walk_in.html", event=event, form=form, error=error)
    return body, 422 if (form.errors or error) else 200


@blueprint.get("/events/checkin-sw.js")
@allow(*MANAGERS)
def service_worker():
    """The desk's service worker: from this folder it may control each event's desk page."""
    folder = f"{current_app.static_folder}/js"
    response = send_from_directory(folder, "checkin-sw.js", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def outcome_message(outcome: ScanOutcome) -> str:
    """The answer in the person's language, as the desk shows it."""
    if outcome.event_cancelled:
        return gettext(scanning.EVENT_CANCELLED_MESSAGE)
    details = outcome.message_details(_locale())
    return gettext(RESULT_MESSAGES[outcome.result], **details)


def outcome_json(outcome: ScanOutcome) -> dict:
    """The public JSON answer: `result` first, then what the desk shows."""
    body = {
        "result": outcome.result.value,
        "message": outcome_message(outcome),
        "session": outcome.session_id,
    }
    if outcome.result not in (ScanResult.WRONG_EVENT, ScanResult.UNKNOWN):
        body |= {
            "registration": outcome.registration_id,
            "name": outcome.name,
            "municipality": outcome.municipality,
        }
    if outcome.checked_in_at is not None:
        body["checked_in_at"] = outcome.checked_in_at.isoformat(timespec="milliseconds")
        body["time"] = format_clock(outcome.checked_in_at, _locale())
    if outcome.event_cancelled:
        body["event_cancelled"] = True
    if outcome.replayed:
        body["replayed"] = True
    return body


def _scanner_messages() -> dict:
    """The texts the scanner shows when it answers from its snapshot, in the page's language."""
    texts = {result.value: gettext(text) for result, text in RESULT_MESSAGES.items()}
    return texts | {
        "event_cancelled": gettext(scanning.EVENT_CANCELLED_MESSAGE),
        "offline": gettext("Frakoblet – %(count)s skanninger venter"),
        "offline_none": gettext("Frakoblet – svarene kommer fra listen på telefonen"),
        "online": gettext("Tilkoblet"),
        "syncing": gettext("Sender %(count)s skanninger …"),
        "queued": gettext("Lagret på telefonen, sendes når nettet er tilbake"),
        "rejected": gettext("Avvist da skanningene ble sendt: %(who)s – %(message)s"),
        "synced": gettext("%(count)s skanninger er sendt."),
        "camera_error": gettext("Kameraet kunne ikke startes: %(reason)s"),
        "decoder_error": gettext(
            "Skanneren kunne ikke lastes. Bruk feltet for billettkode eller søk på navn."
        ),
        "no_camera": gettext("Denne nettleseren gir ikke tilgang til kameraet."),
        "login_again": gettext("Logg inn på nytt for å fortsette å sjekke inn."),
        "failed": gettext("Svaret kom ikke fram. Prøv igjen."),
        "snapshot": gettext("Deltakerlisten på denne enheten er fra kl. %(time)s."),
        "torch_on": gettext("Slå på lommelykt"),
        "torch_off": gettext("Slå av lommelykt"),
    }


def _chosen_day(event):
    """The session in ?session=, if it is the event's; else the one running now or next."""
    wanted = _id(request.args.get("session"))
    chosen = next((day for day in event.sessions if day.id == wanted), None)
    return chosen or default_session(event.sessions, utcnow())


def _posted() -> dict:
    if request.is_json:
        payload = request.get_json(silent=True)
        return {k: str(v) for k, v in payload.items()} if isinstance(payload, dict) else {}
    return request.form


def _id(value) -> int | None:
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


def _session_id(value) -> int | None:
    """The posted session: none means the default; anything but an id is refused."""
    if value in (None, ""):
        return None
    session_id = _id(value)
    if session_id is None:
        raise DomainError(errors.UNKNOWN_SESSION)
    return session_id


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def _json_error(error: DomainError):
    return jsonify(error=error.code, message=error.localised()), error.status


def _refused(event, data, error: DomainError):
    if _wants_json():
        return _json_error(error)
    flash(error.localised(), "danger")
    return _back(event, data)


def _back(event, data):
    """To the ticket page the one tap came from, or to the desk with its day and search."""
    code = data.get("code") or ""
    key = scanning.read_code(code) if data.get("via") == "ticket" else None
    if key is not None and key.token is not None:
        return redirect(url_for("checkin.ticket", code=key.token), 303)
    arguments = {"session": _id(data.get("session")), "q": (data.get("q") or "")[:100] or None}
    return redirect(url_for(".desk_page", event_id=event.id, **arguments), 303)


def _locale() -> str:
    return str(get_locale() or "nb")
