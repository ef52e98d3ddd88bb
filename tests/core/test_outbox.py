"""The outbox delivers over real SMTP: retries with back-off, leases, exactly once per worker."""

import threading
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from usht_events.core import delivery
from usht_events.core.db import db, utcnow
from usht_events.core.delivery import DeliveryReport, Settings, deliver_due, retry
from usht_events.core.errors import DomainError
from usht_events.core.extensions import mail
from usht_events.core.outbox import MailAttachment, OutboxMessage, OutboxStatus, queue_mail

REDIS_URL = "redis://127.0.0.1:6379/0"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@contextmanager
def mail_via(app, host: str, port: int):
    """Point Flask-Mail at another SMTP server; it reads the settings in init_app."""
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    mail.init_app(app)
    try:
        yield
    finally:
        app.config.update(MAIL_SERVER=saved[0], MAIL_PORT=saved[1])
        mail.init_app(app)


@pytest.fixture
def sink(smtp_sink):
    """The SMTP sink, with the current test app (app, pg_app or any_app) sending to it."""
    with mail_via(current_app._get_current_object(), smtp_sink.host, smtp_sink.port):
        yield smtp_sink


def queue(to: str = "kari@example.no", subject: str = "Bekreftelse: ProACT", **extra):
    """Queue one plain mail in the test's session and commit it."""
    message = queue_mail(
        db.session, kind="confirmation", to=to, subject=subject, text="Hei", **extra
    )
    db.session.commit()
    return message


def settings() -> Settings:
    return Settings.from_config(current_app.config)


def reload(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_due_mail_arrives_as_mime_with_alternatives_attachments_and_its_message_id(any_app, sink):
    message = queue(
        subject="Bekreftelse: Demensomsorgens ABC – Halden",
        html='<p>Hei Kari</p><img src="cid:qr-ticket">',
        attachments=(
            MailAttachment("arrangement.ics", "text/calendar", ICS),
            MailAttachment("billett.png", "image/png", PNG, content_id="qr-ticket"),
        ),
    )
    report = deliver_due(db.session, mail)
    (received,) = sink.wait_for(1)
    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    assert received["Message-ID"] == message.message_id
    assert received["Subject"] == "Bekreftelse: Demensomsorgens ABC – Halden"
    assert received["From"].addresses[0].addr_spec == "pamelding@usht-events.no"
    assert received["Date"].datetime is not None
    assert received.get_body(("plain",)).get_content().strip() == "Hei"
    assert "Hei Kari" in received.get_body(("html",)).get_content()
    assert received.get_body(("related",)) is not None
    inline = next(part for part in received.walk() if part["Content-ID"] == "<qr-ticket>")
    assert inline.get_content() == PNG
    (attachment,) = received.iter_attachments()
    assert attachment.get_filename() == "arrangement.ics"
    assert attachment.get_content().replace("\r\n", "\n") == ICS.decode().replace("\r\n", "\n")


def test_sent_mail_is_recorded_and_not_sent_again(app, sink):
    message = queue()
    deliver_due(db.session, mail)
    report = deliver_due(db.session, mail, now=utcnow() + timedelta(days=1))
    message = reload(message)
    assert (message.status, message.attempts, message.claimed_by) == (OutboxStatus.SENT, 1, None)
    assert message.sent_at is not None
    assert report.claimed == 0
    assert len(sink.wait_for(1)) == 1


def test_smtp_refusal_keeps_mail_pending_with_back_off_then_sends_each_once(app, sink):
    messages = [queue(to=f"deltaker{n}@example.no") for n in range(3)]
    sink.refuse_with = "451 Try later"
    now = utcnow()
    report = deliver_due(db.session, mail, now=now)
    assert (report.sent, report.deferred, report.failed, report.waiting) == (0, 3, 0, 3)
    for message in map(reload, messages):
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
        assert message.next_attempt_at == now + timedelta(minutes=1)
        assert "451" in message.last_error
    assert deliver_due(db.session, mail, now=now + timedelta(seconds=30)).claimed == 0
    sink.refuse_with = None
    assert deliver_due(db.session, mail, now=now + timedelta(minutes=1)).sent == 3
    deliver_due(db.session, mail, now=now + timedelta(hours=1))
    received = Counter(item["Message-ID"] for item in sink.wait_for(3))
    assert received == Counter(message.message_id for message in messages)


def test_closed_smtp_port_keeps_mail_pending_until_the_server_is_back(app, smtp_sink):
    message = queue()
    now = utcnow()
    report = deliver_due(db.session, mail, now=now)  # the test app points at port 1
    message = reload(message)
    assert (report.deferred, message.status, message.attempts) == (1, OutboxStatus.PENDING, 1)
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert "ConnectionRefusedError" in message.last_error
    with mail_via(app, smtp_sink.host, smtp_sink.port):
        assert deliver_due(db.session, mail, now=now + timedelta(minutes=1)).sent == 1
    assert [item["Message-ID"] for item in smtp_sink.wait_for(1)] == [message.message_id]


def test_back_off_doubles_each_attempt_up_to_the_cap(app):
    waits = [delivery.backoff(attempt, settings()) for attempt in range(1, 9)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)]


def test_mail_is_marked_failed_after_the_last_attempt(app, sink):
    message = queue()
    sink.refuse_with = "451 Try later"
    now = utcnow()
    for _ in range(settings().max_attempts):
        deliver_due(db.session, mail, now=now)
        now = reload(message).next_attempt_at
    message = reload(message)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 8)
    assert "451" in message.last_error
    assert deliver_due(db.session, mail, now=now + timedelta(days=1)).claimed == 0


def test_organiser_retry_puts_a_failed_mail_back_and_it_is_sent(app, sink):
    message = queue(to="ola@example.no")
    message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 8, "SMTP 451"
    db.session.commit()
    retry(db.session, message.id)
    db.session.commit()
    assert (reload(message).status, reload(message).attempts) == (OutboxStatus.PENDING, 0)
    assert deliver_due(db.session, mail).sent == 1
    assert [item["Message-ID"] for item in sink.wait_for(1)] == [message.message_id]


def test_retry_refuses_a_mail_that_has_not_failed(app):
    message = queue()
    with pytest.raises(DomainError) as caught:
        retry(db.session, message.id)
    assert caught.value.code == "not_failed"


@pytest.mark.parametrize(
    "address", ["ikke en adresse", "kari@example.no\r\nBcc: alle@example.no", "kari@"]
)
def test_invalid_recipient_fails_at_once_with_a_clear_error(app, sink, address):
    message = queue(to=address)
    report = deliver_due(db.session, mail)
    message = reload(message)
    assert (report.failed, message.status, message.attempts) == (1, OutboxStatus.FAILED, 0)
    assert message.last_error.startswith("Ugyldig mottakeradresse")
    assert sink.messages == []


def test_line_breaks_in_the_subject_cannot_add_headers(app, sink):
    queue(subject="Påmelding\r\nBcc: alle@example.no\nX-Injected: ja")
    deliver_due(db.session, mail)
    (received,) = sink.wait_for(1)
    assert received["Subject"] == "Påmelding Bcc: alle@example.no X-Injected: ja"
    assert received["Bcc"] is None
    assert received["X-Injected"] is None


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(app, sink):
    kept = queue(to="kari@example.no")
    queue_mail(db.session, kind="confirmation", to="ola@example.no", subject="Avbrutt", text="x")
    db.session.flush()
    db.session.rollback()
    report = deliver_due(db.session, mail, now=utcnow() + timedelta(days=1))
    assert (report.sent, report.waiting) == (1, 0)
    assert [item["Message-ID"] for item in sink.wait_for(1)] == [kept.message_id]
    assert db.session.query(OutboxMessage).count() == 1


def test_mail_claimed_by_a_worker_that_died_is_sent_after_its_lease(app, sink):
    message = queue()
    now = utcnow()
    delivery._claim(db.session, now, 10, settings(), DeliveryReport())  # then the worker dies
    assert deliver_due(db.session, mail, now=now + timedelta(minutes=1)).claimed == 0
    report = deliver_due(db.session, mail, now=now + timedelta(minutes=5))
    message = reload(message)
    assert (report.sent, message.status, message.attempts) == (1, OutboxStatus.SENT, 2)
    assert [item["Message-ID"] for item in sink.wait_for(1)] == [message.message_id]


def test_mail_whose_worker_died_during_the_last_attempt_is_marked_failed(app, sink):
    message = queue()
    message.attempts = settings().max_attempts - 1
    db.session.commit()
    now = utcnow()
    delivery._claim(db.session, now, 10, settings(), DeliveryReport())  # then the worker dies
    report = deliver_due(db.session, mail, now=now + timedelta(minutes=5))
    message = reload(message)
    assert (report.failed, message.status) == (1, OutboxStatus.FAILED)
    assert "avbrutt" in message.last_error
    assert sink.messages == []


def test_worker_killed_after_smtp_accepted_resends_with_the_same_message_id(app, sink, monkeypatch):
    message = queue()
    now = utcnow()
    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_record", _killed)
        with pytest.raises(KeyboardInterrupt):
            deliver_due(db.session, mail, now=now)
    db.session.rollback()
    assert deliver_due(db.session, mail, now=now + timedelta(minutes=5)).sent == 1
    # At least once: the receiver recognises the resend by its Message-ID.
    received = [item["Message-ID"] for item in sink.wait_for(2)]
    assert received == [message.message_id, message.message_id]
    assert reload(message).status == OutboxStatus.SENT


def _killed(*args, **kwargs):
    raise KeyboardInterrupt


def test_worker_that_lost_its_lease_cannot_overwrite_the_outcome(app, sink):
    message = queue()
    now = utcnow()
    (stale,) = delivery._claim(db.session, now, 10, settings(), DeliveryReport())
    deliver_due(db.session, mail, now=now + timedelta(minutes=5))  # takes over and sends
    late = DeliveryReport()
    delivery._record(db.session, stale, delivery._Outcome("SMTP 451"), now, settings(), late)
    assert (late.deferred, reload(message).status) == (0, OutboxStatus.SENT)


@pytest.mark.postgres
def test_concurrent_workers_on_postgres_send_each_mail_exactly_once(pg_app, sink):
    messages = [queue(to=f"deltaker{n}@example.no") for n in range(40)]
    start = threading.Barrier(3)
    reports: list[DeliveryReport] = []

    def worker():
        with pg_app.app_context():
            start.wait()
            while (report := deliver_due(db.session, mail, batch_size=3)).claimed:
                reports.append(report)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    received = Counter(item["Message-ID"] for item in sink.wait_for(40))
    assert received == Counter(message.message_id for message in messages)
    assert sum(report.sent for report in reports) == 40


@pytest.fixture
def rq_app(app, sink):
    """The SQLite app with REDIS_URL set and a queue of its own on the real Redis."""
    name = f"usht-outbox-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=REDIS_URL, OUTBOX_RQ_QUEUE=name)
    with Redis.from_url(REDIS_URL) as connection:
        yield Queue(name, connection=connection)
        scheduled = ScheduledJobRegistry(name, connection=connection)
        for job_id in scheduled.get_job_ids():
            scheduled.remove(job_id, delete_job=True)
        Queue(name, connection=connection).empty()
        connection.delete(*connection.keys(f"*{name}*") or ["-"])
    app.config.update(REDIS_URL=None, OUTBOX_RQ_QUEUE="usht-outbox")


def test_committed_mail_wakes_the_rq_worker_which_sends_it(rq_app, sink):
    rq_queue = rq_app
    message = queue()
    assert rq_queue.count == 1
    SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)
    assert [item["Message-ID"] for item in sink.wait_for(1)] == [message.message_id]
    assert reload(message).status == OutboxStatus.SENT


def test_rolled_back_mail_enqueues_no_rq_job(rq_app):
    rq_queue = rq_app
    queue_mail(db.session, kind="confirmation", to="ola@example.no", subject="Avbrutt", text="x")
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert rq_queue.count == 0


def test_rq_worker_schedules_itself_for_a_deferred_mail(rq_app, sink):
    rq_queue = rq_app
    sink.refuse_with = "451 Try later"
    queue()
    SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)
    scheduled = ScheduledJobRegistry(rq_queue.name, connection=rq_queue.connection)
    assert len(scheduled.get_job_ids()) == 1


def test_unrendered_mail_is_not_sent_until_the_worker_writes_it(app, sink, make):
    from usht_events.core.worker import run_pass
    from usht_events.registration import notifications

    registration = make.registration()
    db.session.commit()
    notifications.queue_sign_up_mail(
        db.session,
        registration.id,
        registration.status,
        registration.person.email,
        registration.event_id,
        utcnow(),
    )
    db.session.commit()
    assert deliver_due(db.session, mail).claimed == 0
    assert run_pass().delivery.sent == 1
    (received,) = sink.wait_for(1)
    assert received["Subject"].startswith("Bekreftelse: ")
