"""Reminders before a certification expires: once per certification, to the person and to
the contacts of the municipality it belongs to, with the upcoming courses that renew it.

A certification is due when it expires within `days_before` days, is not revoked, has not
been reminded of, and is the person's current certification of the kind (renewal.py):
someone who already renewed hears nothing. `expiry_reminded_at` is set
in the same transaction as the mails are queued, so each is reminded of once; on
PostgreSQL a second worker skips the rows the first has locked.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.accounts.models import Role, User, user_municipality
from usht_events.certification import notifications
from usht_events.certification.models import Certification
from usht_events.core.timezones import to_oslo


def due_for_reminder(session: DbSession, now: datetime, days_before: int, limit: int):
    """Certifications to remind of now, soonest expiry first, locked for this transaction."""
    today = to_oslo(now).date()
    return session.scalars(
        select(Certification)
        .where(
            Certification.expiry_reminded_at.is_(None),
            Certification.revoked_at.is_(None),
            Certification.expires_on > today,
            Certification.expires_on <= today + timedelta(days=days_before),
            Certification.is_current,
        )
        .order_by(Certification.expires_on, Certification.id)
        .limit(limit)
        .options(selectinload(Certification.person), selectinload(Certification.kind))
        .with_for_update(skip_locked=True, of=Certification)
    ).all()


def queue_expiry_reminders(
    session: DbSession, now: datetime, days_before: int, base_url: str, limit: int
) -> int:
    """Remind the people and contacts of up to `limit` certifications; returns how many."""
    due = due_for_reminder(session, now, days_before, limit)
    courses = {}
    by_municipality = defaultdict(list)
    for certification in due:
        certification.expiry_reminded_at = now
        key = (certification.kind_id, certification.municipality_number)
        if key not in courses:
            courses[key] = notifications.upcoming_courses(
                session, certification.kind_id, certification.municipality_number, now, base_url
            )
        notifications.notify_expiring(session, certification, courses[key], base_url, now)
        if certification.municipality is not None:
            by_municipality[certification.municipality_number].append(certification)
    for number, certifications in by_municipality.items():
        per_kind = {item.kind_id: courses[item.kind_id, number] for item in certifications}
        municipality = certifications[0].municipality
        for contact in _contacts(session, number):
            notifications.notify_contact_of_expiring(
                session, contact, municipality, certifications, per_kind, base_url, now
            )
    session.flush()
    return len(due)


def _contacts(session: DbSession, number: str) -> list[User]:
    """The active municipality contacts bound to the municipality."""
    return list(
        session.scalars(
            select(User)
            .join(user_municipality, user_municipality.c.user_id == User.id)
            .where(
                user_municipality.c.municipality_number == number,
                User.role == Role.MUNICIPALITY,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )
