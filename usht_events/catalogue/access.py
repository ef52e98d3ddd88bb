"""Which events a user may manage: the event scope of accounts/access.py's roles.

An organiser manages the events of their own centre and an administrator every event; for
anyone else, and for another centre's event, the answer is a 404, never the data.
"""

from flask import abort
from sqlalchemy import false, true
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import Role, User
from usht_events.catalogue.models import Event


def event_scope(user: User):
    """SQL condition: the events this user may manage."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.ORGANISER:
        return Event.centre_id == user.centre_id
    return false()


def can_manage_event(user: User, event: Event) -> bool:
    """True when the user may see the event's participants and change it."""
    return user.role == Role.ADMIN or (
        user.role == Role.ORGANISER and event.centre_id == user.centre_id
    )


def manageable_event(session: DbSession, user: User, event_id: int) -> Event:
    """The event if this user may manage it, else 404 (its existence is no one else's business)."""
    event = session.get(Event, event_id)
    if event is None or not can_manage_event(user, event):
        abort(404)
    return event
