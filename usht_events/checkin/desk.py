"""What the check-in desk reads: counts per day, who is still missing, the name search,
the latest check-ins, and the snapshot an offline desk answers scans from.

The snapshot holds only what a scan must show (name, municipality, status, the time of a
check-in at that day) and, instead of the ticket codes themselves, their SHA-256 digests:
a lost phone's storage does not hand out working tickets. The browser digests what it
scans the same way (`ticket_key`) and looks that up.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import Event, Session
from usht_events.organisations.models import Municipality
from usht_events.registration.models import Attendance, Person, Registration, RegistrationStatus
from usht_events.registration.participants import sort_key

SEARCH_LIMIT = 30
RECENT_LIMIT = 10
# An offline desk keeps its snapshot until this long after the event's last day ends.
SNAPSHOT_KEPT_AFTER_END = timedelta(hours=12)


@dataclass(frozen=True)
class DayCount:
    """One session's check-ins against its confirmed places."""

    session: Session
    checked_in: int
    confirmed: int


@dataclass(frozen=True)
class DeskRow:
    """A registration as the desk lists it, with its check-in at the chosen day."""

    registration_id: int
    name: str
    email: str
    municipality: str
    workplace: str
    status: RegistrationStatus
    checked_in_at: datetime | None


def day_counts(session: DbSession, event: Event) -> list[DayCount]:
    """Checked in and confirmed for every session of the event, in order."""
    confirmed = session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    checked_in = dict(
        session.execute(
            select(Attendance.session_id, func.count(Attendance.id))
            .join(Registration, Registration.id == Attendance.registration_id)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .group_by(Attendance.session_id)
        ).all()
    )
    return [DayCount(day, checked_in.get(day.id, 0), confirmed) for day in event.sessions]


def _rows(session_id: int):
    """Registrations with their check-in at the session (None when not checked in)."""
    at_day = and_(
        Attendance.registration_id == Registration.id, Attendance.session_id == session_id
    )
    return (
        select(
            Registration.id,
            Person.name,
            Person.email,
            func.coalesce(Municipality.name, ""),
            Registration.workplace,
            Registration.status,
            Attendance.checked_in_at,
        )
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Municipality, Municipality.number == Registration.municipality_number)
        .outerjoin(Attendance, at_day)
    )


def _desk_rows(session: DbSession, query) -> list[DeskRow]:
    return [
        DeskRow(row[0], row[1], row[2], row[3], row[4], RegistrationStatus(row[5]), row[6])
        for row in session.execute(query)
    ]


def missing(session: DbSession, event_id: int, session_id: int) -> list[DeskRow]:
    """Confirmed people not yet checked in at the session, by name."""
    rows = _desk_rows(
        session,
        _rows(session_id).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Attendance.id.is_(None),
        ),
    )
    return sorted(rows, key=lambda row: sort_key(row.name))


def recent_check_ins(session: DbSession, event_id: int, session_id: int) -> list[DeskRow]:
    """The latest check-ins at the session, newest first (to undo a mistaken one)."""
    return _desk_rows(
        session,
        _rows(session_id)
        .where(Registration.event_id == event_id, Attendance.id.is_not(None))
        .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc())
        .limit(RECENT_LIMIT),
    )


def search(session: DbSession, event_id: int, session_id: int, text: str) -> list[DeskRow]:
    """Registrations of the event whose name, e-mail or workplace contains the text."""
    words = text.casefold().split()
    if not words:
        return []
    matches = [
        or_(
            func.lower(Person.name).contains(word, autoescape=True),
            func.lower(Person.email).contains(word, autoescape=True),
            func.lower(Registration.workplace).contains(word, autoescape=True),
        )
        for word in words[:5]
    ]
    rows = _desk_rows(
        session,
        _rows(session_id).where(Registration.event_id == event_id, *matches).limit(SEARCH_LIMIT),
    )
    return sorted(
        rows, key=lambda row: (row.status != RegistrationStatus.CONFIRMED, sort_key(row.name))
    )


def ticket_key(code: str) -> str:
    """The digest the snapshot keeps of a ticket code (the browser computes the same)."""
    return hashlib.sha256(code.encode()).hexdigest()[:32]


def snapshot(session: DbSession, event: Event, session_id: int, now: datetime) -> dict:
    """Everything an offline desk needs to answer scans for one session of the event."""
    at_day = and_(
        Attendance.registration_id == Registration.id, Attendance.session_id == session_id
    )
    rows = session.execute(
        select(
            Registration.ticket_token,
            Registration.ticket_code,
            Person.name,
            func.coalesce(Municipality.name, ""),
            Registration.status,
            Attendance.checked_in_at,
        )
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Municipality, Municipality.number == Registration.municipality_number)
        .outerjoin(Attendance, at_day)
        .where(Registration.event_id == event.id)
    )
    tickets = [
        {
            "keys": [ticket_key(token), ticket_key(code)],
            "name": name,
            "municipality": municipality,
            "status": RegistrationStatus(status).value,
            "checked_in_at": _iso(checked_in_at),
        }
        for token, code, name, municipality, status, checked_in_at in rows
    ]
    ends_at = event.ends_at or now
    return {
        "event": event.id,
        "session": session_id,
        "event_cancelled": event.is_cancelled,
        "taken_at": _iso(now),
        "expires_at": _iso(ends_at + SNAPSHOT_KEPT_AFTER_END),
        "tickets": tickets,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None
