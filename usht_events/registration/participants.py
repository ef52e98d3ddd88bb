"""The organiser's view of an event's participants: the list and its counts, resending a
confirmation, and messages to everyone or a group.

Adding by hand is signup.sign_up with the organiser as actor; cancelling and moving from
the waiting list are in waitlist.py. Each rule that changes data writes its audit entry and
its mail in the caller's transaction. Audit summaries name registrations and people by id,
never by name or e-mail address: the audit log outlives the anonymisation of old
registrations.
"""

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.accounts.models import User
from usht_events.catalogue import errors as event_errors
from usht_events.catalogue.models import Event
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.core.i18n import N_
from usht_events.core.mail import header_safe, mail_language, render_mail, safe_address
from usht_events.core.outbox import OutboxMessage, queue_mail
from usht_events.core.timezones import format_date_span
from usht_events.core.tokens import readable_code, ticket_secret
from usht_events.organisations.models import Municipality
from usht_events.registration import errors, notifications
from usht_events.registration.models import Attendance, Person, Registration, RegistrationStatus
from usht_events.registration.selection import selected_registrations

STATUS_ORDER = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)
# Norwegian alphabetical order puts æ, ø, å after z.
_NORWEGIAN = str.maketrans({"æ": "z{", "ø": "z|", "å": "z}"})


class Audience(enum.StrEnum):
    """Who an organiser's message goes to."""

    ALL = "all"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"

    @property
    def label(self) -> str:
        return {
            "all": N_("Alle påmeldte"),
            "confirmed": N_("Bekreftede deltakere"),
            "waitlisted": N_("De på ventelisten"),
        }[self.value]

    @property
    def statuses(self) -> tuple[RegistrationStatus, ...]:
        if self == Audience.ALL:
            return (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        return (RegistrationStatus(self.value),)


@dataclass(frozen=True)
class MunicipalityCount:
    """Active registrations of an event from one municipality."""

    number: str | None
    name: str
    confirmed: int = 0
    waitlisted: int = 0


def sort_key(text: str) -> str:
    """Case-insensitive key in Norwegian alphabetical order."""
    return (text or "").casefold().translate(_NORWEGIAN)


def status_counts(session: DbSession, event_id: int) -> dict[RegistrationStatus, int]:
    """Registrations of the event per status, every status present."""
    rows = session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(STATUS_ORDER, 0)
    counts.update({RegistrationStatus(status): count for status, count in rows})
    return counts


def municipality_counts(session: DbSession, event_id: int) -> list[MunicipalityCount]:
    """Confirmed and waitlisted registrations per municipality, in alphabetical order."""
    rows = session.execute(
        select(
            Registration.municipality_number, Municipality.name, Registration.status, func.count()
        )
        .outerjoin(Municipality, Municipality.number == Registration.municipality_number)
        .where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .group_by(Registration.municipality_number, Municipality.name, Registration.status)
    )
    tallies: dict[tuple[str | None, str], Counter] = {}
    for number, name, status, count in rows:
        tallies.setdefault((number, name or "Ukjent kommune"), Counter())[status] = count
    counts = [
        MunicipalityCount(number, name, tally["confirmed"], tally["waitlisted"])
        for (number, name), tally in tallies.items()
    ]
    return sorted(counts, key=lambda item: sort_key(item.name))


def event_registrations(
    session: DbSession,
    event_id: int,
    status: RegistrationStatus | None = None,
    *,
    include_cancelled: bool = True,
) -> list[Registration]:
    """The event's registrations: confirmed, then the waiting list in order, then cancelled
    (unless left out)."""
    query = (
        select(Registration)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.person), selectinload(Registration.municipality))
        .order_by(Registration.created_at, Registration.id)
    )
    if status is not None:
        query = query.where(Registration.status == status)
    elif not include_cancelled:
        query = query.where(Registration.is_active)
    registrations = session.scalars(query).all()
    return sorted(registrations, key=lambda item: STATUS_ORDER.index(item.status))


def attendance_by_registration(session: DbSession, event_id: int) -> dict[int, dict[int, datetime]]:
    """Check-ins of the event's registrations: registration id -> session id -> time."""
    rows = session.execute(
        select(Attendance.registration_id, Attendance.session_id, Attendance.checked_in_at)
        .join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.event_id == event_id)
    )
    found: dict[int, dict[int, datetime]] = {}
    for registration_id, session_id, checked_in_at in rows:
        found.setdefault(registration_id, {})[session_id] = checked_in_at
    return found


def attendance_sheet_registrations(session: DbSession, event_id: int) -> list[Registration]:
    """Confirmed registrations by name, for the sheet people sign at the door."""
    confirmed = event_registrations(session, event_id, RegistrationStatus.CONFIRMED)
    return sorted(confirmed, key=lambda item: sort_key(item.person.name))


def resend_confirmation(
    session, actor: User, registration: Registration, base_url: str, now
) -> OutboxMessage:
    """Send the confirmation (or the waiting-list mail) again, with a fresh ticket."""
    if not registration.is_active:
        raise DomainError(errors.REGISTRATION_CANCELLED)
    if registration.event.is_cancelled:
        raise DomainError(event_errors.EVENT_CANCELLED)
    message = notifications.notify_place(session, registration, base_url, now)
    if message is None:
        raise DomainError(errors.NO_ADDRESS)
    what = "bekreftelsen" if message.kind == "confirmation" else "venteliste-e-posten"
    summary = f"Sendte {what} på nytt for påmelding #{registration.id}."
    record_action(session, actor, "registration.resend", summary, event_id=registration.event_id)
    return message


def reissue_ticket(
    session, actor: User, registration: Registration, base_url: str, now
) -> OutboxMessage:
    """Give the place a new ticket (secret and read-out code) and mail it: the old one is
    revoked, its link and code no longer check anyone in."""
    if not registration.is_active:
        raise DomainError(errors.REGISTRATION_CANCELLED)
    if registration.event.is_cancelled:
        raise DomainError(event_errors.EVENT_CANCELLED)
    registration.ticket_token = ticket_secret()
    registration.ticket_code = readable_code()
    session.flush()
    message = notifications.notify_place(session, registration, base_url, now)
    if message is None:
        raise DomainError(errors.NO_ADDRESS)
    summary = f"Ga påmelding #{registration.id} ny billett; den gamle virker ikke lenger."
    record_action(
        session, actor, "registration.new_ticket", summary, event_id=registration.event_id
    )
    return message


def message_recipients(session: DbSession, event_id: int, audience: Audience):
    """Registrations a message to this audience goes to: active, with a usable address."""
    registrations = session.scalars(
        select(Registration)
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.event_id == event_id,
            Registration.status.in_(audience.statuses),
            Person.anonymised_at.is_(None),
        )
        .options(selectinload(Registration.person))
        .order_by(Registration.created_at, Registration.id)
    ).all()
    return [item for item in registrations if safe_address(item.person.email)]


def audience_counts(session: DbSession, event_id: int) -> dict[Audience, int]:
    """How many mails a message to each audience would queue."""
    return {audience: len(message_recipients(session, event_id, audience)) for audience in Audience}


def selected_recipients(session: DbSession, event: Event, registration_ids: list[int]):
    """The people ticked on the list a message can go to: active, with a usable address."""
    selected = selected_registrations(session, event, registration_ids)
    return [
        item
        for item in selected
        if item.is_active and item.person.anonymised_at is None and safe_address(item.person.email)
    ]


def queue_message(
    session,
    actor: User,
    event: Event,
    audience: Audience | None,
    subject: str,
    body: str,
    base_url,
    now,
    selected: list[int] | None = None,
) -> list[OutboxMessage]:
    """One outbox mail per recipient, with the organiser's words and the person's own link.

    The recipients are the `audience`, or with `selected` the people ticked on the list.
    """
    if selected is not None:
        recipients = selected_recipients(session, event, selected)
        group = f"{len(recipients)} valgte"
    else:
        recipients = message_recipients(session, event.id, audience)
        group = audience.label.lower()
    if not recipients:
        raise DomainError(errors.NO_RECIPIENTS)
    subject = header_safe(subject)
    messages = [_message(session, event, r, subject, body, base_url, now) for r in recipients]
    summary = f"Sendte e-post «{subject}» til {len(messages)} ({group})."
    record_action(session, actor, "event.message", summary, event_id=event.id)
    return messages


def _message(session, event: Event, registration: Registration, subject, body, base_url, now):
    person = registration.person
    centre = event.centre
    # The organiser's words as written; the greeting and footer in the person's language.
    lang = mail_language(person.locale)
    span = format_date_span(event.starts_at, event.ends_at, lang) if event.sessions else ""
    text, html = render_mail(
        "registration/admin/message_mail",
        lang,
        subject=subject,
        body=body,
        person=person,
        event=event,
        centre=centre,
        contact_email=event.contact_address,
        date_span=span,
        manage_url=f"{base_url}/r/{registration.token}",
    )
    message = queue_mail(
        session,
        kind="message",
        to=safe_address(person.email),
        subject=subject,
        text=text,
        html=html,
        event_id=event.id,
        registration_id=registration.id,
    )
    message.created_at = now
    return message
