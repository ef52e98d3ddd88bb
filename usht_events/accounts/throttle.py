"""Rate limits on the forms that take a password or send a mail: per address and per client."""

import math
import time

from flask import current_app, render_template, request
from flask_babel import gettext
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address

from usht_events.core.extensions import LIMITER
from usht_events.core.i18n import N_

# The endpoints whose POSTs count as attempts.
THROTTLED_ENDPOINTS = ("accounts.login", "accounts.request_reset")
TOO_MANY_TITLE = N_("For mange forsøk")
TOO_MANY = N_("For mange forsøk. Vent litt og prøv igjen.")


def _client_key() -> str:
    return f"ip:{get_remote_address()}"


def _email_key() -> str:
    # Never empty, or Flask-Limiter would skip the limit for a post without an address.
    return "email:" + request.form.get("email", "").strip().lower()[:254]


def throttle_attempts(state) -> None:
    """Blueprint record callback: wrap the throttled views with this app's limiter."""
    app = state.app
    limiter = app.extensions[LIMITER]
    for endpoint in THROTTLED_ENDPOINTS:
        view = app.view_functions[endpoint]
        for limit, key in (
            (app.config["LOGIN_RATE_LIMIT_PER_IP"], _client_key),
            (app.config["LOGIN_RATE_LIMIT"], _email_key),
        ):
            view = limiter.limit(limit, key_func=key, methods=["POST"])(view)
        app.view_functions[endpoint] = view


def too_many_attempts(error: RateLimitExceeded):
    """429 with a page in the person's language and Retry-After, so people and clients know
    when to retry."""
    body = render_template(
        "errors/error.html", title=gettext(TOO_MANY_TITLE), message=gettext(TOO_MANY)
    )
    return body, 429, {"Retry-After": str(_seconds_until_reset())}


def _seconds_until_reset() -> int:
    limiter = current_app.extensions.get(LIMITER)
    current = limiter.current_limit if limiter else None
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
