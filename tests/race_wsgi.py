"""The race tests' control run: the app with the sign-up lock switched off. Tests only.

`gunicorn tests.race_wsgi:app` serves the app as wsgi.py does, except that every sign-up
skips the event lock and pauses between its count and its write, so the race tests can
show that they catch a missing lock. Nothing in usht_events can switch the lock off: the
switch is this module, which production never imports.
"""

import os

from flask import request

# Every model first: registration.statements builds its statements at import.
from usht_events import create_app, models  # noqa: F401
from usht_events.core.db import sqlite_begin_mode
from usht_events.registration import signup

# Long enough to outweigh the rest of a request even on a busy machine.
PAUSE_SECONDS = float(os.environ.get("RACE_CONTROL_PAUSE_SECONDS", "0.3"))
WITHOUT_LOCK = signup.RaceProbe(skip_lock=True, pause_seconds=PAUSE_SECONDS)

_register_with_lock = signup.register


def _register_without_lock(session, event_id, details, now, probe=signup.NO_PROBE, **options):
    """signup.register with the event lock skipped, whatever probe the caller passed."""
    return _register_with_lock(session, event_id, details, now, WITHOUT_LOCK, **options)


# signup.sign_up looks register up on its module at each call.
signup.register = _register_without_lock

app = create_app()


@app.before_request
def _begin_sign_ups_deferred() -> None:
    # SQLite: a sign-up's transaction would begin IMMEDIATE and so hold the database's
    # write lock, which serialises sign-ups as surely as the event lock. The control run
    # begins it DEFERRED, before the first query of the request (the form's checks may
    # read); the core teardown restores the begin mode. Runs after core's own hook.
    if request.endpoint == "registration.register":
        sqlite_begin_mode.set("DEFERRED")
