"""The e-mail outbox: mails are rows written in the transaction that causes them."""

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
    insert,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from usht_events.core.db import UTCDateTime, db, enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    """Delivery state of a queued mail."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One e-mail waiting to be delivered, or delivered, or given up on."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which mail template made it: confirmation, waitlisted, promoted, reminder, ...
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Stable Message-ID: a resend after a crash can be recognised as the same mail.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The lease token of the worker sending it now; while set, next_attempt_at is when the
    # lease ends and another worker may take the mail over (see core/delivery.py).
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    # Queued in a busy transaction without its content, which is rendered right after the
    # commit (or by the worker, should that process die first); not sent until rendered.
    needs_render: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL")
    )

    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )


class OutboxAttachment(db.Model):
    """A file sent with a queued mail (calendar file, QR ticket)."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    # Shown inside the HTML body (cid:) rather than as a separate file.
    content_id: Mapped[str] = mapped_column(String(100), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


@dataclass(frozen=True)
class MailAttachment:
    """A file to send with a mail; with a content_id it is shown inside the HTML body."""

    filename: str
    content_type: str
    data: bytes
    content_id: str = ""


def queue_mail(
    session,
    *,
    kind: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: tuple[MailAttachment, ...] = (),
    event_id: int | None = None,
    registration_id: int | None = None,
    domain: str = "usht-events",
    needs_render: bool = False,
) -> OutboxMessage:
    """Write a mail to the outbox in the caller's transaction; the worker delivers it."""
    message = OutboxMessage(
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        event_id=event_id,
        registration_id=registration_id,
        needs_render=needs_render,
    )
    set_attachments(message, attachments)
    session.add(message)
    mark_queued(session)
    return message


# Built once (see registration/statements.py for why).
_INSERT_MESSAGE = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def queue_unrendered_mail(
    session,
    *,
    kind: str,
    to: str,
    created_at: datetime,
    event_id: int | None = None,
    registration_id: int | None = None,
    domain: str = "usht-events",
) -> int:
    """Queue a mail whose content the worker writes later (core/worker.py); return its id.

    One plain INSERT rather than an ORM object: the public sign-up queues one of these
    while it holds the event's lock.
    """
    message_id = session.execute(
        _INSERT_MESSAGE,
        {
            "kind": kind,
            "to_address": to,
            "subject": "",
            "body_text": "",
            "message_id": f"<{uuid.uuid4().hex}@{domain}>",
            "event_id": event_id,
            "registration_id": registration_id,
            "needs_render": True,
            "created_at": created_at,
        },
    ).scalar_one()
    mark_queued(session)
    return message_id


def set_attachments(message: OutboxMessage, attachments: tuple[MailAttachment, ...]) -> None:
    """Replace the files a queued mail carries."""
    message.attachments = [
        OutboxAttachment(
            filename=item.filename,
            content_type=item.content_type,
            content_id=item.content_id,
            data=item.data,
        )
        for item in attachments
    ]


def mark_queued(session) -> None:
    """Note that this transaction queues mail, so its commit can wake the RQ worker."""
    session.info["outbox_queued"] = True


@event.listens_for(Session, "after_commit")
def _wake_rq_worker(session) -> None:
    """After a commit that queued mail, enqueue a pass of the worker when REDIS_URL is set."""
    if not session.info.pop("outbox_queued", False):
        return
    if has_app_context() and current_app.config.get("REDIS_URL"):
        from usht_events.core.rq_worker import enqueue_pass

        enqueue_pass(current_app.config)


@event.listens_for(Session, "after_rollback")
def _forget_queued(session) -> None:
    """A rolled-back transaction queued nothing."""
    session.info.pop("outbox_queued", None)
