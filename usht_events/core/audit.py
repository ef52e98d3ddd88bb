"""The audit log: every organiser action that changes data, with who and when."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm import Session as DbSession

from usht_events.core.db import UTCDateTime, db, utcnow


class AuditEntry(db.Model):
    """One change made by a logged-in user."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    # A stable verb, e.g. "event.publish", "registration.cancel", "user.create".
    action: Mapped[str] = mapped_column(String(60))
    # Human-readable, in Norwegian: what changed.
    summary: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user = relationship("User")


def record_action(
    session: DbSession, user, action: str, summary: str = "", event_id: int | None = None
) -> AuditEntry:
    """Log a change in the caller's transaction, so it is kept exactly when the change is."""
    entry = AuditEntry(
        user_id=getattr(user, "id", None), action=action, summary=summary, event_id=event_id
    )
    session.add(entry)
    return entry
