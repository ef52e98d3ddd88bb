"""A person as an organiser may see them: registrations, attendance and certifications,
across events, on one page (GET /admin/people/<id>)."""

from dataclasses import dataclass, field

from flask import Blueprint, abort, render_template
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.accounts.access import allow, enforce_declared_roles, visible_municipality_numbers
from usht_events.accounts.models import Role, User
from usht_events.catalogue.access import event_scope
from usht_events.catalogue.models import Event
from usht_events.certification.models import Certification
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo
from usht_events.registration.answers import shown_answers
from usht_events.registration.models import Attendance, Person, Registration

blueprint = Blueprint("people", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)


@dataclass(frozen=True)
class PersonRegistration:
    """One of a person's registrations, with how many of its sessions they attended."""

    registration: Registration
    attended: int
    # (question, answer) for each of the event's own questions the person answered.
    answers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sessions(self) -> int:
        return len(self.registration.event.sessions)


@dataclass(frozen=True)
class PersonOverview:
    """What a user may see of a person: registrations, attendance and certifications."""

    person: Person
    registrations: list[PersonRegistration]
    certifications: list[Certification]


@blueprint.get("/people/<int:person_id>")
@allow(Role.ADMIN, Role.ORGANISER)
def show_person(person_id: int):
    """A person's registrations, attendance and certifications, as far as the user may see."""
    overview = person_overview(db.session, current_user, person_id) or abort(404)
    today = to_oslo(utcnow()).date()
    return render_template("reports/show_person.html", overview=overview, today=today)


def person_overview(session: DbSession, user: User, person_id: int) -> PersonOverview | None:
    """The person as this user may see them; None when they have no registration in scope."""
    person = session.get(Person, person_id)
    if person is None:
        return None
    registrations = session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.person_id == person.id, event_scope(user))
        .options(selectinload(Registration.event).selectinload(Event.sessions))
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    ).all()
    if not registrations and user.role != Role.ADMIN:
        return None
    ids = [item.id for item in registrations]
    attended = _attendance_counts(session, ids)
    answered = shown_answers(session, ids, gettext)
    return PersonOverview(
        person=person,
        registrations=[
            PersonRegistration(r, attended.get(r.id, 0), answered.get(r.id, []))
            for r in registrations
        ],
        certifications=_visible_certifications(session, user, person.id),
    )


def _attendance_counts(session: DbSession, registration_ids: list[int]) -> dict[int, int]:
    if not registration_ids:
        return {}
    rows = session.execute(
        select(Attendance.registration_id, func.count(Attendance.id))
        .where(Attendance.registration_id.in_(registration_ids))
        .group_by(Attendance.registration_id)
    )
    return dict(rows.all())


def _visible_certifications(session: DbSession, user: User, person_id: int):
    """Certifications from the user's own events or on their region's rosters."""
    query = (
        select(Certification)
        .where(Certification.person_id == person_id)
        .options(selectinload(Certification.kind), selectinload(Certification.event))
        .order_by(Certification.issued_on.desc(), Certification.id.desc())
    )
    visible = visible_municipality_numbers(session, user)
    if visible is not None:
        own_events = select(Event.id).where(event_scope(user))
        query = query.where(
            or_(
                Certification.event_id.in_(own_events),
                Certification.municipality_number.in_(visible),
            )
        )
    return session.scalars(query).all()
