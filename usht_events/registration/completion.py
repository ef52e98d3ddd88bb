"""Completion: whether a participant completed an event.

An event asks for every session (the default) or at least `Event.required_sessions` of
them (learning networks: "at least 3 of 4 gatherings"). A confirmed registration has
completed the event when it was checked in (an `Attendance` row) at that many of the
event's sessions. The organiser may say otherwise, either way, with a reason: a
`CompletionOverride` row, which wins over the attendance, and an audit entry.

The participants page and its exports show completion; the certification area certifies
the completers. Nothing here decides whether the event is over: an event whose last
session is still to come simply has participants who have not completed it yet.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.models import Event
from usht_events.catalogue.models import Session as EventSession
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.registration import errors
from usht_events.registration.models import (
    Attendance,
    CompletionOverride,
    Registration,
    RegistrationStatus,
)

REASON_LIMIT = 1000


@dataclass(frozen=True)
class Completion:
    """A registration's attendance against what the event asks, and the organiser's word."""

    attended: int
    required: int
    sessions: int
    by_attendance: bool
    override: bool | None = None
    reason: str = ""

    @property
    def completed(self) -> bool:
        """What counts: the organiser's word when given, else the attendance."""
        return self.by_attendance if self.override is None else self.override

    @property
    def overridden(self) -> bool:
        return self.override is not None


def sessions_required(event: Event) -> int:
    """How many of the event's sessions a participant must attend: all, or the event's number."""
    count = len(event.sessions)
    return count if event.required_sessions is None else min(event.required_sessions, count)


def event_completions(session: DbSession, event: Event) -> dict[int, Completion]:
    """Every registration of the event (by id) with its completion."""
    registrations = session.execute(
        select(Registration.id, Registration.status).where(Registration.event_id == event.id)
    ).all()
    return _completions(session, event, registrations)


def registration_completion(session: DbSession, registration: Registration) -> Completion:
    """One registration's completion."""
    pairs = [(registration.id, registration.status)]
    return _completions(session, registration.event, pairs)[registration.id]


def _completions(session: DbSession, event: Event, registrations) -> dict[int, Completion]:
    ids = [registration_id for registration_id, _ in registrations]
    attended = _attendance_counts(session, event.id, ids)
    overrides = _overrides(session, ids)
    required, count = sessions_required(event), len(event.sessions)
    completions = {}
    for registration_id, status in registrations:
        present = attended.get(registration_id, 0)
        override = overrides.get(registration_id)
        completions[registration_id] = Completion(
            attended=present,
            required=required,
            sessions=count,
            by_attendance=status == RegistrationStatus.CONFIRMED and 0 < required <= present,
            override=override.completed if override else None,
            reason=override.reason if override else "",
        )
    return completions


def _attendance_counts(session: DbSession, event_id: int, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    # Only the event's own sessions count, each once (the table is unique per session).
    rows = session.execute(
        select(Attendance.registration_id, func.count(Attendance.id))
        .join(EventSession, EventSession.id == Attendance.session_id)
        .where(EventSession.event_id == event_id, Attendance.registration_id.in_(ids))
        .group_by(Attendance.registration_id)
    )
    return dict(rows.all())


def _overrides(session: DbSession, ids: list[int]) -> dict[int, CompletionOverride]:
    if not ids:
        return {}
    rows = session.scalars(
        select(CompletionOverride).where(CompletionOverride.registration_id.in_(ids))
    )
    return {row.registration_id: row for row in rows}


def override_completion(
    session: DbSession,
    actor: User | None,
    registration_id: int,
    completed: bool | None,
    reason: str,
    now: datetime,
) -> Completion:
    """Say that a registration completed (True) or did not (False), whatever its
    attendance, with a reason; None goes back to the attendance. Audited."""
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise DomainError(errors.REGISTRATION_NOT_FOUND)
    # Two organisers overriding at once take turns, so neither insert fails on the key.
    lock_event(session, registration.event_id)
    reason = (reason or "").strip()[:REASON_LIMIT]
    if completed is not None:
        if registration.status != RegistrationStatus.CONFIRMED:
            raise DomainError(errors.COMPLETION_NOT_CONFIRMED)
        if not reason:
            raise DomainError(errors.COMPLETION_REASON_REQUIRED)
    existing = session.get(CompletionOverride, registration.id)
    if completed is None:
        if existing is not None:
            session.delete(existing)
    elif existing is None:
        session.add(_override(registration, completed, reason, actor, now))
    else:
        existing.completed, existing.reason = completed, reason
        existing.decided_by_id, existing.decided_at = getattr(actor, "id", None), now
    session.flush()
    summary = _summary(registration, completed, reason)
    record_action(session, actor, "registration.completion", summary, registration.event_id)
    return registration_completion(session, registration)


def _override(registration, completed, reason, actor, now) -> CompletionOverride:
    return CompletionOverride(
        registration_id=registration.id,
        completed=completed,
        reason=reason,
        decided_by_id=getattr(actor, "id", None),
        decided_at=now,
    )


def _summary(registration: Registration, completed: bool | None, reason: str) -> str:
    if completed is None:
        return f"Påmelding #{registration.id}: fullført følger oppmøtet igjen."
    verdict = "fullført" if completed else "ikke fullført"
    return f"Påmelding #{registration.id} satt som {verdict} (overstyrt): {reason}"
