"""Logging in and out, changing one's password, and resetting a forgotten one."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from usht_events.accounts import reset
from usht_events.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
)
from usht_events.accounts.models import Role
from usht_events.accounts.passwords import MIN_PASSWORD_LENGTH
from usht_events.accounts.rules import change_password, log_in
from usht_events.accounts.sessions import current_login_session_id, end_login_session
from usht_events.accounts.throttle import throttle_attempts, too_many_attempts
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError

blueprint = Blueprint("accounts", __name__)


def safe_next_url(target: str | None) -> str | None:
    """Return `target` only when it is a path inside this app (no scheme, host or //)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    return target


def _start_session(user) -> None:
    """Log in on a fresh session, so nothing planted before login carries over (fixation).

    The cookie carries the login session's token (accounts/sessions.py), not the user's id.
    """
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = log_in(db.session, form.email.data, form.password.data)
        except DomainError as error:
            form.form_errors.append(error.localised())
            status = 401
        else:
            db.session.commit()
            _start_session(user)
            flash(gettext("Du er logget inn."), "success")
            return redirect(safe_next_url(request.args.get("next")) or _start_page(user))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@blueprint.post("/logout")
@login_required
def logout():
    """Log out, ending the login session on the server too, and return to the calendar."""
    end_login_session(db.session, current_user.get_login_token(), utcnow())
    db.session.commit()
    logout_user()
    session.clear()
    flash(gettext("Du er logget ut."), "info")
    response = redirect(url_for("registration.calendar"))
    # What the check-in desk kept in this browser (its snapshot of names, queued scans, the
    # service worker and its copies of pages) goes with the login.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


# The function is not called change_password: that is the rule it calls.
@blueprint.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view():
    """Change one's own password, given the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                db.session,
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep=current_login_session_id(),
            )
        except DomainError as error:
            form.current_password.errors.append(error.localised())
        else:
            db.session.commit()
            flash(gettext("Passordet ditt er endret."), "success")
            return redirect(url_for("accounts.change_password"))
    status = 400 if form.errors else 200
    return render_template(
        "accounts/change_password.html", form=form, min_length=MIN_PASSWORD_LENGTH
    ), status


@blueprint.route("/login/reset", methods=["GET", "POST"])
def request_reset():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset.request_password_reset(db.session, form.email.data, utcnow())
        db.session.commit()
        return render_template("accounts/reset_requested.html", email=form.email.data)
    status = 400 if form.errors else 200
    return render_template("accounts/request_reset.html", form=form), status


@blueprint.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through the link from the e-mail."""
    settings = _reset_settings()
    try:
        reset.user_for_reset_token(db.session, settings["secret_key"], token, settings["max_age"])
    except DomainError as error:
        return _no_referrer(render_template("accounts/reset_invalid.html", error=error), 400)
    form = NewPasswordForm()
    if form.validate_on_submit():
        reset.reset_password(
            db.session, settings["secret_key"], token, settings["max_age"], form.new_password.data
        )
        db.session.commit()
        flash(gettext("Passordet er endret. Logg inn med det nye passordet."), "success")
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return _no_referrer(
        render_template("accounts/reset_password.html", form=form, min_length=MIN_PASSWORD_LENGTH),
        status,
    )


def _reset_settings() -> dict:
    config = current_app.config
    return {
        "secret_key": config["SECRET_KEY"],
        "base_url": config["BASE_URL"],
        "max_age": config["PASSWORD_RESET_MAX_AGE"],
    }


def _no_referrer(body: str, status: int):
    # The token is in this page's address: never pass it on to another site.
    return body, status, {"Referrer-Policy": "no-referrer"}


blueprint.record(throttle_attempts)
blueprint.app_errorhandler(RateLimitExceeded)(too_many_attempts)


def _start_page(user) -> str:
    """Where a user lands after logging in: organisers and administrators at their overview,
    municipality contacts at theirs (rosters and their staff; certification/roster_views.py)."""
    if user.role in (Role.ADMIN, Role.ORGANISER):
        return url_for("dashboard.index")
    if user.role == Role.MUNICIPALITY:
        return url_for("rosters.start_page")
    return url_for("registration.calendar")
