"""The certification area's mails: the certificate (kursbevis, with its PDF) and the
reminders before a certification expires, to the person and to their municipality's
contacts. Rendered in the person's language (contacts read Norwegian), queued in the
outbox in the caller's transaction.

Certifying an event queues each certificate mail without content
(`queue_certificate_mail`): the PDF takes longer to make than the certifying itself, which
holds the event's lock. The worker writes it (`write_certificate_mail`, registered in
scheduled.py), or drops it when the certification was revoked meanwhile.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue.models import Event, event_eligible_municipality
from usht_events.catalogue.models import Session as EventSession
from usht_events.certification.models import Certification
from usht_events.certification.pdf import certificate_filename, certificate_pdf, verify_url
from usht_events.core.i18n import N_
from usht_events.core.mail import header_safe, in_language, mail_language, render_mail, safe_address
from usht_events.core.outbox import (
    MailAttachment,
    OutboxMessage,
    queue_mail,
    queue_unrendered_mail,
    set_attachments,
)
from usht_events.core.timezones import format_date_span, format_day
from usht_events.organisations.models import Municipality
from usht_events.registration.models import Person, Registration

log = logging.getLogger(__name__)

CERTIFICATE = "certificate_issued"
EXPIRING = "certification_expiring"
EXPIRING_CONTACT = "certification_expiring_contact"
SUBJECT = {
    CERTIFICATE: N_("Kursbevis: godkjent som %(kind)s"),
    EXPIRING: N_("Godkjenningen din som %(kind)s utløper %(day)s"),
    EXPIRING_CONTACT: N_("Godkjenninger i %(municipality)s som snart utløper"),
}
UPCOMING_SHOWN = 5


@dataclass(frozen=True)
class Course:
    """An upcoming course of a kind, as a reminder lists it."""

    title: str
    dates: str
    url: str


def _lang(person: Person) -> str:
    return mail_language(person.locale)


def _contact(event: Event | None) -> dict:
    if event is None:
        return {"centre": None, "contact_email": ""}
    return {"centre": event.centre, "contact_email": event.contact_address}


def queue_certificate_mail(
    session: DbSession, certification: Certification, registration: Registration, now: datetime
) -> int | None:
    """The certificate mail, queued for the worker to write with its PDF; its id, if queued."""
    person = certification.person
    address = safe_address(person.email)
    if address is None or person.anonymised_at is not None:
        log.warning("no certificate mail for person %s: no usable address", person.id)
        return None
    return queue_unrendered_mail(
        session,
        kind=CERTIFICATE,
        to=address,
        created_at=now,
        event_id=certification.event_id,
        registration_id=registration.id,
    )


def write_certificate_mail(session: DbSession, message: OutboxMessage, base_url: str, now):
    """Write a certificate mail queued without content (the worker calls this)."""
    registration = session.get(Registration, message.registration_id or 0)
    certification = None
    if registration is not None:
        certification = session.scalar(
            select(Certification)
            .where(
                Certification.event_id == message.event_id,
                Certification.person_id == registration.person_id,
            )
            .order_by(Certification.id.desc())
            .limit(1)
        )
    if certification is None or certification.revoked_at is not None:
        session.delete(message)  # revoked (or gone) before the mail was written
        return
    notify_certificate_issued(session, certification, base_url, now, into=message)


def notify_certificate_issued(
    session: DbSession, certification: Certification, base_url: str, now, into=None
) -> OutboxMessage | None:
    """Tell the person they are certified, with the PDF and the verification link."""
    person = certification.person
    address = safe_address(person.email)
    if address is None or person.anonymised_at is not None:
        if into is not None:
            session.delete(into)
        return None
    lang, kind = _lang(person), certification.kind.name
    subject = header_safe(in_language(lang, SUBJECT[CERTIFICATE], kind=kind))
    text, html = render_mail(
        f"certification/mail/{CERTIFICATE}",
        lang,
        subject=subject,
        person=person,
        certification=certification,
        kind_name=kind,
        event=certification.event,
        issued_on=format_day(certification.issued_on, lang),
        expires_on=format_day(certification.expires_on, lang) if certification.expires_on else "",
        verify_url=verify_url(base_url, certification),
        **_contact(certification.event),
    )
    pdf = MailAttachment(
        certificate_filename(certification, lang),
        "application/pdf",
        certificate_pdf(certification, lang, base_url),
    )
    if into is None:
        into = queue_mail(
            session,
            kind=CERTIFICATE,
            to=address,
            subject=subject,
            text=text,
            event_id=certification.event_id,
        )
        into.created_at = now
    into.subject, into.body_text, into.body_html = subject, text, html
    set_attachments(into, (pdf,))
    into.needs_render = False
    return into


def upcoming_courses(
    session: DbSession, kind_id: int, municipality: str | None, now: datetime, base_url: str
) -> list[Course]:
    """Live events that certify the kind, starting later, open to the municipality."""
    first = (
        select(EventSession.event_id)
        .group_by(EventSession.event_id)
        .having(func.min(EventSession.starts_at) > now)
        .scalar_subquery()
    )
    query = select(Event).where(
        Event.is_live, Event.certifies_kind_id == kind_id, Event.id.in_(first)
    )
    if municipality:
        restricted = select(event_eligible_municipality.c.event_id)
        allowed = restricted.where(
            event_eligible_municipality.c.municipality_number == municipality
        )
        query = query.where(or_(Event.id.not_in(restricted), Event.id.in_(allowed)))
    events = sorted(session.scalars(query), key=lambda event: (event.starts_at, event.id))
    return [
        Course(
            event.title,
            format_date_span(event.starts_at, event.ends_at),
            _event_url(base_url, event),
        )
        for event in events[:UPCOMING_SHOWN]
    ]


def _event_url(base_url: str, event: Event) -> str:
    return f"{base_url}/events/{event.id}"


def notify_expiring(
    session: DbSession, certification: Certification, courses: list[Course], base_url, now
) -> OutboxMessage | None:
    """Remind the person that their certification expires, with the courses that renew it."""
    person = certification.person
    address = safe_address(person.email)
    if address is None or person.anonymised_at is not None:
        return None
    lang, kind = _lang(person), certification.kind.name
    day = format_day(certification.expires_on, lang)
    subject = header_safe(in_language(lang, SUBJECT[EXPIRING], kind=kind, day=day))
    text, html = render_mail(
        f"certification/mail/{EXPIRING}",
        lang,
        subject=subject,
        person=person,
        kind_name=kind,
        expires_on=day,
        courses=courses,
        calendar_url=f"{base_url}/",
        verify_url=verify_url(base_url, certification),
        **_contact(certification.event),
    )
    message = queue_mail(session, kind=EXPIRING, to=address, subject=subject, text=text, html=html)
    message.created_at = now
    return message


def notify_contact_of_expiring(
    session: DbSession,
    contact: User,
    municipality: Municipality,
    certifications: list[Certification],
    courses: dict[int, list[Course]],
    base_url: str,
    now: datetime,
) -> OutboxMessage | None:
    """Tell a municipality contact whose certifications expire soon, with courses per kind."""
    address = safe_address(contact.email)
    if address is None or not contact.active:
        return None
    lang = "nb"
    subject = header_safe(
        in_language(lang, SUBJECT[EXPIRING_CONTACT], municipality=municipality.name)
    )
    lines = [
        (item.person.name, item.kind.name, format_day(item.expires_on, lang), courses[item.kind_id])
        for item in certifications
    ]
    text, html = render_mail(
        f"certification/mail/{EXPIRING_CONTACT}",
        lang,
        subject=subject,
        contact=contact,
        municipality=municipality,
        lines=lines,
        roster_url=f"{base_url}/municipalities/{municipality.number}/instructors",
        calendar_url=f"{base_url}/",
        centre=None,
    )
    message = queue_mail(
        session, kind=EXPIRING_CONTACT, to=address, subject=subject, text=text, html=html
    )
    message.created_at = now
    return message
