"""What the public may know about an event's places: counts, seats left, minimum, and the
one rule of the sign-up window that both the page and the sign-up itself follow."""

import enum
from dataclasses import dataclass
from datetime import datetime

from usht_events.catalogue.models import LIVE_STATUSES, Event, EventStatus
from usht_events.registration.places import Counts, counts_for_events


class RegistrationState(enum.StrEnum):
    """Whether the sign-up form accepts people right now, and if not, why."""

    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    STARTED = "past"
    CANCELLED = "cancelled"
    UNAVAILABLE = "unavailable"


def sign_up_state(event, now: datetime, status: EventStatus | None = None) -> RegistrationState:
    """Whether sign-up is open now: never for a cancelled or started event, else in its window.

    `event` is an Event or anything with its status, first start and window (the sign-up
    reads these under the lock, see signup.SignUpFacts); `status`, when given, is taken
    instead of the event's own (a draft previewed as it will be once published).
    """
    status = status or event.status
    if status == EventStatus.CANCELLED:
        return RegistrationState.CANCELLED
    if status not in LIVE_STATUSES:
        return RegistrationState.UNAVAILABLE
    if event.starts_at is None or event.starts_at <= now:
        return RegistrationState.STARTED
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationState.NOT_YET_OPEN
    if event.registration_closes_at and now >= event.registration_closes_at:
        return RegistrationState.CLOSED
    return RegistrationState.OPEN


@dataclass(frozen=True)
class Availability:
    """Public facts about an event's places, derived from its counts; never stored."""

    event: Event
    counts: Counts
    now: datetime
    # The organiser's preview of a draft: as it will be once published.
    as_published: bool = False

    @property
    def confirmed(self) -> int:
        return self.counts.confirmed

    @property
    def waitlisted(self) -> int:
        return self.counts.waitlisted

    @property
    def seats_left(self) -> int | None:
        """Free confirmed places; None when the event has no limit."""
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0

    @property
    def still_needed(self) -> int:
        """How many more sign-ups the event needs to reach its minimum."""
        if self.event.min_participants is None:
            return 0
        return max(self.event.min_participants - self.confirmed, 0)

    @property
    def state(self) -> RegistrationState:
        draft = self.as_published and self.event.status == EventStatus.DRAFT
        return sign_up_state(self.event, self.now, EventStatus.PUBLISHED if draft else None)

    @property
    def is_open(self) -> bool:
        return self.state == RegistrationState.OPEN

    @property
    def accepts_waitlist_only(self) -> bool:
        return self.is_open and self.is_full and self.event.waitlist_enabled

    @property
    def closes_at(self) -> datetime | None:
        """When sign-up closes: the deadline, or the start of the first session."""
        return self.event.registration_closes_at or self.event.starts_at


def availability_for(session, events: list[Event], now: datetime) -> dict[int, Availability]:
    """Availability of each event, counted in one query."""
    counts = counts_for_events(session, [event.id for event in events])
    return {event.id: Availability(event, counts[event.id], now) for event in events}
