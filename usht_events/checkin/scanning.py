"""Checking a person in at one session, and undoing it.

The camera scanner, the manual code field, the name search, the ticket page's one tap and
the offline desk's queued scans all call `check_in`. A check-in is one conditional write:
the attendance row is inserted only for a confirmed registration, and only when it has
none at that session yet (the unique index on registration and session, ON CONFLICT DO
NOTHING). Two organisers scanning one ticket at the same moment both run it: one insert
wins and answers `checked_in`, the other finds the row and answers `already_checked_in`
with its time. On PostgreSQL the insert reads the registration FOR SHARE, so a
cancellation committing meanwhile is seen; on SQLite every writer holds the database's
write lock (BEGIN IMMEDIATE) anyway.

A scan that checks nobody in is an answer, not an error: one of the `ScanResult`s, whose
values are the public JSON contract of POST /admin/events/<id>/checkin. Check-ins are
not written to the audit log (the attendance row records who, when and how); undoing one is.
"""

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Integer, String, bindparam, cast, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue.models import Event, EventStatus, Session
from usht_events.checkin import errors
from usht_events.checkin.sessions import default_session
from usht_events.core.audit import record_action
from usht_events.core.db import UTCDateTime
from usht_events.core.errors import DomainError
from usht_events.core.i18n import N_
from usht_events.core.timezones import format_clock
from usht_events.core.tokens import READABLE_ALPHABET
from usht_events.organisations.models import Municipality
from usht_events.registration.models import (
    Attendance,
    CheckinMethod,
    Person,
    Registration,
    RegistrationStatus,
)


class ScanResult(enum.StrEnum):
    """What a scan found; the values are the check-in endpoint's public `result`."""

    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    WRONG_EVENT = "wrong_event"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    UNKNOWN = "unknown"


# What the desk shows for each result, large, beside its colour.
RESULT_MESSAGES = {
    ScanResult.CHECKED_IN: N_("Sjekket inn: %(who)s"),
    ScanResult.ALREADY_CHECKED_IN: N_("Allerede sjekket inn kl. %(time)s"),
    ScanResult.WRONG_EVENT: N_("Billett til et annet arrangement"),
    ScanResult.CANCELLED: N_("Påmeldingen er avmeldt"),
    ScanResult.WAITLISTED: N_("Står på venteliste"),
    ScanResult.UNKNOWN: N_("Ukjent billett"),
}
EVENT_CANCELLED_MESSAGE = N_("Arrangementet er avlyst")


@dataclass(frozen=True)
class ScanOutcome:
    """The answer to one scan."""

    result: ScanResult
    session_id: int
    registration_id: int | None = None
    name: str = ""
    municipality: str = ""
    # The check-in's time: this one's for checked_in, the earlier one's otherwise.
    checked_in_at: datetime | None = None
    # A confirmed place on an event that was cancelled: answered as `cancelled`.
    event_cancelled: bool = False
    # An offline scan sent again after its answer was lost: its own check-in, found again.
    replayed: bool = False

    @property
    def who(self) -> str:
        """'Kari Nordmann, Indre Østfold', or the name alone."""
        return ", ".join(part for part in (self.name, self.municipality) if part)

    def message_details(self, locale: str = "nb") -> dict:
        """The values RESULT_MESSAGES' placeholders take."""
        time = format_clock(self.checked_in_at, locale=locale) if self.checked_in_at else ""
        return {"who": self.who, "time": time}


# What was typed or scanned: the ticket's secret, or its URL, or the read-out code.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,43}$")
READ_OUT = re.compile(rf"^[{READABLE_ALPHABET}]{{10}}$")


@dataclass(frozen=True)
class TicketKey:
    """A ticket secret (looked up everywhere) or a read-out code (this event only)."""

    token: str | None = None
    read_out: str | None = None


def read_code(code: str) -> TicketKey | None:
    """The key in a scanned URL (…/t/<code>) or a typed code; None when it is neither."""
    text = code.strip()
    if "/t/" in text:
        text = re.split(r"[?#/]", text.rsplit("/t/", 1)[1], maxsplit=1)[0]
    if TOKEN.match(text):
        return TicketKey(token=text)
    # Read out at the door and typed as heard: any case, spaces and dashes between groups.
    short = re.sub(r"[\s-]", "", text).upper()
    if READ_OUT.match(short):
        return TicketKey(read_out=short)
    return None


_TICKET = (
    select(
        Registration.id,
        Registration.event_id,
        Registration.status,
        Person.name,
        Municipality.name,
    )
    .join(Person, Person.id == Registration.person_id)
    .outerjoin(Municipality, Municipality.number == Registration.municipality_number)
)
_BY_TOKEN = _TICKET.where(Registration.ticket_token == bindparam("token"))
# Only inside the event: the read-out code is too short to be a key anywhere else.
_IN_EVENT = Registration.event_id == bindparam("event_id")
_BY_READ_OUT = _TICKET.where(Registration.ticket_code == bindparam("code"), _IN_EVENT)
_BY_ID = _TICKET.where(Registration.id == bindparam("registration_id"), _IN_EVENT)

registrations = Registration.__table__
attendances = Attendance.__table__


_days = Session.__table__


def _insert_attendance(dialect_insert):
    # The registration's own row is the source: no row (not confirmed, or a day of another
    # event) means no insert, and the caller finds out which.
    day_of_event = (
        select(_days.c.id)
        .where(_days.c.id == bindparam("session_id"), _days.c.event_id == registrations.c.event_id)
        .exists()
    )
    source = (
        select(
            registrations.c.id,
            cast(bindparam("session_id"), Integer),
            bindparam("at", type_=UTCDateTime()),
            cast(bindparam("by"), Integer),
            cast(bindparam("method"), String),
        )
        .where(
            registrations.c.id == bindparam("registration_id"),
            registrations.c.status == RegistrationStatus.CONFIRMED.value,
            day_of_event,
        )
        .with_for_update(read=True, of=registrations)
    )
    columns = ["registration_id", "session_id", "checked_in_at", "checked_in_by_id", "method"]
    return (
        dialect_insert(attendances)
        .from_select(columns, source)
        .on_conflict_do_nothing(index_elements=["registration_id", "session_id"])
        .returning(attendances.c.id)
    )


INSERT_ATTENDANCE = {
    "postgresql": _insert_attendance(postgresql.insert),
    "sqlite": _insert_attendance(sqlite.insert),
}
_EARLIER = select(Attendance.checked_in_at, Attendance.checked_in_by_id).where(
    Attendance.registration_id == bindparam("registration_id"),
    Attendance.session_id == bindparam("session_id"),
)
_STATUS_NOW = select(Registration.status).where(Registration.id == bindparam("registration_id"))

_REFUSED = {
    RegistrationStatus.CANCELLED: ScanResult.CANCELLED,
    RegistrationStatus.WAITLISTED: ScanResult.WAITLISTED,
}


def check_in(
    session: DbSession,
    event: Event,
    now: datetime,
    actor: User | None,
    *,
    code: str | None = None,
    registration_id: int | None = None,
    session_id: int | None = None,
    scanned_at: datetime | None = None,
    method: CheckinMethod = CheckinMethod.SCAN,
) -> ScanOutcome:
    """Check the ticket's person in at the session (default: the one running now or next).

    The ticket is a `code` (secret, URL or read-out code) or, from the name search, a
    `registration_id` of this event. `scanned_at` is an offline scan's own time: the
    attendance keeps it, though never a time after `now`.
    """
    if registration_id is None and not (code or "").strip():
        raise DomainError(errors.NO_CODE)
    if session_id is None:
        session_id = resolve_session(session, event, None, now)
    ticket = _find_ticket(session, event.id, code, registration_id)
    if ticket is None or ticket[1] != event.id or ticket[2] != RegistrationStatus.CONFIRMED:
        # Checked here rather than before: the check-in itself checks the day in its insert.
        day = resolve_session(session, event, session_id, now)
        return _refusal(event, day, ticket)
    if event.status == EventStatus.CANCELLED:
        day = resolve_session(session, event, session_id, now)
        return _refusal(event, day, ticket)
    found_id, _, _, name, municipality = ticket
    outcome = ScanOutcome(ScanResult.UNKNOWN, session_id, found_id, name, municipality or "")
    at = min(scanned_at, now) if scanned_at else now
    inserted = session.execute(
        INSERT_ATTENDANCE[session.get_bind().dialect.name],
        {
            "registration_id": found_id,
            "session_id": session_id,
            "at": at,
            "by": getattr(actor, "id", None),
            "method": method.value,
        },
    ).scalar_one_or_none()
    if inserted is not None:
        return _with(outcome, ScanResult.CHECKED_IN, checked_in_at=at)
    return _not_inserted(session, event, outcome, at if scanned_at else None, actor)


def _refusal(event: Event, day: int, ticket) -> ScanOutcome:
    """The answer for a ticket that cannot check in here: unknown, elsewhere, not a place."""
    if ticket is None:
        return ScanOutcome(ScanResult.UNKNOWN, day)
    found_id, event_id, status, name, municipality = ticket
    if event_id != event.id:
        return ScanOutcome(ScanResult.WRONG_EVENT, day)
    outcome = ScanOutcome(ScanResult.CANCELLED, day, found_id, name, municipality or "")
    if event.status == EventStatus.CANCELLED:
        return _with(outcome, ScanResult.CANCELLED, event_cancelled=True)
    return _with(outcome, _REFUSED[RegistrationStatus(status)])


def _not_inserted(session, event, outcome: ScanOutcome, scanned_at, actor) -> ScanOutcome:
    """The insert found a day of another event, a check-in already there, or a place
    cancelled meanwhile."""
    resolve_session(session, event, outcome.session_id, None)
    params = {"registration_id": outcome.registration_id, "session_id": outcome.session_id}
    earlier = session.execute(_EARLIER, params).one_or_none()
    if earlier is None:
        status = RegistrationStatus(session.execute(_STATUS_NOW, params).scalar_one())
        return _with(outcome, _REFUSED.get(status, ScanResult.CANCELLED))
    at, by = earlier
    # The very scan that made it (its answer lost on the way back): not a second person.
    replayed = scanned_at is not None and at == scanned_at and by == getattr(actor, "id", None)
    if replayed:
        return _with(outcome, ScanResult.CHECKED_IN, checked_in_at=at, replayed=True)
    return _with(outcome, ScanResult.ALREADY_CHECKED_IN, checked_in_at=at)


def _with(outcome: ScanOutcome, result: ScanResult, **fields) -> ScanOutcome:
    return replace(outcome, result=result, **fields)


def _find_ticket(session: DbSession, event_id: int, code, registration_id):
    if registration_id is not None:
        return session.execute(
            _BY_ID, {"registration_id": registration_id, "event_id": event_id}
        ).one_or_none()
    key = read_code(code)
    if key is None:
        return None
    if key.token is not None:
        return session.execute(_BY_TOKEN, {"token": key.token}).one_or_none()
    return session.execute(_BY_READ_OUT, {"code": key.read_out, "event_id": event_id}).one_or_none()


_SESSION_OF_EVENT = select(Session.id).where(
    Session.id == bindparam("session_id"), Session.event_id == bindparam("event_id")
)


def resolve_session(session: DbSession, event: Event, session_id: int | None, now) -> int:
    """The session asked for, if it is the event's; else the one running now or next."""
    if session_id is not None:
        found = session.execute(
            _SESSION_OF_EVENT, {"session_id": session_id, "event_id": event.id}
        ).scalar_one_or_none()
        if found is None:
            raise DomainError(errors.UNKNOWN_SESSION)
        return found
    chosen = default_session(event.sessions, now)
    if chosen is None:
        raise DomainError(errors.NO_SESSIONS)
    return chosen.id


def undo_check_in(
    session: DbSession,
    event: Event,
    registration_id: int,
    session_id: int,
    actor: User | None,
) -> None:
    """Remove a check-in (scanned by mistake), and say so in the event's log."""
    day = resolve_session(session, event, session_id, None)
    in_event = select(Registration.id).where(
        Registration.id == registration_id, Registration.event_id == event.id
    )
    removed = session.execute(
        delete(Attendance)
        .where(
            Attendance.registration_id.in_(in_event.scalar_subquery()),
            Attendance.session_id == day,
        )
        .returning(Attendance.checked_in_at)
    ).scalar_one_or_none()
    if removed is None:
        raise DomainError(errors.NOT_CHECKED_IN)
    summary = (
        f"Angret innsjekkingen av påmelding #{registration_id} på dag #{day}"
        f" (sjekket inn kl. {format_clock(removed)})."
    )
    record_action(session, actor, "attendance.undo", summary, event_id=event.id)
