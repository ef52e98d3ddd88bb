"""Certified instructors and what they are certified as."""

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    case,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.catalogue.models import CertificationKind, Event
from usht_events.core.db import UTCDateTime, db, enum_column, utcnow
from usht_events.core.i18n import N_
from usht_events.core.tokens import readable_code
from usht_events.organisations.models import Municipality
from usht_events.registration.models import Person

__all__ = ["Certification", "CertificationKind", "CertificationSource", "CertificationStatus"]

# A certification this close to its expiry is shown as expiring (rosters, start page).
EXPIRING_WITHIN = timedelta(days=90)
# The code is a key in a public URL (/verify/<code>): 16 characters of a 32-letter alphabet
# are 80 bits, far beyond guessing at any rate a server answers, and still short enough
# to type from paper.
VERIFICATION_CODE_LENGTH = 16


def new_verification_code() -> str:
    """A fresh public verification code."""
    return readable_code(VERIFICATION_CODE_LENGTH)


class CertificationSource(enum.StrEnum):
    """Where a certification came from."""

    EVENT = "event"
    IMPORTED = "imported"


class CertificationStatus(enum.StrEnum):
    """A certification's standing on a given day."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        """The Norwegian name (a catalogue id: translate it where it is shown)."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    CertificationStatus.VALID: N_("Gyldig"),
    CertificationStatus.EXPIRING: N_("Utløper innen 90 dager"),
    CertificationStatus.EXPIRED: N_("Utløpt"),
    CertificationStatus.REVOKED: N_("Tilbakekalt"),
}


class Certification(db.Model):
    """A person certified as a kind, through an event or imported by a municipality."""

    __tablename__ = "certification"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR expires_on > issued_on", name="expires_after_issue"),
        CheckConstraint(
            "(source = 'event') = (event_id IS NOT NULL)", name="event_source_has_event"
        ),
        # Certifying an event's completers twice, or by two organisers at once, adds nothing.
        Index(
            "uq_certification_event_person_kind",
            "event_id",
            "person_id",
            "kind_id",
            unique=True,
            sqlite_where=text("event_id IS NOT NULL"),
            postgresql_where=text("event_id IS NOT NULL"),
        ),
        # The roster of a municipality: its current certifications, by kind.
        Index(
            "ix_certification_current_roster",
            "municipality_number",
            "kind_id",
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        # A person's certifications of a kind, to tell which is current (renewal.py).
        Index("ix_certification_person_kind", "person_id", "kind_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind_id: Mapped[int] = mapped_column(ForeignKey("certification_kind.id"))
    # Municipality at the time of certification: the roster it belongs to.
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), index=True)
    source: Mapped[CertificationSource] = mapped_column(
        enum_column(CertificationSource, "certification_source")
    )
    # For an imported certification: where it came from (the file, or the row's own note).
    imported_from: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    # The first day it is no longer valid; NULL for a kind that does not expire.
    expires_on: Mapped[date | None] = mapped_column(Date)
    # Public code for /verify/<code> and the QR on the PDF certificate.
    verification_code: Mapped[str] = mapped_column(
        String(16), unique=True, default=new_verification_code
    )
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    # The one of the person's certifications of this kind that counts (renewal.py): the
    # roster shows it, and only it is reminded of. Kept by the rules that add or revoke.
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the worker sent the reminder before expiry; it is sent once.
    expiry_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    kind: Mapped[CertificationKind] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    event: Mapped[Event | None] = relationship()

    @hybrid_method
    def is_valid_on(self, day: date) -> bool:
        """Not revoked and not expired on the given day."""
        return self.revoked_at is None and (self.expires_on is None or day < self.expires_on)

    @is_valid_on.inplace.expression
    @classmethod
    def _is_valid_on_expression(cls, day: date):
        return and_(cls.revoked_at.is_(None), (cls.expires_on.is_(None)) | (cls.expires_on > day))

    @hybrid_method
    def status_on(self, day: date) -> CertificationStatus:
        """Valid, expiring within 90 days, expired or revoked, on the given day."""
        if self.revoked_at is not None:
            return CertificationStatus.REVOKED
        if self.expires_on is not None and self.expires_on <= day:
            return CertificationStatus.EXPIRED
        if self.expires_on is not None and self.expires_on <= day + EXPIRING_WITHIN:
            return CertificationStatus.EXPIRING
        return CertificationStatus.VALID

    @status_on.inplace.expression
    @classmethod
    def _status_on_expression(cls, day: date):
        return case(
            (cls.revoked_at.is_not(None), CertificationStatus.REVOKED.value),
            (cls.expires_on <= day, CertificationStatus.EXPIRED.value),
            (cls.expires_on <= day + EXPIRING_WITHIN, CertificationStatus.EXPIRING.value),
            else_=CertificationStatus.VALID.value,
        )

    def __repr__(self) -> str:
        return f"<Certification {self.id} kind {self.kind_id} person {self.person_id}>"
