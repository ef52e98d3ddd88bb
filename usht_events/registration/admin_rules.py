"""The organiser's rules for an event's participants: counts, adding by hand, cancelling,
moving from the waiting list, resending confirmations, messages, and a person's history.

Each rule that changes data writes its audit entry and its mail in the caller's transaction.
Audit summaries name registrations and people by id, never by name or e-mail address: the
audit log outlives the anonymisation of old registrations.

Adding by hand (phone sign-ups) ignores the public registration window: the organiser may
add someone before it opens or after the deadline, up to the end of the event. Every cap
still holds: with no seat left the person goes on the waiting list, or, without one, is
refused until the organiser raises the capacity. Eligibility still holds too.
"""

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.accounts.access import event_scope, visible_municipality_numbers
from usht_events.accounts.models import Role, User
from usht_events.catalogue.models import Event
from usht_events.certification.models import Certification
from usht_events.checkin.models import Attendance
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.core.mail import mail_language, render_mail
from usht_events.core.outbox import OutboxMessage, queue_mail
from usht_events.core.timezones import format_date_span
from usht_events.organisations.models import Municipality
from usht_events.registration import rules
from usht_events.registration.models import (
    Person,
    Registration,
    RegistrationStatus,
)
from usht_events.registration.notifications import (
    header_safe,
    notify_cancelled_by_participant,
    notify_promoted,
    notify_signed_up,
    notify_threshold_reached,
    safe_address,
)
from usht_events.registration.rules import SignUp, SignUpResult

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
            "all": "Alle påmeldte",
            "confirmed": "Bekreftede deltakere",
            "waitlisted": "De på ventelisten",
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


@dataclass(frozen=True)
class PersonRegistration:
    """One of a person's registrations, with how many of its sessions they attended."""

    registration: Registration
    attended: int

    @property
    def sessions(self) -> int:
        return len(self.registration.event.sessions)


@dataclass(frozen=True)
class PersonOverview:
    """What a user may see of a person: registrations, attendance and certifications."""

    person: Person
    registrations: list[PersonRegistration]
    certifications: list[Certification]


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
    session: DbSession, event_id: int, status: RegistrationStatus | None = None
) -> list[Registration]:
    """The event's registrations: confirmed, then the waiting list in order, then cancelled."""
    query = (
        select(Registration)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.person), selectinload(Registration.municipality))
        .order_by(Registration.created_at, Registration.id)
    )
    if status is not None:
        query = query.where(Registration.status == status)
    registrations = session.scalars(query).all()
    return sorted(registrations, key=lambda item: STATUS_ORDER.index(item.status))


def waitlist_positions(registrations: list[Registration]) -> dict[int, int]:
    """Registration id to place in line (1 is first), from registrations in sign-up order."""
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    waiting.sort(key=lambda r: (r.created_at, r.id))
    return {registration.id: place for place, registration in enumerate(waiting, start=1)}


def attendance_sheet_registrations(session: DbSession, event_id: int) -> list[Registration]:
    """Confirmed registrations by name, for the sheet people sign at the door."""
    confirmed = event_registrations(session, event_id, RegistrationStatus.CONFIRMED)
    return sorted(confirmed, key=lambda item: sort_key(item.person.name))


def add_by_hand(
    session: DbSession, actor: User, event_id: int, signup: SignUp, base_url: str, now: datetime
) -> SignUpResult:
    """Register someone for the organiser, inside every cap but outside the public window."""
    try:
        result = rules.register(session, event_id, signup, now, by_organiser=True)
    except DomainError as error:
        if error.code == "full":
            raise DomainError(
                "full", "Arrangementet er fullt og har ingen venteliste. Øk kapasiteten først."
            ) from error
        raise
    if not result.created:
        return result  # a resubmitted form: its first submission did everything
    registration = result.registration
    if result.threshold_reached:
        notify_threshold_reached(session, registration.event, base_url, now)
    notify_signed_up(session, result, base_url, now)
    status = registration.status.label.lower()
    summary = f"La til person #{registration.person_id} for hånd: {status}."
    record_action(session, actor, "registration.add", summary, event_id=event_id)
    return result


def _threshold_mail_if_reached(session: DbSession, event: Event, base_url: str, now) -> None:
    """The place that first reaches the minimum tells the confirmed that the event runs."""
    if rules.record_threshold_if_reached(session, event, now):
        notify_threshold_reached(session, event, base_url, now)


def cancel_by_hand(session, actor: User, registration: Registration, base_url: str, now):
    """Cancel a place for the person, tell them, and tell whoever moves up from the list."""
    promoted = rules.cancel(session, registration, now)
    notify_cancelled_by_participant(session, registration, base_url, now)
    notify_promoted(session, promoted, base_url, now)
    summary = f"Meldte av påmelding #{registration.id} (person #{registration.person_id})."
    if promoted:
        ids = ", ".join(f"#{item.id}" for item in promoted)
        summary += f" Fikk plass fra ventelisten: {ids}."
    record_action(session, actor, "registration.cancel", summary, event_id=registration.event_id)
    return promoted


def promote_by_hand(session, actor: User, registration: Registration, base_url: str, now):
    """Give a waitlisted person a seat now, out of turn, if a seat they fit is free."""
    event = rules.lock_event(session, registration.event_id)
    session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise DomainError("not_waitlisted", "Bare påmeldinger på ventelisten kan få plass.")
    rules.check_changeable(event, now)
    _check_seat(session, event, registration.municipality_number)
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    session.flush()
    _threshold_mail_if_reached(session, event, base_url, now)
    notify_promoted(session, [registration], base_url, now)
    summary = f"Ga påmelding #{registration.id} (person #{registration.person_id}) plass."
    record_action(session, actor, "registration.promote", summary, event_id=event.id)
    return registration


def _check_seat(session: DbSession, event: Event, municipality_number: str | None) -> None:
    if event.capacity is not None and rules.confirmed_count(session, event.id) >= event.capacity:
        raise DomainError(
            "full",
            f"Alle {event.capacity} plassene er tatt. Øk kapasiteten på arrangementet "
            "for å gi personen plass.",
        )
    if not rules.has_seat_for(session, event, municipality_number):
        raise DomainError(
            "municipality_full",
            f"Kommunen har brukt alle sine {event.seats_per_municipality} plasser. "
            "Øk antall plasser per kommune for å gi personen plass.",
        )


def resend_confirmation(
    session, actor: User, registration: Registration, base_url: str, now
) -> OutboxMessage:
    """Send the confirmation (or the waiting-list mail) again, with a fresh ticket."""
    if not registration.is_active:
        raise DomainError("not_active", "Påmeldingen er avmeldt; det er ingen bekreftelse å sende.")
    if registration.event.is_cancelled:
        raise DomainError("cancelled", "Arrangementet er avlyst.")
    message = notify_signed_up(
        session, SignUpResult.of(session, registration, created=True), base_url, now
    )
    if message is None:
        raise DomainError("no_address", "Personen har ingen e-postadresse vi kan sende til.")
    what = "bekreftelsen" if message.kind == "confirmation" else "venteliste-e-posten"
    summary = f"Sendte {what} på nytt for påmelding #{registration.id}."
    record_action(session, actor, "registration.resend", summary, event_id=registration.event_id)
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


def queue_message(
    session, actor: User, event: Event, audience: Audience, subject: str, body: str, base_url, now
) -> list[OutboxMessage]:
    """One outbox mail per recipient, with the organiser's words and the person's own link."""
    recipients = message_recipients(session, event.id, audience)
    if not recipients:
        raise DomainError("no_recipients", "Det er ingen mottakere i gruppen du valgte.")
    subject = header_safe(subject)
    messages = [_message(session, event, r, subject, body, base_url, now) for r in recipients]
    summary = f"Sendte e-post «{subject}» til {len(messages)} ({audience.label.lower()})."
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
        contact_email=event.contact_email or centre.email,
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


def person_overview(session: DbSession, user: User, person_id: int) -> PersonOverview | None:
    """The person as this user may see them; None when they have no registration in scope."""
    person = session.get(Person, person_id)
    if person is None:
        return None
    registrations = session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.person_id == person.id, event_scope(user))
        .options(selectinload(Registration.event).selectinload(Event.sessions))
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    ).all()
    if not registrations and user.role != Role.ADMIN:
        return None
    attended = _attendance_counts(session, [item.id for item in registrations])
    return PersonOverview(
        person=person,
        registrations=[PersonRegistration(r, attended.get(r.id, 0)) for r in registrations],
        certifications=_visible_certifications(session, user, person.id),
    )


def _attendance_counts(session: DbSession, registration_ids: list[int]) -> dict[int, int]:
    if not registration_ids:
        return {}
    rows = session.execute(
        select(Attendance.registration_id, func.count(Attendance.id))
        .where(Attendance.registration_id.in_(registration_ids))
        .group_by(Attendance.registration_id)
    )
    return dict(rows.all())


def _visible_certifications(session: DbSession, user: User, person_id: int):
    """Certifications from the user's own events or on their region's rosters."""
    query = (
        select(Certification)
        .where(Certification.person_id == person_id)
        .options(selectinload(Certification.kind), selectinload(Certification.event))
        .order_by(Certification.issued_on.desc(), Certification.id.desc())
    )
    visible = visible_municipality_numbers(session, user)
    if visible is not None:
        own_events = select(Event.id).where(event_scope(user))
        query = query.where(
            or_(
                Certification.event_id.in_(own_events),
                Certification.municipality_number.in_(visible),
            )
        )
    return session.scalars(query).all()
