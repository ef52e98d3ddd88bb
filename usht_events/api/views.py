"""The public JSON API: published events with their counts, never people."""

import re
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from usht_events.api.serialise import event_dict
from usht_events.catalogue import rules
from usht_events.catalogue.forms import CalendarFilterForm
from usht_events.catalogue.views import availability_for
from usht_events.core.db import db, utcnow
from usht_events.core.extensions import csrf
from usht_events.core.web import ERROR_MESSAGES

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
    availability = availability_for(page.events, now)
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
    availability = availability_for([event], utcnow())[event.id]
    return _public(jsonify(event_dict(event, availability, current_app.config["BASE_URL"])))


@blueprint.get("/openapi.json")
def openapi_spec():
    """The OpenAPI 3.1 description of this API."""
    response = current_app.response_class(_spec_bytes(), mimetype="application/json")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@blueprint.get("/<path:anything>")
def not_found(anything: str):
    """Any other path under /api/v1 (say /events/abc) answers JSON, not the HTML error page."""
    abort(404, EVENT_NOT_FOUND if anything.startswith("events/") else None)


# The code-specific entries are needed: the app's own 400 and 404 pages would win otherwise.
@blueprint.errorhandler(400)
@blueprint.errorhandler(404)
@blueprint.errorhandler(503)
@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    # A description given to abort() is ours and Norwegian; Werkzeug's defaults are English.
    own = "description" in vars(error)
    fallback = ERROR_MESSAGES.get(error.code, ERROR_MESSAGES[400])[1]
    return _error(error.code or 400, error.description if own else fallback)


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
