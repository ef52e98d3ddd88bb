"""Events and what groups them."""

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.core.db import UTCDateTime, db, enum_column, utcnow
from usht_events.core.i18n import N_
from usht_events.organisations.models import Centre, Municipality


class EventKind(enum.StrEnum):
    """What sort of event it is; the value is the stable code."""

    COURSE = "course"
    INSTRUCTOR_COURSE = "instructor_course"
    SEMINAR = "seminar"
    NETWORK_GATHERING = "network_gathering"
    LEARNING_NETWORK = "learning_network"
    PROFESSIONAL_DAY = "professional_day"
    CONFERENCE = "conference"
    WEBINAR = "webinar"
    WORKSHOP = "workshop"
    INFORMATION_MEETING = "information_meeting"

    @property
    def label(self) -> str:
        return EVENT_KIND_LABELS[self]


EVENT_KIND_LABELS = {
    EventKind.COURSE: N_("Kurs"),
    EventKind.INSTRUCTOR_COURSE: N_("Instruktørkurs"),
    EventKind.SEMINAR: N_("Seminar"),
    EventKind.NETWORK_GATHERING: N_("Nettverkssamling"),
    EventKind.LEARNING_NETWORK: N_("Læringsnettverk"),
    EventKind.PROFESSIONAL_DAY: N_("Fagdag"),
    EventKind.CONFERENCE: N_("Konferanse"),
    EventKind.WEBINAR: N_("Webinar"),
    EventKind.WORKSHOP: N_("Workshop"),
    EventKind.INFORMATION_MEETING: N_("Informasjonsmøte"),
}


class EventFormat(enum.StrEnum):
    """Where people take part."""

    PHYSICAL = "physical"
    DIGITAL = "digital"
    HYBRID = "hybrid"

    @property
    def label(self) -> str:
        return {
            "physical": N_("Fysisk"),
            "digital": N_("Digitalt"),
            "hybrid": N_("Fysisk og digitalt"),
        }[self.value]


class EventStatus(enum.StrEnum):
    """Life cycle: a draft is published, may be confirmed to run, or is cancelled."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "draft": N_("Utkast"),
            "published": N_("Publisert"),
            "confirmed": N_("Gjennomføres"),
            "cancelled": N_("Avlyst"),
        }[self.value]


# Open for sign-up (in its window) and listed in the public calendar.
LIVE_STATUSES = (EventStatus.PUBLISHED, EventStatus.CONFIRMED)
# The public may open these by id: a cancelled event stays visible so links in mails work.
VISIBLE_STATUSES = (*LIVE_STATUSES, EventStatus.CANCELLED)


class CertificationKind(db.Model):
    """What a person can be certified as, e.g. "ProACT-instruktør"."""

    __tablename__ = "certification_kind"
    __table_args__ = (
        CheckConstraint(
            "validity_months IS NULL OR validity_months >= 1", name="validity_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # How long a certification stays valid; NULL means it does not expire.
    validity_months: Mapped[int | None] = mapped_column(Integer)


class FocusArea(db.Model):
    """A national focus area (satsningsområde) every activity belongs to."""

    __tablename__ = "focus_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Series(db.Model):
    """An optional grouping of events: a network, a programme, a course ladder."""

    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("centre_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")

    centre: Mapped[Centre] = relationship()


# Municipalities an event is open to; none listed means open to everyone.
event_eligible_municipality = Table(
    "event_eligible_municipality",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "municipality_number",
        ForeignKey("municipality.number", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Event(db.Model):
    """One published thing people sign up for, with its capacity rules."""

    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "seats_per_municipality IS NULL OR seats_per_municipality >= 1",
            name="seats_per_municipality_positive",
        ),
        CheckConstraint(
            "min_participants IS NULL OR min_participants >= 1", name="min_participants_positive"
        ),
        CheckConstraint(
            "capacity IS NULL OR min_participants IS NULL OR min_participants <= capacity",
            name="min_participants_within_capacity",
        ),
        CheckConstraint(
            "required_sessions IS NULL OR required_sessions >= 1",
            name="required_sessions_positive",
        ),
        CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL"
            " OR registration_opens_at < registration_closes_at",
            name="registration_window_ordered",
        ),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_area.id"))
    certifies_kind_id: Mapped[int | None] = mapped_column(ForeignKey("certification_kind.id"))

    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    format: Mapped[EventFormat] = mapped_column(
        enum_column(EventFormat, "event_format"), default=EventFormat.PHYSICAL
    )
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus, "event_status"), default=EventStatus.DRAFT, index=True
    )
    venue: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(200), default="")
    # Sent to confirmed participants only; never shown on the public page.
    digital_link: Mapped[str] = mapped_column(String(500), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")

    # Confirmed registrations allowed; NULL means no limit (webinars).
    capacity: Mapped[int | None] = mapped_column(Integer)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Confirmed registrations allowed per municipality; NULL means no such cap.
    seats_per_municipality: Mapped[int | None] = mapped_column(Integer)
    min_participants: Mapped[int | None] = mapped_column(Integer)
    # When the organiser decides whether an event below its minimum runs.
    decision_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_decision: Mapped[bool] = mapped_column(Boolean, default=False)
    # First moment confirmed sign-ups reached min_participants; written once.
    threshold_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sessions a participant must attend to have completed the event; NULL means every one
    # (learning networks ask for "at least 3 of 4 gatherings").
    required_sessions: Mapped[int | None] = mapped_column(Integer)
    # iCalendar SEQUENCE: raised whenever the time, place or status changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")

    centre: Mapped[Centre] = relationship()
    series: Mapped["Series | None"] = relationship()
    focus_area: Mapped[FocusArea] = relationship()
    certifies_kind: Mapped[CertificationKind | None] = relationship()
    sessions: Mapped[list["Session"]] = relationship(
        back_populates="event",
        order_by="Session.starts_at",
        cascade="all, delete-orphan",
    )
    questions: Mapped[list["EventQuestion"]] = relationship(
        back_populates="event",
        order_by="(EventQuestion.position, EventQuestion.id)",
        cascade="all, delete-orphan",
    )
    eligible_municipalities: Mapped[list[Municipality]] = relationship(
        secondary=event_eligible_municipality, order_by=Municipality.name
    )

    @property
    def starts_at(self) -> datetime | None:
        return self.sessions[0].starts_at if self.sessions else None

    @property
    def ends_at(self) -> datetime | None:
        return max(session.ends_at for session in self.sessions) if self.sessions else None

    @hybrid_property
    def is_live(self) -> bool:
        """Published or confirmed to run: listed, and open for sign-up in its window."""
        return self.status in LIVE_STATUSES

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls):
        return cls.status.in_(LIVE_STATUSES)

    @hybrid_property
    def is_public(self) -> bool:
        """The public may open the event's page (live, or cancelled)."""
        return self.status in VISIBLE_STATUSES

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        return cls.status.in_(VISIBLE_STATUSES)

    @hybrid_property
    def is_tentative(self) -> bool:
        """Not yet sure to run: a minimum not reached, and no organiser has confirmed it.

        Its calendar entries are TENTATIVE until then (catalogue/ics.py).
        """
        return (
            self.status == EventStatus.PUBLISHED
            and self.min_participants is not None
            and self.threshold_reached_at is None
        )

    @is_tentative.inplace.expression
    @classmethod
    def _is_tentative_expression(cls):
        return and_(
            cls.status == EventStatus.PUBLISHED,
            cls.min_participants.is_not(None),
            cls.threshold_reached_at.is_(None),
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_open_to_everyone(self) -> bool:
        return not self.eligible_municipalities

    @property
    def contact_address(self) -> str:
        """Where participants' questions go: the event's own address, else its centre's."""
        return self.contact_email or (self.centre.email if self.centre else "")

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class Session(db.Model):
    """One day or part of an event, with its own time and, optionally, its own place."""

    __tablename__ = "event_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Overrides the event's venue when one day is held elsewhere.
    venue: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[Event] = relationship(back_populates="sessions")

    @property
    def place(self) -> str:
        return self.venue or self.event.venue

    def __repr__(self) -> str:
        return f"<Session {self.id} of event {self.event_id}>"


class QuestionKind(enum.StrEnum):
    """How an event's own question on the sign-up form is answered."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    ONE_CHOICE = "one_choice"
    SEVERAL_CHOICES = "several_choices"
    YES_NO = "yes_no"

    @property
    def label(self) -> str:
        return {
            "short_text": N_("Kort tekst"),
            "long_text": N_("Lang tekst"),
            "one_choice": N_("Ett valg"),
            "several_choices": N_("Flere valg"),
            "yes_no": N_("Ja eller nei"),
        }[self.value]

    @property
    def has_choices(self) -> bool:
        return self in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES)


class EventQuestion(db.Model):
    """A question an organiser adds to one event's sign-up form ("Hvilken ABC-gruppe?")."""

    __tablename__ = "event_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # Order on the form, from 1.
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # The options of a choice question, one per line, in the order shown.
    choices_text: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="questions")

    @property
    def choices(self) -> list[str]:
        return [line for line in self.choices_text.split("\n") if line]

    def __repr__(self) -> str:
        return f"<EventQuestion {self.id} of event {self.event_id}>"
