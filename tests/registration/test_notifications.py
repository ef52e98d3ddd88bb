"""Participant mails: queued in the outbox in the change's transaction, in the person's language."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from sqlalchemy import func, select

from usht_events.catalogue.ics import session_uid
from usht_events.catalogue.models import EventFormat, EventStatus
from usht_events.core import mail
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage
from usht_events.registration import notifications, reminders
from usht_events.registration.models import RegistrationStatus

BASE = "http://usht.test"
START = datetime(2027, 3, 12, 8, 0, tzinfo=UTC)  # 09.00 in Oslo
NOW = START - timedelta(days=11)
LINK = "https://meet.example.no/proact"


@pytest.fixture
def mail_context(app):
    """Mails are rendered inside a request or app context, as the views and the worker do."""
    with app.test_request_context():
        yield


@pytest.fixture
def event(make):
    """A two-day course on 12 and 13 March with a digital link for confirmed participants."""
    return make.event(
        starts_at=START,
        days=2,
        title="Kurs",
        digital_link=LINK,
        format=EventFormat.HYBRID,
        centre=make.centre("ostfold", name="USHT Østfold", phone="69 00 00 00"),
    )


@pytest.fixture
def confirmed(make, event):
    """A confirmed place, confirmed well before any reminder window."""
    return make.registration(event, confirmed_at=NOW - timedelta(days=20))


def _messages(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _one(kind: str) -> OutboxMessage:
    (message,) = _messages(kind)
    return message


def _attachment(message: OutboxMessage, content_type: str):
    (found,) = [item for item in message.attachments if item.content_type.startswith(content_type)]
    return found


def _calendar_files(message: OutboxMessage):
    return [item for item in message.attachments if item.content_type.startswith("text/calendar")]


def _calendar(message: OutboxMessage) -> Calendar:
    """The first calendar file; every file of a mail carries the same METHOD."""
    return Calendar.from_ical(_calendar_files(message)[0].data)


def _entries(message: OutboxMessage):
    """The entries of every calendar file, one file per session."""
    calendars = [Calendar.from_ical(item.data) for item in _calendar_files(message)]
    assert all(len(calendar.walk("VEVENT")) == 1 for calendar in calendars)
    return [entry for calendar in calendars for entry in calendar.walk("VEVENT")]


def _manage_url(registration) -> str:
    return f"{BASE}/r/{registration.token}"


def _assert_links_to_manage_page(message, registration) -> None:
    assert _manage_url(registration) in message.body_text
    assert f'href="{_manage_url(registration)}"' in message.body_html


def _queue_empty(registration) -> int:
    """Queue the place's mail without content, as a public sign-up does."""
    return notifications.queue_sign_up_mail(
        db.session,
        registration.id,
        registration.status,
        registration.person.email,
        registration.event_id,
        NOW,
    )


def test_confirmation_names_the_event_and_its_dates_in_the_subject(mail_context, confirmed):
    notifications.notify_place(db.session, confirmed, BASE, NOW)
    message = _one("confirmation")
    assert message.to_address == confirmed.person.email
    assert message.subject == "Bekreftelse: Kurs 12.–13. mars"
    assert message.registration_id == confirmed.id
    assert message.event_id == confirmed.event_id


def test_confirmation_links_to_the_manage_page_in_text_and_html(mail_context, confirmed):
    notifications.notify_place(db.session, confirmed, BASE, NOW)
    message = _one("confirmation")
    _assert_links_to_manage_page(message, confirmed)
    assert '<html lang="nb">' in message.body_html
    assert "fredag 12. mars 2027, kl. 09.00–15.00" in message.body_text
    assert "Du får denne e-posten fordi du meldte deg på Kurs." in message.body_text
    assert "USHT Østfold" in message.body_text
    assert "69 00 00 00" in message.body_html


def test_confirmation_carries_a_calendar_invitation_that_updates_the_same_entries(
    mail_context, event, confirmed
):
    notifications.notify_place(db.session, confirmed, BASE, NOW)
    message = _one("confirmation")
    files = _calendar_files(message)
    # A two-day course: one invitation per day, since mail clients read only the first entry.
    assert [item.filename for item in files] == ["invitasjon-1.ics", "invitasjon-2.ics"]
    assert {item.content_type for item in files} == {"text/calendar; method=REQUEST; charset=utf-8"}
    assert _calendar(message)["METHOD"] == "REQUEST"
    entries = _entries(message)
    assert [str(entry["UID"]) for entry in entries] == [session_uid(s) for s in event.sessions]
    assert {str(entry["STATUS"]) for entry in entries} == {"CONFIRMED"}
    assert all(str(entry["ATTENDEE"]) == f"mailto:{confirmed.person.email}" for entry in entries)


def test_confirmation_shows_the_qr_ticket_inline_and_it_scans_to_the_ticket_url(
    mail_context, confirmed
):
    notifications.notify_place(db.session, confirmed, BASE, NOW)
    message = _one("confirmation")
    image = _attachment(message, "image/png")
    assert image.content_id == "ticket-qr"
    assert '<img src="cid:ticket-qr" alt="QR-kode for billetten"' in message.body_html
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    assert barcode.text == f"{BASE}/t/{confirmed.ticket_token}"
    assert confirmed.ticket_code in message.body_text


def test_confirmation_gives_the_digital_link(mail_context, confirmed):
    notifications.notify_place(db.session, confirmed, BASE, NOW)
    message = _one("confirmation")
    assert LINK in message.body_text
    assert LINK in message.body_html


def test_waitlisted_mail_gives_the_place_in_line_and_no_ticket_or_link(make, mail_context, event):
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    waiting = make.registration(event, status=RegistrationStatus.WAITLISTED)
    notifications.notify_place(db.session, waiting, BASE, NOW)
    message = _one("waitlisted")
    assert message.subject == "Venteliste: Kurs 12.–13. mars"
    assert "nr. 2 på ventelisten" in message.body_text
    assert message.attachments == []
    assert LINK not in message.body_text + message.body_html
    _assert_links_to_manage_page(message, waiting)


def test_existing_place_sends_the_manage_link_to_that_address(mail_context, confirmed):
    notifications.notify_existing_place(db.session, confirmed, BASE, NOW)
    message = _one("existing_place")
    assert message.to_address == confirmed.person.email
    assert message.subject == "Lenken til påmeldingen din: Kurs 12.–13. mars"
    _assert_links_to_manage_page(message, confirmed)
    assert message.attachments == []


def test_existing_place_link_is_resent_at_most_every_ten_minutes(mail_context, confirmed):
    for minutes in (0, 5, 11):
        later = NOW + timedelta(minutes=minutes)
        notifications.notify_existing_place(db.session, confirmed, BASE, later)
    assert len(_messages("existing_place")) == 2


def test_promoted_mail_carries_ticket_calendar_and_digital_link(make, mail_context, event):
    promoted = make.registration(event, confirmed_at=NOW)
    notifications.notify_promoted(db.session, [promoted], BASE, NOW)
    message = _one("promoted")
    assert message.subject == "Du har fått plass: Kurs 12.–13. mars"
    assert _calendar(message)["METHOD"] == "REQUEST"
    assert _attachment(message, "image/png").content_id == "ticket-qr"
    assert LINK in message.body_text
    _assert_links_to_manage_page(message, promoted)


def test_own_cancellation_cancels_the_entry_the_person_was_sent(mail_context, event, confirmed):
    confirmed.status = RegistrationStatus.CANCELLED
    event.sequence = 3
    notifications.notify_cancelled(db.session, confirmed, BASE, NOW)
    message = _one("cancelled")
    assert message.subject == "Avmeldt: Kurs 12.–13. mars"
    files = _calendar_files(message)
    assert [item.filename for item in files] == ["avlysning-1.ics", "avlysning-2.ics"]
    assert {item.content_type for item in files} == {"text/calendar; method=CANCEL; charset=utf-8"}
    assert _calendar(message)["METHOD"] == "CANCEL"
    entries = _entries(message)
    assert [str(entry["UID"]) for entry in entries] == [session_uid(s) for s in event.sessions]
    assert {str(entry["STATUS"]) for entry in entries} == {"CANCELLED"}
    assert {int(entry["SEQUENCE"]) for entry in entries} == {3}
    assert LINK not in message.body_text
    _assert_links_to_manage_page(message, confirmed)


def test_leaving_the_waiting_list_sends_no_calendar_file(make, mail_context, event):
    waiting = make.registration(
        event, status=RegistrationStatus.CANCELLED, confirmed_at=None, cancelled_at=NOW
    )
    notifications.notify_cancelled(db.session, waiting, BASE, NOW)
    message = _one("cancelled")
    assert message.attachments == []
    assert "avlysning.ics" not in message.body_text


def test_event_change_reaches_every_active_registration(make, mail_context, event, confirmed):
    waiting = make.registration(event, status=RegistrationStatus.WAITLISTED)
    make.registration(event, status=RegistrationStatus.CANCELLED)
    event.sequence = 1
    notifications.notify_event_changed(db.session, event, BASE, NOW)
    messages = _messages("event_changed")
    assert [m.to_address for m in messages] == [confirmed.person.email, waiting.person.email]
    assert {m.subject for m in messages} == {"Endret tid eller sted: Kurs 12.–13. mars"}
    assert all(LINK not in m.body_text for m in messages)


def test_event_change_updates_the_confirmed_calendar_entry(mail_context, event, confirmed):
    event.sequence = 1
    notifications.notify_event_changed(db.session, event, BASE, NOW)
    message = _one("event_changed")
    assert _calendar(message)["METHOD"] == "REQUEST"
    entries = _entries(message)
    assert [str(entry["UID"]) for entry in entries] == [session_uid(s) for s in event.sessions]
    assert {int(entry["SEQUENCE"]) for entry in entries} == {1}
    _assert_links_to_manage_page(message, confirmed)


def test_event_change_sends_the_waitlisted_no_calendar_file(make, mail_context, event):
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    notifications.notify_event_changed(db.session, event, BASE, NOW)
    message = _one("event_changed")
    assert message.attachments == []
    assert "fortsatt på ventelisten" in message.body_text


def test_event_cancelled_tells_everyone_and_cancels_the_calendar_entry(
    make, mail_context, event, confirmed
):
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    event.status = EventStatus.CANCELLED
    event.cancellation_reason = "For få påmeldte."
    event.sequence = 2
    notifications.notify_event_cancelled(db.session, event, BASE, NOW)
    first, second = _messages("event_cancelled")
    assert first.subject == "Avlyst: Kurs 12.–13. mars"
    assert "For få påmeldte." in first.body_text
    assert _calendar(first)["METHOD"] == "CANCEL"
    assert {str(entry["STATUS"]) for entry in _entries(first)} == {"CANCELLED"}
    assert {int(entry["SEQUENCE"]) for entry in _entries(first)} == {2}
    assert second.attachments == []
    _assert_links_to_manage_page(first, confirmed)


def test_threshold_reached_tells_the_confirmed_only(make, mail_context, event, confirmed):
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    notifications.notify_threshold_reached(db.session, event, BASE, NOW)
    message = _one("threshold_reached")
    assert message.to_address == confirmed.person.email
    assert message.subject == "Gjennomføres: Kurs 12.–13. mars"
    assert "blir gjennomført" in message.body_text
    _assert_links_to_manage_page(message, confirmed)


def test_reminders_are_queued_once_per_registration_and_session(mail_context, confirmed):
    day_one = START - timedelta(days=2) + timedelta(hours=1)
    for _ in range(2):
        reminders.queue_due_reminders(db.session, day_one, 2, BASE)
    assert [m.subject for m in _messages("reminder")] == ["Påminnelse: Kurs 12. mars"]
    day_two = day_one + timedelta(days=1)
    for _ in range(2):
        reminders.queue_due_reminders(db.session, day_two, 2, BASE)
    assert [m.subject for m in _messages("reminder")] == [
        "Påminnelse: Kurs 12. mars",
        "Påminnelse: Kurs 13. mars",
    ]


def test_reminder_carries_ticket_digital_link_and_manage_link(mail_context, confirmed):
    reminders.queue_due_reminders(db.session, START - timedelta(days=3), 7, BASE)
    message = _one("reminder")
    assert message.subject == "Påminnelse: Kurs 12.–13. mars"
    assert message.to_address == confirmed.person.email
    assert LINK in message.body_text
    assert _attachment(message, "image/png").content_id == "ticket-qr"
    _assert_links_to_manage_page(message, confirmed)


def test_reminders_skip_the_waitlisted_and_cancelled_events(make, mail_context, event):
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    other = make.event(starts_at=START, status=EventStatus.CANCELLED)
    make.registration(other, confirmed_at=NOW - timedelta(days=20))
    reminders.queue_due_reminders(db.session, START - timedelta(days=1), 2, BASE)
    assert _messages() == []


def test_no_reminder_when_the_confirmation_came_inside_the_window(make, mail_context, event):
    make.registration(event, confirmed_at=START - timedelta(hours=20))
    reminders.queue_due_reminders(db.session, START - timedelta(hours=19), 2, BASE)
    assert _messages() == []


ENGLISH_SUBJECTS = {
    "confirmation": "Confirmation: Kurs 12–13 March",
    "waitlisted": "Waiting list: Kurs 12–13 March",
    "existing_place": "Your registration link: Kurs 12–13 March",
    "promoted": "You have a place: Kurs 12–13 March",
    "cancelled": "Registration cancelled: Kurs 12–13 March",
    "event_changed": "Changed time or place: Kurs 12–13 March",
    "event_cancelled": "Cancelled: Kurs 12–13 March",
    "threshold_reached": "Going ahead: Kurs 12–13 March",
    "reminder": "Reminder: Kurs 12–13 March",
}


def _queue_english(kind, registration):
    event = registration.event
    send = {
        "confirmation": lambda: notifications.notify_place(db.session, registration, BASE, NOW),
        "existing_place": lambda: notifications.notify_existing_place(
            db.session, registration, BASE, NOW
        ),
        "promoted": lambda: notifications.notify_promoted(db.session, [registration], BASE, NOW),
        "cancelled": lambda: notifications.notify_cancelled(db.session, registration, BASE, NOW),
        "event_changed": lambda: notifications.notify_event_changed(db.session, event, BASE, NOW),
        "event_cancelled": lambda: notifications.notify_event_cancelled(
            db.session, event, BASE, NOW
        ),
        "threshold_reached": lambda: notifications.notify_threshold_reached(
            db.session, event, BASE, NOW
        ),
        "reminder": lambda: reminders.queue_due_reminders(
            db.session, START - timedelta(days=3), 7, BASE
        ),
    }
    send[kind]()


@pytest.mark.parametrize("kind", [kind for kind in ENGLISH_SUBJECTS if kind != "waitlisted"])
def test_english_speaker_gets_every_mail_in_english(make, mail_context, event, kind):
    person = make.person(locale="en")
    registration = make.registration(event, person=person, confirmed_at=NOW - timedelta(days=20))
    _queue_english(kind, registration)
    message = _one(kind)
    assert message.subject == ENGLISH_SUBJECTS[kind]
    assert message.body_text.startswith(f"Hello {person.name},")
    assert '<html lang="en">' in message.body_html
    assert "Hei " not in message.body_text + message.body_html
    assert "You are receiving this e-mail because" in message.body_text
    _assert_links_to_manage_page(message, registration)


def test_english_speaker_on_the_waiting_list_gets_english(make, mail_context, event):
    person = make.person(locale="en")
    waiting = make.registration(event, person=person, status=RegistrationStatus.WAITLISTED)
    notifications.notify_place(db.session, waiting, BASE, NOW)
    message = _one("waitlisted")
    assert message.subject == ENGLISH_SUBJECTS["waitlisted"]
    assert "number 1 on the waiting list" in message.body_text


def test_english_confirmation_names_its_files_in_english(make, mail_context, event):
    registration = make.registration(event, person=make.person(locale="en"))
    notifications.notify_place(db.session, registration, BASE, NOW)
    message = _one("confirmation")
    assert [item.filename for item in _calendar_files(message)] == [
        "invitation-1.ics",
        "invitation-2.ics",
    ]
    assert '<img src="cid:ticket-qr" alt="QR code for your ticket"' in message.body_html


def test_header_injection_in_the_title_yields_a_one_line_subject(make, mail_context):
    event = make.event(starts_at=START, days=2, title="Kurs\r\nBcc: x@evil.example")
    registration = make.registration(event)
    notifications.notify_place(db.session, registration, BASE, NOW)
    subject = _one("confirmation").subject
    assert subject == "Bekreftelse: Kurs Bcc: x@evil.example 12.–13. mars"
    assert subject.isprintable()


def test_long_title_is_shortened_but_keeps_the_dates(make, mail_context):
    event = make.event(starts_at=START, days=2, title="Lang tittel " * 16)
    registration = make.registration(event)
    notifications.notify_place(db.session, registration, BASE, NOW)
    subject = _one("confirmation").subject
    assert len(subject) <= mail.SUBJECT_LIMIT
    assert subject.endswith("… 12.–13. mars")


def test_html_in_names_is_escaped_in_the_html_body(make, mail_context, event):
    person = make.person(name="<script>alert(1)</script>")
    registration = make.registration(event, person=person)
    notifications.notify_place(db.session, registration, BASE, NOW)
    message = _one("confirmation")
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;" in message.body_html


@pytest.mark.parametrize(
    "address", ["ola@example.no\r\nBcc: x@evil.example", "Ola <ola@example.no>", "a,b@example.no"]
)
def test_an_address_that_is_not_plain_gets_no_mail(make, mail_context, event, address):
    registration = make.registration(event, person=make.person(email=address))
    assert notifications.notify_place(db.session, registration, BASE, NOW) is None
    assert _messages() == []


def test_header_safe_drops_every_control_and_line_separator():
    assert mail.header_safe("a\rb\nc\td\x00e\u2028f\u202eg\x85h") == "a b c d e f g h"


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(mail_context, confirmed):
    db.session.commit()
    notifications.notify_place(db.session, confirmed, BASE, NOW)
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_mail_is_kept_when_the_transaction_commits(mail_context, confirmed):
    notifications.notify_place(db.session, confirmed, BASE, NOW)
    db.session.commit()
    db.session.expire_all()
    message = _one("confirmation")
    assert len(message.attachments) == 3  # two calendar files and the QR image


def test_deferred_sign_up_mail_is_queued_empty_and_held_back(mail_context, confirmed):
    message = db.session.get(OutboxMessage, _queue_empty(confirmed))
    assert message.kind == "confirmation" and message.to_address == confirmed.person.email
    assert message.needs_render and message.body_text == "" and message.attachments == []


def test_writing_a_deferred_mail_fills_it_in_full(mail_context, confirmed):
    message = db.session.get(OutboxMessage, _queue_empty(confirmed))
    notifications.write_sign_up_mail(db.session, message, BASE, NOW)
    message = _one("confirmation")
    assert not message.needs_render
    assert message.subject == "Bekreftelse: Kurs 12.–13. mars"
    _assert_links_to_manage_page(message, confirmed)
    assert len(message.attachments) == 3


def test_deferred_mail_whose_place_changed_is_dropped(mail_context, confirmed):
    message = db.session.get(OutboxMessage, _queue_empty(confirmed))
    confirmed.status = RegistrationStatus.CANCELLED
    notifications.write_sign_up_mail(db.session, message, BASE, NOW)
    db.session.flush()
    assert _messages("confirmation") == []
