"""When the database goes away: one more try for a safe request, otherwise 503, never a 500.

A failover, a restart or a pooler's idle timeout ends the app's connections; each worker
finds out on its next statement. A transaction's first statement is run again on a new
connection in core/db.py. What fails later than that reaches `database_unavailable`: a GET
or HEAD that has committed nothing is run once more from the start, by `RetryAfterDisconnect`;
anything else (a form post that may have written) answers 503 with Retry-After.
"""

import psycopg
from flask import Flask, current_app, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import ServiceUnavailable

from usht_events.core.db import db

RETRY_AFTER_SECONDS = 5
# Methods that write nothing by their nature, so running one twice is harmless.
RETRIED_METHODS = frozenset({"GET", "HEAD"})
# In the WSGI environ of a request that can be run again: False, until the error handler
# asks for the second run with True.
_RETRY = "usht_events.run_again"
_COMMITTED = "usht_committed"  # on flask.g, set by the engine's commit event


def init_unavailable(app: Flask) -> None:
    """Answer 503 (the app's 503 page, or the API's JSON) and run safe requests again once."""
    app.register_error_handler(DBAPIError, database_unavailable)
    # Teardown functions run in reverse order: this one before Flask-SQLAlchemy's, which
    # init_extensions registered earlier and which closes the session.
    app.teardown_appcontext(_end_transaction)
    app.wsgi_app = RetryAfterDisconnect(app.wsgi_app)
    with app.app_context():
        event.listen(db.engine, "commit", _note_commit)


def is_unavailable(error: DBAPIError) -> bool:
    """The connection was lost, or PostgreSQL cannot serve us now (down, starting, full)."""
    return error.connection_invalidated or isinstance(error.orig, psycopg.OperationalError)


def database_unavailable(error: DBAPIError):
    """503 for a lost or refused database, after marking a safe request to be run again.

    Any other database error (a constraint, a bad statement) is a bug: raised again, it is
    logged and answered by the 500 page as before.
    """
    if not is_unavailable(error):
        raise error
    db.session.rollback()
    retry = error.connection_invalidated and _RETRY in request.environ and not g.get(_COMMITTED)
    current_app.logger.warning(
        "database unavailable during %s %s (%s): %s",
        request.method,
        request.path,
        "running it again" if retry else "503",
        error.orig if error.orig is not None else error,
    )
    if retry:
        request.environ[_RETRY] = True
    # The app's 503 page, or under /api/v1 the API's JSON error: the blueprint's handler.
    answer = current_app.handle_http_exception(ServiceUnavailable())
    response = current_app.make_response(answer)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _end_transaction(exc: BaseException | None) -> None:
    """Roll back what the request left open, where a lost connection can do no harm.

    A page that only read keeps its transaction open until the session is closed; if the
    connection was lost after the last statement, that ROLLBACK fails. The server ended
    the transaction already, and the answer is ready: it must not turn into a 500.
    """
    try:
        db.session.rollback()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        current_app.logger.warning("connection lost after the request's last statement")


def _note_commit(connection) -> None:
    # A request that committed has written something: running it again could write twice.
    if has_app_context():
        setattr(g, _COMMITTED, True)


class RetryAfterDisconnect:
    """WSGI middleware: a GET or HEAD whose database connection was lost runs once more.

    The second run is a new request from the start (new app context, database session and
    `g`), as if the browser had asked again; the first run's answer is thrown away unseen.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in RETRIED_METHODS:
            return self.wsgi_app(environ, start_response)
        # Each run gets its own copy: the app and ProxyFix write into the environ.
        first_environ = dict(environ, **{_RETRY: False})
        started = []

        def hold_back(status, headers, exc_info=None):
            started.append((status, headers, exc_info))
            return _no_write

        body = self.wsgi_app(first_environ, hold_back)
        if not first_environ.get(_RETRY):
            start_response(*started[-1])
            return body
        if hasattr(body, "close"):
            body.close()
        return self.wsgi_app(dict(environ), start_response)


def _no_write(data: bytes) -> None:
    raise RuntimeError("the app must return its body; write() is not supported here")
