"""People, their places on events, and their attendance at the sessions."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.catalogue.models import Event, EventQuestion, Session
from usht_events.core.db import UTCDateTime, db, enum_column, utcnow
from usht_events.core.i18n import N_
from usht_events.core.tokens import readable_code, ticket_secret, url_token
from usht_events.organisations.models import Municipality


class Profession(enum.StrEnum):
    """The professions the sign-up form offers."""

    NURSE = "nurse"
    SOCIAL_EDUCATOR = "social_educator"
    HEALTH_WORKER = "health_worker"
    PHYSICIAN = "physician"
    PHYSIOTHERAPIST = "physiotherapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    MANAGER = "manager"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PROFESSION_LABELS[self]


PROFESSION_LABELS = {
    Profession.NURSE: N_("Sykepleier"),
    Profession.SOCIAL_EDUCATOR: N_("Vernepleier"),
    Profession.HEALTH_WORKER: N_("Helsefagarbeider"),
    Profession.PHYSICIAN: N_("Lege"),
    Profession.PHYSIOTHERAPIST: N_("Fysioterapeut"),
    Profession.OCCUPATIONAL_THERAPIST: N_("Ergoterapeut"),
    Profession.MANAGER: N_("Leder"),
    Profession.OTHER: N_("Annet"),
}


class RegistrationStatus(enum.StrEnum):
    """A place is confirmed, waiting for a seat, or given up."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "confirmed": N_("Bekreftet"),
            "waitlisted": N_("På venteliste"),
            "cancelled": N_("Avmeldt"),
        }[self.value]


class RegistrationSource(enum.StrEnum):
    """How the registration came in."""

    WEB = "web"
    ORGANISER = "organiser"
    WALK_IN = "walk_in"
    IMPORT = "import"


class Person(db.Model):
    """A participant, identified by e-mail address (stored lower-case)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    municipality_number: Mapped[str | None] = mapped_column(ForeignKey("municipality.number"))
    workplace: Mapped[str] = mapped_column(String(200), default="")
    profession: Mapped[Profession | None] = mapped_column(enum_column(Profession, "profession"))
    # The language mails to this person are written in.
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    # Secret of the personal calendar feed.
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=url_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    municipality: Mapped[Municipality | None] = relationship()

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class Registration(db.Model):
    """A person's place on an event."""

    __tablename__ = "registration"
    __table_args__ = (
        # One active registration per person and event, enforced by the database.
        Index(
            "uq_registration_active_person_event",
            "event_id",
            "person_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registration_event_status_created", "event_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "registration_status")
    )
    source: Mapped[RegistrationSource] = mapped_column(
        enum_column(RegistrationSource, "registration_source"), default=RegistrationSource.WEB
    )
    # Municipality at sign-up: seats per municipality are counted on this.
    municipality_number: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.number"), index=True
    )
    workplace: Mapped[str] = mapped_column(String(200), default="")
    profession: Mapped[Profession | None] = mapped_column(enum_column(Profession, "profession"))
    needs: Mapped[str] = mapped_column(Text, default="")
    # Secret of the manage link /r/<token>.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=url_token)
    # Secret of the ticket /t/<ticket_token> and of its QR code (128 random bits); a new
    # one revokes the old (participants.reissue_ticket).
    ticket_token: Mapped[str] = mapped_column(String(43), unique=True, default=ticket_secret)
    # Short code to read out at the door when a phone will not scan. It is looked up only
    # inside an organiser's check-in page for this registration's own event, never as an
    # address: 50 bits are too few for a public key.
    ticket_code: Mapped[str] = mapped_column(String(16), unique=True, default=readable_code)
    # From the sign-up form: a resubmitted form finds the registration it already made, when
    # it is for the same person and event (see statements.SIGN_UP_FACTS).
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    # Sign-up time; the waiting list is ordered by it.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The organiser's reason when they cancelled the place, shown on the person's manage
    # page as it was mailed; empty when the person cancelled it themselves.
    cancellation_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    @hybrid_property
    def is_active(self) -> bool:
        """Confirmed or on the waiting list: the person still holds or awaits a place."""
        return self.status != RegistrationStatus.CANCELLED

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls):
        return cls.status != RegistrationStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"


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


class Answer(db.Model):
    """What a person answered to one of the event's own questions (catalogue's EventQuestion).

    One choice or a text is the value as given; several choices are one per line; yes or
    no is "yes" or "no".
    """

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint's index serves lookups by registration.
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("event_question.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text, default="")

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[EventQuestion] = relationship()


class CompletionOverride(db.Model):
    """The organiser's word on whether a registration completed its event, whatever the
    attendance says (registration/completion.py); the reason is kept, and the change audited."""

    __tablename__ = "completion_override"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    completed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
