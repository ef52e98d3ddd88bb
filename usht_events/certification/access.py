"""Who may see which rosters and certifications (the scopes of accounts/access.py).

A roster belongs to a municipality: its contacts see it, the organisers of every centre
whose region holds it, and administrators; for anyone else, and for a number that is no
municipality, the answer is a 404, never the data.
"""

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.access import visible_municipality_numbers
from usht_events.accounts.models import Role, User
from usht_events.catalogue.models import Event
from usht_events.certification.models import Certification
from usht_events.organisations.models import Municipality, centre_municipality


def roster_municipality(session: DbSession, user: User, number: str) -> Municipality:
    """The municipality whose roster the user asks for, if they may see it, else 404."""
    if not (len(number) == 4 and number.isascii() and number.isdigit()):
        abort(404)
    if not may_see_roster(session, user, number):
        abort(404)
    return session.get(Municipality, number) or abort(404)


def may_see_roster(session: DbSession, user: User, number: str) -> bool:
    """Whether the user may see the municipality's roster."""
    if user.role == Role.ORGANISER:
        # Regions may overlap (Follo is served by Østfold too): each centre's organisers
        # see every municipality in their own region.
        return number in organiser_municipalities(session, user)
    visible = visible_municipality_numbers(session, user)
    return visible is None or number in visible


def organiser_municipalities(session: DbSession, user: User) -> set[str]:
    """The municipalities in the region of the organiser's centre."""
    return set(
        session.scalars(
            select(centre_municipality.c.municipality_number).where(
                centre_municipality.c.centre_id == user.centre_id
            )
        )
    )


def certification_scope(session: DbSession, user: User):
    """SQL condition: the certifications the user may manage (see, revoke, print)."""
    if user.role == Role.ADMIN:
        return Certification.id.is_not(None)
    if user.role != Role.ORGANISER:
        return Certification.id.is_(None)
    own_events = select(Event.id).where(Event.centre_id == user.centre_id)
    region = select(centre_municipality.c.municipality_number).where(
        centre_municipality.c.centre_id == user.centre_id
    )
    return or_(
        Certification.event_id.in_(own_events), Certification.municipality_number.in_(region)
    )


def manageable_certification(
    session: DbSession, user: User, certification_id: int
) -> Certification:
    """The certification if the user may manage it, else 404."""
    certification = session.scalar(
        select(Certification).where(
            Certification.id == certification_id, certification_scope(session, user)
        )
    )
    return certification or abort(404)
