"""Participant e-mails: rendered from a text and an HTML template in the person's language
and queued in the outbox in the caller's transaction, so a rolled-back change sends nothing.

Call each `notify_*` after the rule has flushed its change and before the request commits.

"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from usht_events.catalogue.models import Event, EventFormat
from usht_events.catalogue.models import Session as EventSession
from usht_events.core.i18n import N_
from usht_events.core.mail import (
    SUBJECT_LIMIT,
    header_safe,
    in_language,
    mail_language,
    render_mail,
    safe_address,
)
from usht_events.core.outbox import (
    OutboxMessage,
    queue_mail,
    queue_unrendered_mail,
    set_attachments,
)
from usht_events.core.timezones import format_date_span, format_day, format_period
from usht_events.registration.mail_files import calendar_files, ticket_qr
from usht_events.registration.models import Person, Registration, RegistrationStatus
from usht_events.registration.places import (
    confirmed_count,
    waitlist_position,
    waits_for_municipality,
)
from usht_events.registration.tickets import ticket_url

log = logging.getLogger(__name__)

# Anyone can type any address into the form: resend the link at most this often.
EXISTING_PLACE_PAUSE = timedelta(minutes=10)
# The mail a new place calls for, by its status.
SIGN_UP_KINDS = {
    RegistrationStatus.CONFIRMED: "confirmation",
    RegistrationStatus.WAITLISTED: "waitlisted",
}

# Subjects, file names and places in Norwegian, translated into the person's language.
SUBJECT = {
    "confirmation": N_("Bekreftelse: %(title)s %(dates)s"),
    "waitlisted": N_("Venteliste: %(title)s %(dates)s"),
    "promoted": N_("Du har fått plass: %(title)s %(dates)s"),
    "cancelled": N_("Avmeldt: %(title)s %(dates)s"),
    "cancelled_by_organiser": N_("Arrangøren har meldt deg av: %(title)s %(dates)s"),
    "event_changed": N_("Endret tid eller sted: %(title)s %(dates)s"),
    "event_cancelled": N_("Avlyst: %(title)s %(dates)s"),
    "threshold_reached": N_("Gjennomføres: %(title)s %(dates)s"),
    "reminder": N_("Påminnelse: %(title)s %(dates)s"),
    "existing_place": N_("Lenken til påmeldingen din: %(title)s %(dates)s"),
}
DIGITAL = N_("Digitalt")


@dataclass(frozen=True)
class SessionLine:
    """One session as a mail shows it."""

    when: str
    place: str


def notify_place(session, registration: Registration, base_url: str, now: datetime):
    """The mail a place calls for, written now: the confirmation with calendar files and
    ticket, or the waiting-list place. None when the person has no usable address."""
    return _sign_up_mail(session, SIGN_UP_KINDS[registration.status], registration, base_url, now)


def notify_existing_place(session, registration: Registration, base_url: str, now: datetime):
    """The manage link again, to an address that signed up before (at most every 10 min).

    Anyone can type any address into the form, so the link goes to the mailbox, never to
    the page.
    """
    recent = session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == "existing_place",
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.created_at > now - EXISTING_PLACE_PAUSE,
        )
    )
    if recent is not None:
        return None
    return _registration_mail(session, "existing_place", registration, base_url, now)


def queue_sign_up_mail(
    session,
    registration_id: int,
    status: RegistrationStatus,
    email: str,
    event_id: int,
    now: datetime,
) -> int | None:
    """What `notify_place` sends, queued without content for the outbox worker to write.

    The calendar files and the QR code take longer to make than the rest of a sign-up,
    which holds the event's lock meanwhile. Returns the queued mail's id, if one was queued.
    """
    address = safe_address(email)
    if address is None:
        return None
    return queue_unrendered_mail(
        session,
        kind=SIGN_UP_KINDS[status],
        to=address,
        event_id=event_id,
        registration_id=registration_id,
        created_at=now,
    )


def write_sign_up_mail(session, message: OutboxMessage, base_url: str, now: datetime) -> None:
    """Write a sign-up mail queued without content (core/worker.py calls this)."""
    registration = session.get(Registration, message.registration_id or 0)
    if registration is None or SIGN_UP_KINDS.get(registration.status) != message.kind:
        # The place changed before the mail was written: the later mail says it all.
        session.delete(message)
        return
    _sign_up_mail(session, message.kind, registration, base_url, now, into=message)


def _sign_up_mail(session, kind, registration, base_url, now, into=None):
    if kind == "confirmation":
        return _confirmed_mail(session, kind, registration, base_url, now, into=into)
    # Waiting for the municipality's seats, not the event's: the mail says so, and counts
    # the line of that municipality.
    for_municipality = waits_for_municipality(session, registration)
    return _registration_mail(
        session,
        kind,
        registration,
        base_url,
        now,
        position=waitlist_position(session, registration, in_municipality=for_municipality),
        municipality=registration.municipality.name if for_municipality else None,
        into=into,
    )


def notify_promoted(session, registrations, base_url: str, now: datetime) -> list[OutboxMessage]:
    """Tell each registration promoted from the waiting list that it has a place."""
    return _queued(
        _confirmed_mail(session, "promoted", registration, base_url, now)
        for registration in registrations
    )


def notify_cancelled(
    session, registration: Registration, base_url: str, now: datetime
) -> OutboxMessage | None:
    """Confirm a place the person gave up; a calendar entry they were sent is cancelled."""
    return _cancellation_mail(session, "cancelled", registration, base_url, now)


def notify_cancelled_by_organiser(
    session, registration: Registration, reason: str, base_url: str, now: datetime
) -> OutboxMessage | None:
    """Tell the person an organiser gave up their place, and why; their calendar entry goes."""
    return _cancellation_mail(
        session, "cancelled_by_organiser", registration, base_url, now, reason=reason
    )


def _cancellation_mail(session, kind, registration, base_url, now, **extra):
    had_entry = registration.confirmed_at is not None
    attachments = calendar_files(registration, base_url, now, "CANCEL") if had_entry else ()
    return _registration_mail(
        session, kind, registration, base_url, now, attachments=attachments, **extra
    )


def notify_event_changed(session, event: Event, base_url: str, now: datetime):
    """Tell every active registration the new time or place; confirmed ones get an update.

    Call after the change is flushed and `event.sequence` raised, so calendars replace the entry.
    """
    return _to_active(session, event, "event_changed", "REQUEST", base_url, now)


def notify_event_cancelled(session, event: Event, base_url: str, now: datetime):
    """Tell every active registration that the event is cancelled; calendars drop the entry."""
    return _to_active(session, event, "event_cancelled", "CANCEL", base_url, now)


def notify_threshold_reached(session, event: Event, base_url: str, now: datetime):
    """Tell the confirmed participants that the event will run, with the calendar update.

    Call after SEQUENCE was raised (threshold.mark_threshold_reached, decisions.confirm_event):
    the entries they were sent as TENTATIVE become CONFIRMED.
    """
    return _queued(
        _registration_mail(
            session,
            "threshold_reached",
            registration,
            base_url,
            now,
            attachments=calendar_files(registration, base_url, now, "REQUEST"),
        )
        for registration in _registrations(session, [event.id], RegistrationStatus.CONFIRMED)
    )


def _to_active(session, event, kind, method, base_url, now):
    messages = []
    for registration in _registrations(session, [event.id]):
        # Only those who were sent a calendar entry get one to update or cancel.
        confirmed = registration.status == RegistrationStatus.CONFIRMED
        files = calendar_files(registration, base_url, now, method) if confirmed else ()
        messages.append(
            _registration_mail(session, kind, registration, base_url, now, attachments=files)
        )
    return _queued(messages)


def _confirmed_mail(session, kind, registration, base_url, now, into=None):
    attachments = (
        *calendar_files(registration, base_url, now, "REQUEST"),
        ticket_qr(registration, base_url),
    )
    return _registration_mail(
        session,
        kind,
        registration,
        base_url,
        now,
        attachments=attachments,
        into=into,
        **_confirmed_context(registration, base_url),
        **_minimum_context(session, registration.event, _lang(registration.person)),
    )


def notify_reminder(session, registration, due, base_url: str, now: datetime):
    """The reminder of the sessions `due`, with the ticket again."""
    return _registration_mail(
        session,
        "reminder",
        registration,
        base_url,
        now,
        attachments=(ticket_qr(registration, base_url),),
        span=(due[0].starts_at, due[-1].ends_at),
        due_sessions=_session_lines(registration.event, due, _lang(registration.person)),
        **_confirmed_context(registration, base_url),
    )


def _registration_mail(
    session, kind, registration, base_url, now, *, attachments=(), span=None, into=None, **extra
):
    person, event = registration.person, registration.event
    lang = _lang(person)
    start, end = span or (event.starts_at, event.ends_at)
    context = {
        "registration": registration,
        "event": event,
        "manage_url": f"{base_url}/r/{registration.token}",
        "event_url": f"{base_url}/events/{event.id}",
        "calendar_url": f"{base_url}/",
        "date_span": format_date_span(event.starts_at, event.ends_at, lang),
        "sessions": _session_lines(event, event.sessions, lang),
        "calendar_file": any(item.filename.endswith(".ics") for item in attachments),
        **_contact(event),
        **extra,
    }
    return _send(
        session,
        kind,
        person,
        _event_subject(kind, lang, event.title, format_date_span(start, end, lang)),
        context,
        now,
        attachments=attachments,
        event_id=event.id,
        registration_id=registration.id,
        into=into,
    )


def _send(session, kind, person: Person, subject, context, now, into=None, **ids):
    address = safe_address(person.email)
    if address is None or person.anonymised_at is not None:
        log.warning("no %s mail for person %s: no usable address", kind, person.id)
        if into is not None:
            session.delete(into)
        return None
    context = {"person": person, "subject": subject, **context}
    text, html = render_mail(_template(kind), _lang(person), **context)
    if into is not None:
        return _fill(into, subject, text, html, ids.get("attachments", ()))
    message = queue_mail(
        session, kind=kind, to=address, subject=subject, text=text, html=html, **ids
    )
    # The rule's clock, not the wall clock: reminders and resends are counted by it.
    message.created_at = now
    return message


def _fill(message: OutboxMessage, subject, text, html, attachments) -> OutboxMessage:
    """Write the rendered content into a row queued empty; its sign-up time stays."""
    message.subject, message.body_text, message.body_html = subject, text, html
    set_attachments(message, attachments)
    message.needs_render = False
    return message


def _event_subject(kind: str, lang: str, title: str, span: str) -> str:
    # The title gives way to the dates when the subject would be too long.
    room = max(SUBJECT_LIMIT - len(in_language(lang, SUBJECT[kind], title="", dates=span)), 20)
    return header_safe(in_language(lang, SUBJECT[kind], title=header_safe(title, room), dates=span))


def _template(kind: str) -> str:
    return f"registration/mail/{kind}"


def _lang(person: Person) -> str:
    return mail_language(person.locale)


def _contact(event: Event | None) -> dict:
    if event is None:
        return {"centre": None, "contact_email": ""}
    return {"centre": event.centre, "contact_email": event.contact_address}


def _confirmed_context(registration, base_url) -> dict:
    return {
        "ticket_url": ticket_url(base_url, registration.ticket_token),
        "digital_link": registration.event.digital_link,
    }


def _minimum_context(session, event: Event, lang: str) -> dict:
    """What a place on an event not yet sure to run must say: the minimum, how many more."""
    if not event.is_tentative:
        return {"still_needed": 0}
    return {
        "still_needed": max(event.min_participants - confirmed_count(session, event.id), 0),
        "decision_day": format_day(event.decision_at, lang) if event.decision_at else "",
    }


def _session_lines(event: Event, sessions, lang: str) -> list[SessionLine]:
    return [
        SessionLine(format_period(item.starts_at, item.ends_at, lang), _place(event, item, lang))
        for item in sessions
    ]


def _place(event: Event, item: EventSession, lang: str) -> str:
    digital = in_language(lang, DIGITAL)
    if event.format == EventFormat.DIGITAL:
        return digital
    place = ", ".join(part for part in (item.venue or event.venue, event.venue_address) if part)
    if event.format == EventFormat.HYBRID:
        place = f"{place} / {digital.lower()}" if place else digital
    return place


def _registrations(session, event_ids: list[int], status: RegistrationStatus | None = None):
    """Active registrations of the events, or those with the given status, in sign-up order."""
    query = select(Registration).where(Registration.event_id.in_(event_ids))
    if status is None:
        query = query.where(Registration.status != RegistrationStatus.CANCELLED)
    else:
        query = query.where(Registration.status == status)
    return list(session.scalars(query.order_by(Registration.created_at, Registration.id)))


def _queued(messages) -> list[OutboxMessage]:
    return [message for message in messages if message is not None]
