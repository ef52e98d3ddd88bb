"""Giving up a place, and who gets it: cancelling, promotion from the waiting list, and
the caps an organiser changes.

Each use case locks the event, decides, writes, queues the mails it causes (the cancelled
person's, the promoted's, the minimum-reached ones) and, for an organiser, the audit entry.
"""

from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.models import Event
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.registration import errors, notifications
from usht_events.registration.models import Registration, RegistrationStatus
from usht_events.registration.places import (
    confirmed_count,
    has_seat_for,
    largest_municipality_count,
    waiting_list,
)
from usht_events.registration.signup import check_changeable
from usht_events.registration.threshold import record_threshold_if_reached


def cancel_registration(
    session: DbSession,
    registration: Registration,
    now: datetime,
    base_url: str,
    actor: User | None = None,
    reason: str = "",
) -> list[Registration]:
    """Give up a place; a freed seat goes to the earliest waitlisted who fit. Returns them.

    Without an `actor` the person cancels through their own link and is thanked for letting
    us know; with one, an organiser cancels for them and must give a `reason`, which the
    person is mailed and the audit entry keeps. Neither can once the event has started.
    """
    reason = (reason or "").strip()
    if actor is not None and not reason:
        raise DomainError(errors.CANCEL_REASON_MISSING)
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(errors.ALREADY_CANCELLED)
    if event.starts_at is not None and event.starts_at <= now:
        raise DomainError(errors.CANCEL_AFTER_START if actor is None else errors.CHANGE_AFTER_START)
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.cancellation_reason = reason
    session.flush()
    if actor is None:
        notifications.notify_cancelled(session, registration, base_url, now)
    else:
        notifications.notify_cancelled_by_organiser(session, registration, reason, base_url, now)
    promoted = promote_waitlisted(session, event, now, base_url) if was_confirmed else []
    if actor is not None:
        summary = f"Meldte av påmelding #{registration.id} (person #{registration.person_id})."
        if promoted:
            summary += f" Fikk plass fra ventelisten: {', '.join(f'#{r.id}' for r in promoted)}."
        summary += f" Begrunnelse: {reason}"
        record_action(session, actor, "registration.cancel", summary, event_id=event.id)
    return promoted


def promote_waitlisted(
    session: DbSession, event: Event, now: datetime, base_url: str
) -> list[Registration]:
    """Confirm the earliest waitlisted who fit the caps and tell them; the caller holds the lock."""
    promoted = []
    for registration in waiting_list(session, event.id):
        if event.capacity is not None and confirmed_count(session, event.id) >= event.capacity:
            break
        if has_seat_for(session, event, registration.municipality_number):
            _confirm(session, registration, now)
            promoted.append(registration)
    if promoted:
        notifications.notify_promoted(session, promoted, base_url, now)
        record_threshold_if_reached(session, event, now, base_url)
    return promoted


def promote_registration(
    session: DbSession, registration: Registration, now: datetime, base_url: str, actor: User
) -> Registration:
    """The organiser gives a waitlisted person a free seat now, out of turn."""
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise DomainError(errors.NOT_WAITLISTED)
    check_changeable(event, now)
    if event.capacity is not None and confirmed_count(session, event.id) >= event.capacity:
        raise DomainError(errors.FULL_RAISE_CAPACITY, capacity=event.capacity)
    if not has_seat_for(session, event, registration.municipality_number):
        raise DomainError(errors.MUNICIPALITY_FULL_RAISE_CAP, seats=event.seats_per_municipality)
    _confirm(session, registration, now)
    record_threshold_if_reached(session, event, now, base_url)
    notifications.notify_promoted(session, [registration], base_url, now)
    summary = f"Ga påmelding #{registration.id} (person #{registration.person_id}) plass."
    record_action(session, actor, "registration.promote", summary, event_id=event.id)
    return registration


def change_capacity(
    session: DbSession,
    event_id: int,
    capacity: int | None,
    seats_per_municipality: int | None,
    now: datetime,
    base_url: str,
) -> list[Registration]:
    """Change the caps; raising them promotes from the waiting list at once (and tells them)."""
    event = lock_event(session, event_id)
    if capacity is not None and capacity < 1:
        raise DomainError(errors.INVALID_CAPACITY)
    if seats_per_municipality is not None and seats_per_municipality < 1:
        raise DomainError(errors.INVALID_SEATS)
    if capacity is not None and confirmed_count(session, event.id) > capacity:
        raise DomainError(errors.CAPACITY_BELOW_CONFIRMED)
    if seats_per_municipality is not None and (
        largest_municipality_count(session, event.id) > seats_per_municipality
    ):
        raise DomainError(errors.SEATS_BELOW_CONFIRMED)
    event.capacity = capacity
    event.seats_per_municipality = seats_per_municipality
    session.flush()
    return promote_waitlisted(session, event, now, base_url)


def _confirm(session: DbSession, registration: Registration, now: datetime) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    session.flush()
