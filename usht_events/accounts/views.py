"""Logging in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from usht_events.accounts.forms import LoginForm
from usht_events.accounts.rules import authenticate
from usht_events.core.db import db
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


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(db.session, form.email.data, form.password.data)
        except DomainError as error:
            form.form_errors.append(error.message)
            status = 401
        else:
            db.session.commit()
            login_user(user)
            flash("Du er logget inn.", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("catalogue.index"))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@blueprint.post("/logout")
@login_required
def logout():
    """Log out and return to the calendar."""
    logout_user()
    flash("Du er logget ut.", "info")
    return redirect(url_for("catalogue.index"))
