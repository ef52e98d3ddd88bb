"""Request hooks, error pages, locale selection and template helpers shared by every area."""

from functools import cache
from urllib.parse import urlencode

from babel import support
from flask import Flask, abort, current_app, g, make_response, render_template, request, session
from flask_babel import gettext
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter
from wtforms.i18n import messages_path

from usht_events.core import timezones
from usht_events.core.db import db, sqlite_begin_mode
from usht_events.core.i18n import N_
from usht_events.core.markdown import render_markdown
from usht_events.core.unavailable import init_unavailable

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# app.extensions key: path prefix -> function writing that prefix's errors (the JSON API).
JSON_ERRORS = "usht_json_errors"
SUPPORTED_LOCALES = ("nb", "en")
# Ids are INTEGER columns: PostgreSQL refuses a larger number in a query.
MAX_ID = 2**31 - 1


def select_locale() -> str:
    """Norwegian bokmål unless the person chose English with ?lang=en."""
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LOCALES:
        session["lang"] = chosen
    return session.get("lang", "nb")


class IdConverter(IntegerConverter):
    """`<int:...>` limited to what an id column holds, so any other number is a 404.

    Without the bound, PostgreSQL answered /events/2147483648 with an error (the number
    does not fit its INTEGER) and SQLite a larger one; no view needs to check.
    """

    def __init__(self, map, *args, min=1, max=MAX_ID, **kwargs):
        super().__init__(map, *args, min=min, max=max, **kwargs)


def init_web(app: Flask) -> None:
    """Register hooks, error handlers, the id converter and template filters."""
    # Before any blueprint adds its routes: a rule takes its converter when added.
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul_in_address)
    app.before_request(_choose_sqlite_begin_mode)
    app.before_request(_preload_form_translations)
    app.teardown_request(_reset_sqlite_begin_mode)
    app.after_request(_security_headers)
    for status in (400, 403, 404, 405, 413):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(503, _unavailable_page)
    init_unavailable(app)
    app.jinja_env.filters.update(
        period=_localised(timezones.format_period),
        day=_localised(timezones.format_day),
        clock=_localised(timezones.format_clock),
        datetime=_localised(timezones.format_datetime),
        date_span=_localised(timezones.format_date_span),
        markdown=render_markdown,
    )
    app.jinja_env.globals["current_locale"] = _current_locale
    app.jinja_env.globals["this_page_in"] = this_page_in
    app.jinja_env.add_extension("jinja2.ext.do")


def this_page_in(lang: str) -> str:
    """The address of this page in another language: the same path and query (a calendar's
    filters, a list's search), with `lang` set."""
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"


def _current_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nb")


def _localised(formatter):
    def apply(value, *args, **options):
        return formatter(value, *args, locale=_current_locale(), **options) if value else ""

    return apply


@cache
def _form_translations(locale: str) -> support.Translations:
    """WTForms' own messages in one language, read from disk once per process."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _preload_form_translations() -> None:
    # Flask-WTF would otherwise read WTForms' catalogue from disk on every request.
    request.wtforms_translations = _form_translations(_current_locale())


def _refuse_nul_in_address() -> None:
    """400 for a NUL character anywhere in the path or query string.

    No address of ours has one, and PostgreSQL refuses text containing it, so a token or
    filter with one would otherwise fail in the database rather than be "not found".
    (Form fields are checked by their own validators, which say what is wrong.)
    """
    in_query = any("\x00" in key + value for key, value in request.args.items(multi=True))
    if in_query or "\x00" in request.path:
        abort(400)


def _choose_sqlite_begin_mode() -> None:
    # Reads need no write lock; taking one would queue every page view behind sign-ups.
    mode = "DEFERRED" if request.method in SAFE_METHODS else "IMMEDIATE"
    g.sqlite_begin_token = sqlite_begin_mode.set(mode)


def _reset_sqlite_begin_mode(exc) -> None:
    token = g.pop("sqlite_begin_token", None)
    if token is not None:
        sqlite_begin_mode.reset(token)


def _security_headers(response):
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


ERROR_MESSAGES = {
    400: (
        N_("Ugyldig forespørsel"),
        N_("Forespørselen kunne ikke behandles. Kontroller det du sendte inn."),
    ),
    403: (N_("Ingen tilgang"), N_("Du har ikke tilgang til denne siden.")),
    404: (N_("Fant ikke siden"), N_("Siden finnes ikke, eller den er flyttet.")),
    405: (N_("Ikke tillatt"), N_("Denne handlingen er ikke tillatt her.")),
    413: (N_("For stor forespørsel"), N_("Det du sendte inn er for stort.")),
    500: (N_("Noe gikk galt"), N_("Det oppstod en feil hos oss. Prøv igjen om litt.")),
    503: (
        N_("Prøv igjen om litt"),
        N_("Vi får ikke kontakt med databasen akkurat nå. Vent noen sekunder og prøv igjen."),
    ),
}


FORM_EXPIRED = N_("Skjemaet var utløpt eller ufullstendig. Last inn siden på nytt og prøv igjen.")


def errors_as_json_under(app: Flask, prefix: str, write) -> None:
    """Answer every error under `prefix` with `write(status, message, error)`, not a page.

    Blueprint handlers never see routing errors (a 404 outside every rule, a 405) or an
    unhandled exception: this is how those still answer in the API's own format.
    """
    app.extensions.setdefault(JSON_ERRORS, {})[prefix.rstrip("/")] = write


def _json_writer():
    for prefix, write in current_app.extensions.get(JSON_ERRORS, {}).items():
        if request.path == prefix or request.path.startswith(f"{prefix}/"):
            return write
    return None


def _render_error(status: int, message: str | None = None, error=None):
    if (write := _json_writer()) is not None:
        return write(status, message, error)
    title, default_message = ERROR_MESSAGES[status]
    body = render_template(
        "errors/error.html", title=gettext(title), message=message or gettext(default_message)
    )
    return body, status


def _error_page(error):
    response = make_response(_render_error(getattr(error, "code", 400) or 400, error=error))
    # A 405 must say which methods the address does take.
    if allowed := getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _csrf_error(error):
    return _render_error(400, gettext(FORM_EXPIRED))


def _server_error(error):
    db.session.rollback()
    return _render_error(500, error=error)


def _unavailable_page(error):
    """503 "prøv igjen", drawn without the database when it does not answer at all."""
    title, message = (gettext(text) for text in ERROR_MESSAGES[503])
    try:
        return render_template("errors/error.html", title=title, message=message), 503
    except SQLAlchemyError:
        # The menu needs the logged-in user, who cannot be loaded now: draw the page as for
        # a visitor (load_user sees the flag), without logging anyone out.
        db.session.rollback()
        g.database_unavailable = True
        page = render_template(
            "errors/error.html", title=title, message=message, current_user=AnonymousUserMixin()
        )
        return page, 503
