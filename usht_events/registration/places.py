"""Who holds the places on an event: counts, the caps and the waiting list's order.

Every rule that can change who holds a seat follows one pattern: lock the event, count,
decide, write, all in the caller's transaction. On PostgreSQL the lock is a row lock on
the event (SELECT ... FOR UPDATE); on SQLite the transaction already holds the database's
write lock from its BEGIN IMMEDIATE (see core/db.py). The lock is catalogue's lock_event.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import Event
from usht_events.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class Counts:
    """Public counts of an event."""

    confirmed: int = 0
    waitlisted: int = 0


def fits(event, confirmed: int, confirmed_here: int) -> bool:
    """True when one more confirmed place, from a municipality with `confirmed_here`, fits.

    `event` is an Event or anything with its `capacity` and `seats_per_municipality`.
    """
    if event.capacity is not None and confirmed >= event.capacity:
        return False
    cap = event.seats_per_municipality
    return cap is None or confirmed_here < cap


def confirmed_counts(session: DbSession, event_id: int, municipality_number) -> tuple[int, int]:
    """Confirmed places of the event, in all and from one municipality, in one query."""
    here = Registration.municipality_number == municipality_number
    total, in_municipality = session.execute(
        select(func.count(Registration.id), func.count(Registration.id).filter(here)).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).one()
    return total, in_municipality


def has_seat_for(session: DbSession, event: Event, municipality_number: str | None) -> bool:
    """True when one more confirmed place from this municipality fits every cap."""
    return fits(event, *confirmed_counts(session, event.id, municipality_number))


def confirmed_count(session: DbSession, event_id: int) -> int:
    """Confirmed registrations of the event."""
    return session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def active_count(session: DbSession, event_id: int) -> int:
    """Confirmed and waitlisted registrations: the people a change or cancellation concerns."""
    return session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id, Registration.is_active
        )
    )


def largest_municipality_count(session: DbSession, event_id: int) -> int:
    """The most confirmed places any one municipality holds on the event."""
    per_municipality = (
        select(func.count(Registration.id).label("n"))
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Registration.municipality_number)
        .subquery()
    )
    return session.scalar(select(func.coalesce(func.max(per_municipality.c.n), 0)))


def counts_for_events(session: DbSession, event_ids: list[int]) -> dict[int, Counts]:
    """Confirmed and waitlisted counts for many events in one query."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(Registration.event_id, Registration.status, func.count(Registration.id))
        .where(Registration.event_id.in_(event_ids), Registration.is_active)
        .group_by(Registration.event_id, Registration.status)
    )
    tallies: dict[int, dict[str, int]] = {event_id: {} for event_id in event_ids}
    for event_id, status, count in rows:
        tallies[event_id][RegistrationStatus(status).value] = count
    return {
        event_id: Counts(confirmed=tally.get("confirmed", 0), waitlisted=tally.get("waitlisted", 0))
        for event_id, tally in tallies.items()
    }


# The waiting list's one order: sign-up time, then id for sign-ups in the same instant.
WAITLIST_ORDER = (Registration.created_at, Registration.id)


def waiting_list(session: DbSession, event_id: int) -> list[Registration]:
    """Waitlisted registrations in line order."""
    return list(
        session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(*WAITLIST_ORDER)
        )
    )


def _positions(event_id: int):
    return (
        select(
            Registration.id.label("registration_id"),
            func.row_number().over(order_by=WAITLIST_ORDER).label("position"),
        )
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .subquery()
    )


def waitlist_positions(session: DbSession, event_id: int) -> dict[int, int]:
    """Registration id to place in line (1 is first) for the event's whole waiting list."""
    positions = _positions(event_id)
    return dict(session.execute(select(positions.c.registration_id, positions.c.position)).all())


def waitlist_position(session: DbSession, registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    positions = _positions(registration.event_id)
    return session.scalar(
        select(positions.c.position).where(positions.c.registration_id == registration.id)
    )
