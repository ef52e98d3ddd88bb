"""Delivery of the outbox: claim due mails, send them over SMTP, record each outcome.

Claiming: a worker selects due pending rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
concurrent workers take disjoint rows; SQLite: inside `BEGIN IMMEDIATE`, so workers take
turns), stamps them with its own lease token, counts the attempt and moves
`next_attempt_at` to the end of the lease, and commits before it talks to SMTP. No database
lock is held while mail is on the wire. Each outcome is recorded in its own short
transaction, and only while the row still carries this worker's token.

A worker killed between claiming and recording leaves its rows pending with a lease that
runs out: they fall due again at `next_attempt_at` and the next worker sends them. If the
worker died after the SMTP server had accepted a mail, the receiver gets that mail twice,
with the same Message-ID, by which the resend can be recognised (at-least-once delivery).
"""

import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from usht_events.core.db import immediate_transactions, utcnow
from usht_events.core.errors import DomainError, ErrorCode
from usht_events.core.i18n import N_
from usht_events.core.outbox import OutboxMessage, OutboxStatus, mark_queued

NOT_FAILED = ErrorCode("not_failed", N_("Bare e-post som har feilet kan sendes på nytt."))


class UndeliverableMail(ValueError):
    """A mail that no retry can ever send (bad recipient address)."""


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    deferred: int = 0  # the attempt failed; the mail waits for its next attempt
    failed: int = 0  # given up on: shown to organisers, who may retry it
    claimed: int = 0  # due rows taken from the queue, including those given up at once
    waiting: int = 0  # pending mails left in the outbox after the pass

    def add(self, other: "DeliveryReport") -> None:
        """Fold a later batch of the same pass into this report."""
        self.sent += other.sent
        self.deferred += other.deferred
        self.failed += other.failed
        self.claimed += other.claimed
        self.waiting = other.waiting

    def summary(self) -> str:
        """The one line the CLI prints per pass."""
        return f"Sendt {self.sent}, feilet {self.failed}, venter {self.waiting}"


@dataclass(frozen=True)
class Settings:
    """The outbox settings from the app config."""

    sender: str
    max_attempts: int
    batch_size: int
    backoff: timedelta
    backoff_max: timedelta
    lease: timedelta
    smtp_timeout: float

    @classmethod
    def from_config(cls, config) -> "Settings":
        """Read the OUTBOX_* settings and the sender."""
        sender = config["MAIL_DEFAULT_SENDER"]
        return cls(
            sender=formataddr(sender) if isinstance(sender, tuple | list) else sender,
            max_attempts=config["OUTBOX_MAX_ATTEMPTS"],
            batch_size=config["OUTBOX_BATCH_SIZE"],
            backoff=timedelta(seconds=config["OUTBOX_BACKOFF_SECONDS"]),
            backoff_max=timedelta(seconds=config["OUTBOX_BACKOFF_MAX_SECONDS"]),
            lease=timedelta(seconds=config["OUTBOX_LEASE_SECONDS"]),
            smtp_timeout=config["OUTBOX_SMTP_TIMEOUT"],
        )


@dataclass(frozen=True)
class _Claimed:
    """A mail this worker holds under its lease, built and ready for SMTP."""

    id: int
    token: str
    attempts: int
    email: EmailMessage
    recipient: str


@dataclass(frozen=True)
class _Outcome:
    error: str = ""
    permanent: bool = False


def deliver_due(
    session, mailer, now: datetime | None = None, batch_size: int | None = None
) -> DeliveryReport:
    """Send one batch of due mails and record each outcome; commits on `session`."""
    settings = Settings.from_config(current_app.config)
    now = now or utcnow()
    report = DeliveryReport()
    with immediate_transactions():
        claimed = _claim(session, now, batch_size or settings.batch_size, settings, report)
        if claimed:
            _send_all(session, mailer, claimed, now, settings, report)
        report.waiting = _count_waiting(session)
        session.commit()
    return report


def deliver_all_due(session, mailer, batch_size: int | None = None) -> DeliveryReport:
    """One pass of the worker: deliver batch after batch until nothing more is due."""
    size = batch_size or current_app.config["OUTBOX_BATCH_SIZE"]
    total = DeliveryReport()
    while True:
        report = deliver_due(session, mailer, batch_size=size)
        total.add(report)
        if report.claimed < size:
            return total


def next_due_at(session) -> datetime | None:
    """When the earliest pending mail falls due, if any mail is pending."""
    query = select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.status == OutboxStatus.PENDING
    )
    return session.scalar(query)


def retry(session, message_id: int) -> OutboxMessage:
    """Put a failed mail (by outbox row id) back in the queue with fresh attempts."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.FAILED:
        raise DomainError(NOT_FAILED)
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = None
    mark_queued(session)
    return message


def backoff(attempts: int, settings: Settings) -> timedelta:
    """The wait after the given failed attempt: base, doubling each time, up to the cap."""
    return min(settings.backoff * 2 ** max(attempts - 1, 0), settings.backoff_max)


def one_line(value: str) -> str:
    """Collapse every line break and run of whitespace into one space (header injection)."""
    return " ".join(value.split())


def checked_recipient(address: str) -> str:
    """Return the address in the form to send to, or raise UndeliverableMail."""
    if "\r" in address or "\n" in address:
        raise UndeliverableMail(f"Ugyldig mottakeradresse {address!r}: inneholder linjeskift")
    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise UndeliverableMail(f"Ugyldig mottakeradresse {address!r}: {error}") from error
    return valid.ascii_email or valid.normalized


def build_email(message: OutboxMessage, sender: str, now: datetime) -> EmailMessage:
    """The MIME mail: text with an HTML alternative, inline images, attachments."""
    email = EmailMessage(policy=SMTP)
    email["Subject"] = one_line(message.subject)
    email["From"] = sender
    email["To"] = checked_recipient(message.to_address)
    email["Date"] = format_datetime(now)
    email["Message-ID"] = one_line(message.message_id)
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    _attach(email, message.attachments)
    return email


def _attach(email: EmailMessage, attachments) -> None:
    """Inline images go beside the HTML part (multipart/related), the rest as files."""
    html = email.get_body(("html",)) if email.is_multipart() else None
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        filename = one_line(item.filename)
        if item.content_id and html is not None:
            cid = f"<{one_line(item.content_id).strip('<>')}>"
            html.add_related(
                item.data, maintype, subtype, cid=cid, filename=filename, disposition="inline"
            )
        else:
            email.add_attachment(item.data, maintype, subtype, filename=filename)


def _due_query(now: datetime, batch_size: int):
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.needs_render.is_(False),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch_size)
        # SKIP LOCKED: a second worker takes the next rows instead of waiting for these.
        .with_for_update(skip_locked=True)
        .options(selectinload(OutboxMessage.attachments))
        .execution_options(populate_existing=True)
    )


def _claim(session, now, batch_size, settings, report) -> list[_Claimed]:
    """Take up to `batch_size` due mails under a fresh lease, in one short transaction."""
    token = uuid.uuid4().hex
    claimed = []
    rows = session.scalars(_due_query(now, batch_size)).all()
    for row in rows:
        item = _claim_row(row, token, now, settings)
        if item is None:
            report.failed += 1
        else:
            claimed.append(item)
    session.commit()
    report.claimed = len(rows)
    return claimed


def _claim_row(row: OutboxMessage, token: str, now, settings) -> _Claimed | None:
    """Lease one mail and build it, or give it up when it can never be sent."""
    if row.attempts >= settings.max_attempts:
        # Its last worker died during the final attempt; the mail may or may not have gone.
        interrupted = "Siste forsøk ble avbrutt (arbeideren stoppet); e-posten kan ha kommet fram."
        return _give_up(row, f"{interrupted} {row.last_error}".strip())
    try:
        email = build_email(row, settings.sender, now)
    except UndeliverableMail as error:
        return _give_up(row, str(error))
    row.attempts += 1
    row.claimed_by = token
    row.next_attempt_at = now + settings.lease
    return _Claimed(row.id, token, row.attempts, email, email["To"])


def _give_up(row: OutboxMessage, error: str) -> None:
    row.status = OutboxStatus.FAILED
    row.claimed_by = None
    row.last_error = error


def _send_all(session, mailer, claimed: list[_Claimed], now, settings, report) -> None:
    """Send over one SMTP connection; if the connection fails, the rest wait for later."""
    remaining = list(claimed)
    try:
        with _smtp_host(mailer, settings.smtp_timeout) as host:
            while remaining:
                outcome = _send_one(host, remaining[0], settings.sender)
                _record(session, remaining.pop(0), outcome, now, settings, report)
    except (smtplib.SMTPException, OSError) as error:
        for item in remaining:
            _record(session, item, _Outcome(_describe(error)), now, settings, report)


@contextmanager
def _smtp_host(mailer, timeout: float) -> Iterator[smtplib.SMTP | None]:
    """Flask-Mail's SMTP connection for one batch (None when sending is suppressed)."""
    connection = mailer.connect()
    if connection.mail.suppress:
        yield None
        return
    host = connection.configure_host()
    # Flask-Mail connects without a timeout; a hung server must not outlive the lease.
    host.sock.settimeout(timeout)
    try:
        yield host
    finally:
        _close(host)


def _close(host: smtplib.SMTP) -> None:
    try:
        host.quit()
    except (smtplib.SMTPException, OSError):
        host.close()


def _send_one(host: smtplib.SMTP | None, item: _Claimed, sender: str) -> _Outcome:
    """Hand one mail to the SMTP server; errors about this mail alone become its outcome."""
    if host is None:
        return _Outcome()  # MAIL_SUPPRESS_SEND: Flask-Mail pretends to send, and so do we
    try:
        host.send_message(item.email, from_addr=parseaddr(sender)[1], to_addrs=[item.recipient])
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        return _Outcome(_describe(error), permanent=all(code >= 500 for code in codes))
    except (smtplib.SMTPResponseException, smtplib.SMTPNotSupportedError) as error:
        return _Outcome(_describe(error))
    return _Outcome()


def _describe(error: Exception) -> str:
    """A short text for `last_error`, with the SMTP reply when there is one."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"SMTP {error.smtp_code}: {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"SMTP {code} for {address}: {reply.decode(errors='replace')}"
            for address, (code, reply) in error.recipients.items()
        )
    return f"{type(error).__name__}: {error}"


def _record(session, item: _Claimed, outcome: _Outcome, now, settings, report) -> None:
    """Write the outcome, if this worker still holds the lease, and commit it at once."""
    values = _outcome_values(item, outcome, now, settings)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id, OutboxMessage.claimed_by == item.token)
        .values(claimed_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount:
        _count(report, values)


def _outcome_values(item: _Claimed, outcome: _Outcome, now, settings) -> dict:
    if not outcome.error:
        return {"status": OutboxStatus.SENT, "sent_at": now, "last_error": ""}
    if outcome.permanent or item.attempts >= settings.max_attempts:
        return {"status": OutboxStatus.FAILED, "last_error": outcome.error}
    return {
        "status": OutboxStatus.PENDING,
        "last_error": outcome.error,
        "next_attempt_at": now + backoff(item.attempts, settings),
    }


def _count(report: DeliveryReport, values: dict) -> None:
    if values["status"] == OutboxStatus.SENT:
        report.sent += 1
    elif values["status"] == OutboxStatus.FAILED:
        report.failed += 1
    else:
        report.deferred += 1


def _count_waiting(session) -> int:
    query = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
    return session.scalar(query)
