"""What a municipality contact sees first after logging in: their rosters in numbers, whose
certification expires within 90 days, their staff's registrations and attendance this year
by event, and the upcoming events open to their municipality.

Staff are counted by the municipality they gave when signing up (Registration) or were
certified in (Certification), and each person once per kind with their current
certification (renewal.py): the same numbers the roster and the annual report use.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.catalogue.models import Event, event_eligible_municipality
from usht_events.catalogue.models import Session as EventSession
from usht_events.certification.models import (
    EXPIRING_WITHIN,
    Certification,
    CertificationStatus,
)
from usht_events.core.timezones import OSLO, to_oslo
from usht_events.organisations.models import Municipality
from usht_events.registration.models import Attendance, Registration, RegistrationStatus

UPCOMING_SHOWN = 30


@dataclass(frozen=True)
class RosterSummary:
    """One of the contact's municipalities and its roster's people per status."""

    municipality: Municipality
    counts: dict[CertificationStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class EventParticipation:
    """How the contact's staff took part in one event this year."""

    event: Event
    confirmed: int
    waitlisted: int
    attended: int


@dataclass(frozen=True)
class StartPage:
    """Everything on the contact's start page."""

    rosters: list[RosterSummary]
    expiring: list[Certification]
    participation: list[EventParticipation]
    upcoming: list[Event]
    year: int


def start_page(session: DbSession, numbers: list[str], now: datetime) -> StartPage:
    """The start page of a contact bound to these municipalities."""
    today = to_oslo(now).date()
    return StartPage(
        rosters=_rosters(session, numbers, today),
        expiring=_expiring(session, numbers, today),
        participation=_participation(session, numbers, today.year),
        upcoming=_upcoming(session, numbers, now),
        year=today.year,
    )


def _rosters(session: DbSession, numbers: list[str], today: date) -> list[RosterSummary]:
    status = Certification.status_on(today)
    rows = session.execute(
        select(Certification.municipality_number, status, func.count())
        .where(Certification.is_current, Certification.municipality_number.in_(numbers))
        .group_by(Certification.municipality_number, status)
    )
    counts = {number: dict.fromkeys(CertificationStatus, 0) for number in numbers}
    for number, value, count in rows:
        counts[number][CertificationStatus(value)] = count
    municipalities = session.scalars(
        select(Municipality).where(Municipality.number.in_(numbers)).order_by(Municipality.name)
    )
    return [RosterSummary(item, counts[item.number]) for item in municipalities]


def _expiring(session: DbSession, numbers: list[str], today: date) -> list[Certification]:
    return list(
        session.scalars(
            select(Certification)
            .where(
                Certification.is_current,
                Certification.municipality_number.in_(numbers),
                Certification.revoked_at.is_(None),
                Certification.expires_on > today,
                Certification.expires_on <= today + EXPIRING_WITHIN,
            )
            .order_by(Certification.expires_on, Certification.id)
            .options(
                selectinload(Certification.person),
                selectinload(Certification.kind),
                selectinload(Certification.municipality),
            )
        )
    )


def _participation(session: DbSession, numbers: list[str], year: int) -> list[EventParticipation]:
    """Per event of the year (by its first day in Oslo), the staff's places and attendance."""
    start = datetime(year, 1, 1, tzinfo=OSLO)
    end = datetime(year + 1, 1, 1, tzinfo=OSLO)
    firsts = (
        select(EventSession.event_id, func.min(EventSession.starts_at).label("first"))
        .group_by(EventSession.event_id)
        .subquery()
    )
    attended = (
        select(Attendance.registration_id).join(
            EventSession, EventSession.id == Attendance.session_id
        )
    ).where(EventSession.event_id == Registration.event_id)
    rows = session.execute(
        select(
            Registration.event_id,
            func.count().filter(Registration.status == RegistrationStatus.CONFIRMED),
            func.count().filter(Registration.status == RegistrationStatus.WAITLISTED),
            func.count(distinct(Registration.id)).filter(Registration.id.in_(attended)),
        )
        .join(firsts, firsts.c.event_id == Registration.event_id)
        .where(
            Registration.municipality_number.in_(numbers),
            Registration.is_active,
            firsts.c.first >= start,
            firsts.c.first < end,
        )
        .group_by(Registration.event_id)
    ).all()
    events = {
        event.id: event
        for event in session.scalars(
            select(Event)
            .where(Event.id.in_([row[0] for row in rows]))
            .options(selectinload(Event.sessions), selectinload(Event.centre))
        )
    }
    participation = [EventParticipation(events[row[0]], *row[1:]) for row in rows]
    return sorted(participation, key=lambda item: (item.event.starts_at, item.event.id))


def _upcoming(session: DbSession, numbers: list[str], now: datetime) -> list[Event]:
    """Live events starting later that staff of at least one of the municipalities may join."""
    firsts = (
        select(EventSession.event_id)
        .group_by(EventSession.event_id)
        .having(func.min(EventSession.starts_at) > now)
    )
    restricted = select(event_eligible_municipality.c.event_id)
    allowed = restricted.where(event_eligible_municipality.c.municipality_number.in_(numbers))
    events = session.scalars(
        select(Event)
        .where(
            Event.is_live,
            Event.id.in_(firsts),
            or_(Event.id.not_in(restricted), Event.id.in_(allowed)),
        )
        .options(selectinload(Event.sessions), selectinload(Event.centre))
    ).all()
    return sorted(events, key=lambda event: (event.starts_at, event.id))[:UPCOMING_SHOWN]
