"""Attendance at sessions."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.catalogue.models import Session, enum_column
from usht_events.core.db import UTCDateTime, db, utcnow
from usht_events.registration.models import Registration


class CheckinMethod(enum.StrEnum):
    """How the person was checked in."""

    SCAN = "scan"
    SEARCH = "search"
    TICKET_PAGE = "ticket_page"
    WALK_IN = "walk_in"


class Attendance(db.Model):
    """A registration checked in at one session."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_session.id", ondelete="CASCADE"), index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    method: Mapped[CheckinMethod] = mapped_column(
        enum_column(CheckinMethod, "checkin_method"), default=CheckinMethod.SCAN
    )

    registration: Mapped[Registration] = relationship()
    session: Mapped[Session] = relationship()
