"""Certified instructors and what they are certified as."""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.catalogue.models import CertificationKind, Event
from usht_events.core.db import UTCDateTime, db, enum_column, utcnow
from usht_events.core.tokens import readable_code
from usht_events.organisations.models import Municipality
from usht_events.registration.models import Person


class CertificationSource(enum.StrEnum):
    """Where a certification came from."""

    EVENT = "event"
    IMPORTED = "imported"


class Certification(db.Model):
    """A person certified as a kind, through an event or imported by a municipality."""

    __tablename__ = "certification"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR expires_on > issued_on", name="expires_after_issue"),
        CheckConstraint(
            "(source = 'event') = (event_id IS NOT NULL)", name="event_source_has_event"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("certification_kind.id"))
    # Municipality at the time of certification: the roster it belongs to.
    municipality_number: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.number"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), index=True)
    source: Mapped[CertificationSource] = mapped_column(
        enum_column(CertificationSource, "certification_source")
    )
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    # Public code for /verify/<code> and the QR on the PDF certificate.
    verification_code: Mapped[str] = mapped_column(String(16), unique=True, default=readable_code)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person] = relationship()
    kind: Mapped[CertificationKind] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    event: Mapped[Event | None] = relationship()

    def is_valid_on(self, day: date) -> bool:
        """True when not revoked and not expired on the given day."""
        return self.revoked_at is None and (self.expires_on is None or day < self.expires_on)
