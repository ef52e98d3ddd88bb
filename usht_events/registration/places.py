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


def has_room(event, confirmed: int) -> bool:
    """True when the event as a whole has a free seat (its capacity, not the municipality's)."""
    return event.capacity is None or confirmed < event.capacity


def fits(event, confirmed: int, confirmed_here: int) -> bool:
    """True when one more confirmed place, from a municipality with `confirmed_here`, fits.

    `event` is an Event or anything with its `capacity` and `seats_per_municipality`.
    """
    if not has_room(event, confirmed):
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


def _positions(event_id: int, municipality_number: str | None = None):
    """Places in line on the event's waiting list, or among those of one municipality."""
    query = select(
        Registration.id.label("registration_id"),
        func.row_number().over(order_by=WAITLIST_ORDER).label("position"),
    ).where(
        Registration.event_id == event_id,
        Registration.status == RegistrationStatus.WAITLISTED,
    )
    if municipality_number is not None:
        query = query.where(Registration.municipality_number == municipality_number)
    return query.subquery()


def waitlist_positions(session: DbSession, event_id: int) -> dict[int, int]:
    """Registration id to place in line (1 is first) for the event's whole waiting list."""
    positions = _positions(event_id)
    return dict(session.execute(select(positions.c.registration_id, positions.c.position)).all())


def waitlist_position(
    session: DbSession, registration: Registration, *, in_municipality: bool = False
) -> int | None:
    """1 for the first in line; None when the registration is not waitlisted.

    `in_municipality` counts only those of the registration's own municipality: the line
    that matters to someone who waits for their municipality's seats (`waits_for_municipality`).
    """
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    municipality = registration.municipality_number if in_municipality else None
    positions = _positions(registration.event_id, municipality)
    return session.scalar(
        select(positions.c.position).where(positions.c.registration_id == registration.id)
    )


def waits_for_municipality(session: DbSession, registration: Registration) -> bool:
    """True when a waitlisted registration waits only for its municipality's seats.

    The event has a free seat, but the municipality holds all it may: a seat for this
    person frees up only when someone of the same municipality gives theirs up, or when
    the organiser allows more per municipality. Worked out now, never stored.
    """
    event = registration.event
    if registration.status != RegistrationStatus.WAITLISTED or event.seats_per_municipality is None:
        return False
    confirmed, here = confirmed_counts(session, event.id, registration.municipality_number)
    return has_room(event, confirmed) and here >= event.seats_per_municipality


def next_in_line(session: DbSession, registration: Registration) -> Registration | None:
    """Who would get this confirmed place if it were given up now, if anyone.

    The earliest waitlisted who fits the caps once the place is free, as
    `waitlist.promote_waitlisted` would choose; None when nobody waits or nobody fits.
    """
    event = registration.event
    waiting = waiting_list(session, event.id)
    if registration.status != RegistrationStatus.CONFIRMED or not waiting:
        return None
    per_municipality = dict(
        session.execute(
            select(Registration.municipality_number, func.count(Registration.id))
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .group_by(Registration.municipality_number)
        ).all()
    )
    per_municipality[registration.municipality_number] -= 1
    confirmed = sum(per_municipality.values())
    for candidate in waiting:
        if fits(event, confirmed, per_municipality.get(candidate.municipality_number, 0)):
            return candidate
    return None
