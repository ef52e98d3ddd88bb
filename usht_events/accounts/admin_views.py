"""The administrator's pages for users: list, create, change role and bindings, reset links."""

from itertools import groupby

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.forms import ConfirmForm, UserForm
from usht_events.accounts.models import Role, User
from usht_events.accounts.reset import queue_reset_mail
from usht_events.accounts.rules import add_user, update_user
from usht_events.core.audit import record_action
from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.organisations.models import Centre, Municipality

blueprint = Blueprint("accounts_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)


@blueprint.get("/users")
@allow(Role.ADMIN)
def list_users():
    """Every user with role, bindings, whether active, and last login."""
    users = db.session.scalars(
        select(User)
        .options(selectinload(User.centre), selectinload(User.municipalities))
        .order_by(User.active.desc(), User.email)
    ).all()
    return render_template("accounts/list_users.html", users=users)


@blueprint.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_user():
    """Create a user and, if asked, mail them a link to choose a password."""
    form = _user_form()
    del form.active
    if form.validate_on_submit():
        try:
            user = add_user(db.session, form.email.data, *_bindings(form), name=form.name.data)
            db.session.flush()
        except DomainError as error:
            _field_for(form, error).errors.append(error.localised())
        else:
            record_action(db.session, current_user, "user.create", _created_summary(user))
            if form.send_link.data:
                _queue_link(user)
            db.session.commit()
            flash(gettext("Brukeren %(email)s er opprettet.", email=user.email), "success")
            return redirect(url_for("accounts_admin.edit_user", user_id=user.id))
    return _render_form(form, None)


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_user(user_id: int):
    """Change a user's name, role, bindings, or deactivate them (users are never deleted)."""
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    del form.email, form.send_link
    if form.validate_on_submit():
        role, centre, municipalities = _bindings(form)
        try:
            changes = update_user(
                db.session,
                current_user,
                user,
                name=form.name.data,
                role=role,
                centre=centre,
                municipalities=municipalities,
                active=form.active.data,
            )
        except DomainError as error:
            db.session.rollback()
            _field_for(form, error).errors.append(error.localised())
        else:
            db.session.commit()
            flash(
                gettext("Endringene er lagret.") if changes else gettext("Ingen endringer."),
                "success",
            )
            return redirect(url_for("accounts_admin.list_users"))
    return _render_form(form, user)


@blueprint.post("/users/<int:user_id>/reset")
@allow(Role.ADMIN)
def send_reset(user_id: int):
    """Mail the user a link to choose a new password."""
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.active:
        flash(
            gettext("Brukeren er deaktivert. Aktiver brukeren før du sender en lenke."), "warning"
        )
        return redirect(url_for("accounts_admin.edit_user", user_id=user.id))
    _queue_link(user)
    db.session.commit()
    flash(
        gettext("En lenke for å velge passord er sendt til %(email)s.", email=user.email), "success"
    )
    return redirect(url_for("accounts_admin.edit_user", user_id=user.id))


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm()
    form.set_choices(
        db.session.scalars(select(Centre).order_by(Centre.name)).all(), _municipalities()
    )
    if user is not None and not form.is_submitted():
        form.name.data = user.name
        form.active.data = user.active
        form.role.data = user.role.value
        form.centre.data = str(user.centre_id or "")
        form.municipalities.data = [m.number for m in user.municipalities]
    return form


def _municipalities() -> list[Municipality]:
    return db.session.scalars(
        select(Municipality).order_by(Municipality.county_name, Municipality.name)
    ).all()


def _bindings(form: UserForm) -> tuple[Role, Centre | None, list[Municipality]]:
    centre = db.session.get(Centre, int(form.centre.data)) if form.centre.data else None
    numbers = form.municipalities.data or []
    municipalities = db.session.scalars(
        select(Municipality).where(Municipality.number.in_(numbers)).order_by(Municipality.name)
    ).all()
    return Role(form.role.data), centre, list(municipalities)


# Which field a rule's refusal belongs to, so the message is shown beside it.
def _field_for(form: UserForm, error: DomainError):
    """The field a refusal belongs beside; the role when it names none of this form's."""
    return form[error.field if error.field in form else "role"]


def _created_summary(user: User) -> str:
    scope = user.centre.name if user.centre else ", ".join(m.name for m in user.municipalities)
    return f"Opprettet {user.role.label.lower()} {user.email}" + (f" ({scope})" if scope else "")


def _queue_link(user: User) -> None:
    config = current_app.config
    queue_reset_mail(
        db.session,
        user,
        secret_key=config["SECRET_KEY"],
        base_url=config["BASE_URL"],
        max_age=config["PASSWORD_RESET_MAX_AGE"],
        by_admin=True,
    )
    record_action(
        db.session, current_user, "user.reset_link", f"Sendte lenke for passord til {user.email}."
    )


def _render_form(form: UserForm, user: User | None):
    chosen = set(form.municipalities.data or [])
    counties = [
        (county, list(items))
        for county, items in groupby(_municipalities(), key=lambda m: m.county_name)
    ]
    body = render_template(
        "accounts/edit_user.html",
        form=form,
        user=user,
        counties=counties,
        chosen=chosen,
    )
    return body, 400 if form.errors else 200
