"""What an organiser does to several participants at once: cancel them with one reason,
or give those on the waiting list a place.

Each person goes through the same rule as a single action (waitlist.py), so every mail,
promotion and audit entry is the one a single action makes. What stops the whole batch
(the event has started, it is cancelled) is raised and the caller writes nothing; what
concerns one person (already cancelled, no seat left for them) is reported beside them.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.accounts.models import User
from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.models import Event
from usht_events.core.errors import DomainError
from usht_events.registration import errors, waitlist
from usht_events.registration.models import Registration, RegistrationStatus

# Refusals that concern one person of the selection; any other stops the batch.
PERSONAL_REFUSALS = {
    errors.ALREADY_CANCELLED,
    errors.NOT_WAITLISTED,
    errors.FULL_RAISE_CAPACITY,
    errors.MUNICIPALITY_FULL_RAISE_CAP,
}


@dataclass
class SelectionOutcome:
    """Who the action was done for, who got a place because of it, and who was refused why."""

    done: list[Registration] = field(default_factory=list)
    promoted: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, DomainError]] = field(default_factory=list)


def selected_registrations(
    session: DbSession, event: Event, registration_ids: list[int]
) -> list[Registration]:
    """The event's registrations with these ids, earliest sign-up first.

    An empty selection, or an id that is not one of this event's places, is refused: the
    organiser acts on exactly the people ticked, or on no one.
    """
    wanted = set(registration_ids)
    if not wanted:
        raise DomainError(errors.NOTHING_SELECTED)
    found = session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.id.in_(wanted))
        .options(selectinload(Registration.person))
        .order_by(Registration.created_at, Registration.id)
    ).all()
    if len(found) != len(wanted):
        raise DomainError(errors.REGISTRATION_NOT_FOUND)
    return list(found)


def cancel_registrations(
    session: DbSession,
    event: Event,
    registration_ids: list[int],
    now: datetime,
    base_url: str,
    actor: User,
    reason: str,
) -> SelectionOutcome:
    """Cancel every selected place with the same reason, mailed to each person.

    Those waiting are cancelled before those with a seat, so a seat freed here never goes
    to someone who is about to be cancelled too.
    """
    lock_event(session, event.id)
    selection = selected_registrations(session, event, registration_ids)
    waiting_first = sorted(selection, key=lambda item: item.status != RegistrationStatus.WAITLISTED)
    outcome = SelectionOutcome()
    for registration in waiting_first:
        try:
            promoted = waitlist.cancel_registration(
                session, registration, now, base_url, actor=actor, reason=reason
            )
        except DomainError as error:
            _refuse_or_raise(outcome, registration, error)
            continue
        outcome.done.append(registration)
        outcome.promoted.extend(promoted)
    return outcome


def promote_registrations(
    session: DbSession,
    event: Event,
    registration_ids: list[int],
    now: datetime,
    base_url: str,
    actor: User,
) -> SelectionOutcome:
    """Give each selected person on the waiting list a place, in waiting-list order, for as
    long as the event and their municipality have seats."""
    lock_event(session, event.id)
    outcome = SelectionOutcome()
    for registration in selected_registrations(session, event, registration_ids):
        try:
            waitlist.promote_registration(session, registration, now, base_url, actor)
        except DomainError as error:
            _refuse_or_raise(outcome, registration, error)
            continue
        outcome.done.append(registration)
    return outcome


def _refuse_or_raise(outcome: SelectionOutcome, registration, error: DomainError) -> None:
    if error.error not in PERSONAL_REFUSALS:
        raise error
    outcome.refused.append((registration, error))
