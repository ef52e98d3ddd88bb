"""The certification area's mails: the kursbevis with its PDF, written by the worker in the
person's language, and the reminders before expiry (once, to the person and the contacts)."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from usht_events.certification import certifying, notifications, reminders
from usht_events.certification.models import Certification
from usht_events.core.db import db, utcnow
from usht_events.core.outbox import OutboxMessage
from usht_events.core.timezones import to_oslo
from usht_events.core.worker import run_pass

BASE = "http://usht.test"


def _messages(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def _certify(course):
    done = certifying.certify_completers(db.session, None, course.event.id, utcnow())
    db.session.commit()
    return done


def test_the_worker_writes_the_certificate_mail_with_its_pdf(course):
    (certification,) = _certify(course)
    run_pass()
    (message,) = _messages("certificate_issued")
    assert not message.needs_render
    assert message.to_address == course.full.person.email
    assert message.subject == "Kursbevis: godkjent som ProACT-instruktør"
    verify_url = f"{BASE}/verify/{certification.verification_code}"
    assert verify_url in message.body_text and f'href="{verify_url}"' in message.body_html
    assert "Kursbeviset ligger ved som PDF." in message.body_text
    (pdf,) = message.attachments
    assert pdf.content_type == "application/pdf"
    assert pdf.filename == f"kursbevis-{certification.verification_code}.pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Kari Nordmann" in text and "ProACT-instruktør" in text


def test_the_certificate_mail_in_english_for_someone_who_chose_english(course):
    course.full.person.locale = "en"
    db.session.commit()
    (certification,) = _certify(course)
    run_pass()
    (message,) = _messages("certificate_issued")
    assert message.subject == "Certificate: certified as ProACT-instruktør"
    assert message.attachments[0].filename == f"certificate-{certification.verification_code}.pdf"
    assert (
        "Certificate" in PdfReader(io.BytesIO(message.attachments[0].data)).pages[0].extract_text()
    )


def test_a_certification_revoked_before_the_mail_is_written_sends_nothing(course):
    (certification,) = _certify(course)
    certification.revoked_at = utcnow()
    db.session.commit()
    run_pass()
    assert _messages("certificate_issued") == []


def test_an_imported_certification_can_be_mailed_at_once(any_app, make):
    kind = make.certification_kind(name="ProACT-instruktør")
    certification = make.certification(
        kind=kind, issued_on=date(2027, 3, 13), expires_on=date(2029, 3, 13)
    )
    message = notifications.notify_certificate_issued(db.session, certification, BASE, utcnow())
    assert message.subject == "Kursbevis: godkjent som ProACT-instruktør"
    assert "13. mars 2029" in message.body_text
    assert message.attachments[0].content_type == "application/pdf"


# Reminders before expiry


@pytest.fixture
def expiring(any_app, make):
    """Kari's ProACT certification expires in 60 days; an upcoming course renews it."""
    today = to_oslo(utcnow()).date()
    kind = make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    centre = make.centre("ost", region=("3107",))
    course = make.event(centre=centre, title="ProACT-instruktørkurs høst", certifies_kind=kind)
    closed = make.event(
        centre=centre, title="Bare for Halden", certifies_kind=kind, eligible=("3101",)
    )
    kari = make.person(name="Kari Nordmann")
    certification = make.certification(
        person=kari,
        kind=kind,
        issued_on=today - timedelta(days=600),
        expires_on=today + timedelta(days=60),
    )
    contact, _ = make.user("municipality", municipalities=("3107",), email="leder@fredrikstad.no")
    make.user("municipality", municipalities=("3101",), email="leder@halden.no")
    db.session.commit()
    return certification, course, closed, contact


def _remind(days=90, now=None) -> int:
    count = reminders.queue_expiry_reminders(db.session, now or utcnow(), days, BASE, 50)
    db.session.commit()
    return count


def test_the_person_and_the_contacts_are_reminded_once_with_the_courses(expiring):
    certification, course, closed, contact = expiring
    assert _remind() == 1
    (personal,) = _messages("certification_expiring")
    assert personal.to_address == certification.person.email
    assert personal.subject.startswith("Godkjenningen din som ProACT-instruktør utløper ")
    assert f"{BASE}/events/{course.id}" in personal.body_text
    assert f"{BASE}/events/{closed.id}" not in personal.body_text  # not open to Fredrikstad
    (digest,) = _messages("certification_expiring_contact")
    assert digest.to_address == contact.email
    assert "Kari Nordmann" in digest.body_text and f"{BASE}/events/{course.id}" in digest.body_text
    assert f"{BASE}/municipalities/3107/instructors" in digest.body_text
    assert db.session.get(Certification, certification.id).expiry_reminded_at is not None
    assert _remind() == 0
    assert len(_messages("certification_expiring")) == 1


def test_not_before_the_configured_number_of_days(expiring):
    assert _remind(days=30) == 0
    assert _messages("certification_expiring") == []
    assert _remind(days=60) == 1


def test_no_reminder_once_renewed_or_revoked(expiring, make):
    certification, *_ = expiring
    make.certification(
        person=certification.person,
        kind=certification.kind,
        issued_on=to_oslo(utcnow()).date(),
        expires_on=to_oslo(utcnow()).date() + timedelta(days=700),
    )
    db.session.commit()
    assert _remind() == 0
    certification.revoked_at = utcnow()
    db.session.commit()
    assert _remind() == 0


def test_the_worker_pass_sends_the_reminders(expiring, any_app):
    any_app.config["CERTIFICATION_REMINDER_DAYS_BEFORE"] = 90
    report = run_pass()
    assert report.done["certification_expiry"] == 1
    assert len(_messages("certification_expiring")) == 1
    assert run_pass().done["certification_expiry"] == 0


def test_the_reminder_in_english(expiring):
    certification, *_ = expiring
    certification.person.locale = "en"
    db.session.commit()
    _remind()
    (personal,) = _messages("certification_expiring")
    assert personal.subject.startswith("Your certification as ProACT-instruktør expires on ")
