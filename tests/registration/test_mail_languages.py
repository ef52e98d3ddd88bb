"""Every mail in the person's language, whatever language the page or worker that sends it uses.

One template per mail, rendered under the person's locale: subject, text, HTML, attachment
names and the texts inside the calendar files carry nothing of the other language.
"""

import contextlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import get_locale
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from usht_events.accounts.reset import queue_reset_mail
from usht_events.catalogue.models import EventFormat, EventStatus
from usht_events.certification import notifications as certificates
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage
from usht_events.registration import notifications, participants, reminders
from usht_events.registration.models import RegistrationStatus

BASE = "http://usht.test"
START = datetime(2027, 3, 12, 8, 0, tzinfo=UTC)  # Friday 12 March, 09.00 in Oslo
NOW = START - timedelta(days=11)
OTHER = {"nb": "en", "en": "nb"}
# Texts only one language has; each mail has some of its own in its greeting, footer and dates.
MARKERS = {
    "nb": (
        "Hei ",
        "Du får denne e-posten",
        "Spørsmål? Kontakt",
        "telefon",
        "mars",
        "fredag",
        "påmeld",
        "ventelist",
        "digitalt",
        "invitasjon",
        "avlysning",
        "billett",
        "Arrangør",
        " av 2)",
        "Mer informasjon",
        "AVLYST",
    ),
    "en": (
        "Hello ",
        "You are receiving this e-mail",
        "Questions? Contact",
        "phone",
        "March",
        "Friday",
        "registration",
        "waiting list",
        "online",
        "invitation",
        "cancellation",
        "ticket.png",
        "Organiser",
        " of 2)",
        "More information",
        "CANCELLED",
    ),
}
EVERY_KIND = {
    "confirmation",
    "waitlisted",
    "existing_place",
    "promoted",
    "cancelled",
    "event_changed",
    "threshold_reached",
    "reminder",
    "message",
    "event_cancelled",
    "certificate_issued",
}


@pytest.fixture(params=["page in the other language", "worker"])
def sender(request, app):
    """Where the mails are written: a request in the other language, or the outbox worker."""

    @contextlib.contextmanager
    def context(lang: str):
        if request.param == "worker":
            yield
            return
        with app.test_request_context(f"/?lang={OTHER[lang]}"):
            assert str(get_locale()) == OTHER[lang]
            yield

    return context


def _queue_every_mail(make, lang: str) -> list[OutboxMessage]:
    """Every kind of mail to a confirmed and a waitlisted person who read `lang`."""
    event = make.event(
        starts_at=START,
        days=2,
        title="ProACT",
        format=EventFormat.HYBRID,
        digital_link="https://meet.example.no/proact",
        contact_email="kurs@usht.test",
        centre=make.centre("ostfold", name="USHT Østfold", phone="69 00 00 00"),
    )
    confirmed = make.registration(
        event, person=make.person(locale=lang), confirmed_at=NOW - timedelta(days=20)
    )
    waiting = make.registration(
        event, person=make.person(locale=lang), status=RegistrationStatus.WAITLISTED
    )
    organiser, _ = make.user("organiser", centre=event.centre)
    for registration in (confirmed, waiting):
        notifications.notify_place(db.session, registration, BASE, NOW)
        notifications.notify_existing_place(db.session, registration, BASE, NOW)
    notifications.notify_promoted(db.session, [confirmed], BASE, NOW)
    notifications.notify_cancelled(db.session, confirmed, BASE, NOW)
    notifications.notify_event_changed(db.session, event, BASE, NOW)
    notifications.notify_threshold_reached(db.session, event, BASE, NOW)
    reminders.queue_due_reminders(db.session, START - timedelta(days=1), 2, BASE)
    participants.queue_message(
        db.session, organiser, event, participants.Audience.ALL, "ProACT", "ProACT 2027.", BASE, NOW
    )
    event.status, event.cancellation_reason = EventStatus.CANCELLED, "ProACT 2028."
    notifications.notify_event_cancelled(db.session, event, BASE, NOW)
    certification = make.certification(
        person=confirmed.person,
        kind=make.certification_kind(name="ProACT"),
        event=event,
        source="event",
        issued_on=date(2027, 3, 13),
        expires_on=date(2029, 3, 13),
    )
    certificates.notify_certificate_issued(db.session, certification, BASE, NOW)
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _readable_parts(message: OutboxMessage) -> dict[str, str]:
    """What the person reads: subject, bodies, file names, and each calendar entry's texts."""
    parts = {"subject": message.subject, "text": message.body_text, "html": message.body_html}
    for item in message.attachments:
        parts[f"file {item.filename}"] = item.filename
        if item.content_type.startswith("text/calendar"):
            for entry in Calendar.from_ical(item.data).walk("VEVENT"):
                texts = [
                    str(entry.get(name, "")) for name in ("SUMMARY", "DESCRIPTION", "LOCATION")
                ]
                parts[f"calendar {item.filename}"] = "\n".join(texts)
        if item.content_type == "application/pdf":
            pages = PdfReader(io.BytesIO(item.data)).pages
            parts[f"pdf {item.filename}"] = "\n".join(page.extract_text() for page in pages)
    return parts


def _other_language(parts: dict[str, str], lang: str) -> list[tuple[str, str]]:
    return [
        (where, marker)
        for where, text in parts.items()
        for marker in MARKERS[OTHER[lang]]
        if marker in text
    ]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_mail_is_in_the_persons_language_only(make, sender, lang):
    with sender(lang):
        messages = _queue_every_mail(make, lang)
    assert {message.kind for message in messages} == EVERY_KIND
    for message in messages:
        parts = _readable_parts(message)
        assert _other_language(parts, lang) == [], message.kind
        assert f'<html lang="{lang}">' in message.body_html
        greeting = MARKERS[lang][0]
        assert message.body_text.startswith(greeting), message.kind
        assert MARKERS[lang][1] in message.body_text, message.kind
    with_files = [message for message in messages if message.attachments]
    assert {message.kind for message in with_files} >= {
        "confirmation",
        "cancelled",
        "reminder",
        "certificate_issued",
    }


def test_password_reset_is_norwegian_even_from_an_english_page(app, make):
    user, _ = make.user("organiser")
    with app.test_request_context("/?lang=en"):
        message = queue_reset_mail(
            db.session, user, secret_key="k" * 40, base_url=BASE, max_age=3600
        )
    assert message.subject == "Lenke for å velge nytt passord"
    parts = {"subject": message.subject, "text": message.body_text, "html": message.body_html}
    assert _other_language(parts, "nb") == []
    assert message.body_text.startswith(f"Hei {user.name},")
    assert '<html lang="nb">' in message.body_html
