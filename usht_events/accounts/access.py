"""Who may see and change what: the one place where roles become scopes.

Every back-office view declares the roles it admits with `@allow(...)`; the back-office
blueprints check that declaration before any view runs, and a view without one admits
nobody. Data is then narrowed with scope functions (here for municipalities and centres,
in catalogue/access.py for events), so an organiser of another centre, or a municipality
contact, gets a 404 for what is not theirs rather than the data.
"""

from collections.abc import Callable

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import Role, User
from usht_events.organisations.models import Centre

ALLOWED_ROLES_ATTRIBUTE = "allowed_roles"


def allow(*roles: Role) -> Callable:
    """Declare which roles may use a back-office view."""

    def mark(view):
        setattr(view, ALLOWED_ROLES_ATTRIBUTE, frozenset(roles))
        return view

    return mark


def allowed_roles(view) -> frozenset[Role]:
    """The roles a view admits; none when it declared nothing."""
    return getattr(view, ALLOWED_ROLES_ATTRIBUTE, frozenset())


def enforce_declared_roles():
    """before_request for back-office blueprints: log in first, then the view's roles."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role not in allowed_roles(view):
        abort(403)
    return None


def visible_municipality_numbers(session: DbSession, user: User) -> set[str] | None:
    """Municipalities whose rosters the user may see; None means all (administrator)."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.ORGANISER:
        centre = session.get(Centre, user.centre_id)
        return {municipality.number for municipality in centre.region} if centre else set()
    return {municipality.number for municipality in user.municipalities}


def report_centre(session: DbSession, user: User, slug: str | None) -> Centre | None:
    """The centre a report covers; None means every centre, which only administrators see.

    An organiser reports on their own centre; asking for another one is a 404.
    """
    if user.role == Role.ADMIN:
        if not slug:
            return None
        return session.scalar(select(Centre).where(Centre.slug == slug)) or abort(404)
    centre = session.get(Centre, user.centre_id) if user.role == Role.ORGANISER else None
    if centre is None or (slug and slug != centre.slug):
        abort(404)
    return centre
