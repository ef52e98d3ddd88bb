"""The public JSON API: published events with their counts, never people."""

import re
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from usht_events.api.serialise import event_dict
from usht_events.catalogue import rules
from usht_events.catalogue.forms import CalendarFilterForm
from usht_events.core.db import db, utcnow
from usht_events.core.extensions import csrf
from usht_events.core.forms import CONTROL_CHARACTERS
from usht_events.core.web import ERROR_MESSAGES, errors_as_json_under
from usht_events.registration.availability import availability_for

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)

SPEC_PATH = Path(__file__).with_name("openapi.json")
CACHE_CONTROL = "public, max-age=60"
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
EVENT_NOT_FOUND = "Arrangementet finnes ikke."
INVALID_QUERY = "Ugyldige parametere. Se «errors» for hva som må rettes."
_NUMBER = re.compile(r"[0-9]{1,6}")


@blueprint.get("/events")
def list_events():
    """Upcoming published events matching the calendar's filters, a page at a time."""
    form = CalendarFilterForm.for_request(db.session, request.args)
    valid = form.validate()
    page_number, per_page, paging_errors = _paging()
    filters = form.to_filter()
    errors = _field_errors(form) | _unknown_choices(form, filters) | paging_errors
    if not valid or errors:
        return _error(400, INVALID_QUERY, errors=errors)
    now = utcnow()
    page = rules.find_events(db.session, filters, now, page_number, per_page)
    availability = availability_for(db.session, page.events, now)
    base_url = current_app.config["BASE_URL"]
    body = {
        "events": [event_dict(e, availability[e.id], base_url) for e in page.events],
        "page": page.number,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }
    return _public(jsonify(body))


@blueprint.get("/events/<int:event_id>")
def show_event(event_id: int):
    """One public event (published, confirmed or cancelled) with its sessions and counts."""
    event = rules.public_event(db.session, event_id) or abort(404, EVENT_NOT_FOUND)
    availability = availability_for(db.session, [event], utcnow())[event.id]
    return _public(jsonify(event_dict(event, availability, current_app.config["BASE_URL"])))


@blueprint.get("/openapi.json")
def openapi_spec():
    """The OpenAPI 3.1 description of this API."""
    response = current_app.response_class(_spec_bytes(), mimetype="application/json")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


# The code-specific entries are needed: the app's own 400 and 404 pages would win otherwise.
@blueprint.errorhandler(400)
@blueprint.errorhandler(404)
@blueprint.errorhandler(503)
@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return json_error(error.code or 400, None, error)


def json_error(status: int, message: str | None, error: Exception | None):
    """Any error under /api/v1 as the OpenAPI file has it: {message}, and {errors} for a 400."""
    # A description given to abort() is ours and Norwegian; Werkzeug's defaults are English.
    if isinstance(error, HTTPException) and "description" in vars(error):
        message = error.description
    extra = {}
    if status == 400:
        # The app refuses a NUL in the address before any view runs; say where it was.
        extra["errors"] = {
            name: [gettext(CONTROL_CHARACTERS)]
            for name, value in request.args.items(multi=True)
            if "\x00" in name + value
        }
        message = message or (INVALID_QUERY if extra["errors"] else None)
    if status == 404 and request.path.startswith(f"{blueprint.url_prefix}/events/"):
        # /events/abc or /events/0: no such event, whatever made the id impossible.
        message = message or EVENT_NOT_FOUND
    message = message or ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])[1]
    response = jsonify(message=message, **extra)
    response.status_code = status
    return response


# Routing errors (405, any path under /api/v1 that is no route) and 500s never reach the
# handler above.
blueprint.record_once(lambda state: errors_as_json_under(state.app, state.url_prefix, json_error))


def _field_errors(form: CalendarFilterForm) -> dict[str, list[str]]:
    """Errors keyed by query parameter (`from`, not the field's attribute `date_from`)."""
    return {field.name: list(field.errors) for field in form if field.errors}


def _unknown_choices(form: CalendarFilterForm, filters: rules.EventFilter) -> dict[str, list[str]]:
    """The calendar drops an unknown centre or kind; an API client should hear about it."""
    given = (
        (form.centre, filters.centre),
        (form.focus, filters.focus),
        (form.kind, filters.kind),
        (form.municipality, filters.municipality),
    )
    return {field.name: ["Ukjent verdi."] for field, used in given if field.data and not used}


def _paging() -> tuple[int, int, dict[str, list[str]]]:
    """`page` and `per_page` from the query, and an error for each one out of range."""
    default_per_page = min(current_app.config["EVENTS_PER_PAGE"], MAX_PER_PAGE)
    values, errors = {}, {}
    for name, default, maximum in (
        ("page", 1, MAX_PAGE),
        ("per_page", default_per_page, MAX_PER_PAGE),
    ):
        raw = request.args.get(name, "")
        if _NUMBER.fullmatch(raw) and 1 <= int(raw) <= maximum:
            values[name] = int(raw)
        elif raw:
            errors[name] = [f"Må være et heltall fra 1 til {maximum}."]
        values.setdefault(name, default)
    return values["page"], values["per_page"], errors


def _public(response):
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _error(status: int, message: str, **extra):
    return jsonify(message=message, **extra), status


@cache
def _spec_bytes() -> bytes:
    return SPEC_PATH.read_bytes()
