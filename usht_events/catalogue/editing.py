"""The organiser's rules for an event: create, update, duplicate, publish and unpublish.

Each rule checks the event as a whole first and refuses with a DomainError whose code is
stable and whose message is Norwegian; `details["problems"]` lists every problem found, so
a form can show them all at once. Changes of time and place go through `changes`, so the
calendar SEQUENCE grows; changes of the caps go through the sign-up rules, so a raise
promotes from the waiting list at once. The caller queues the mails and commits.
"""

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.changes import SessionTimes, change_place, change_sessions
from usht_events.catalogue.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    FocusArea,
    Series,
    Session,
)
from usht_events.certification.models import CertificationKind
from usht_events.core.errors import DomainError
from usht_events.core.timezones import oslo_datetime, to_oslo
from usht_events.organisations.models import Centre, Municipality
from usht_events.registration.models import Registration, RegistrationStatus
from usht_events.registration.rules import (
    change_capacity,
    lock_event,
    record_threshold_if_reached,
)


@dataclass
class EventDraft:
    """Everything an organiser sets on an event; times are aware datetimes."""

    centre: Centre
    title: str
    kind: EventKind
    focus_area: FocusArea
    sessions: list[SessionTimes]
    summary: str = ""
    description: str = ""
    target_group: str = ""
    format: EventFormat = EventFormat.PHYSICAL
    venue: str = ""
    venue_address: str = ""
    digital_link: str = ""
    contact_email: str = ""
    series: Series | None = None
    certifies_kind: CertificationKind | None = None
    capacity: int | None = None
    waitlist_enabled: bool = True
    seats_per_municipality: int | None = None
    min_participants: int | None = None
    decision_at: datetime | None = None
    auto_decision: bool = False
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    required_attendance_percent: int = 100
    eligible: list[Municipality] = field(default_factory=list)


# Draft fields copied onto the event as they are; time, place and caps have their own rules.
PLAIN_FIELDS = (
    "centre",
    "title",
    "kind",
    "focus_area",
    "summary",
    "description",
    "target_group",
    "digital_link",
    "contact_email",
    "series",
    "certifies_kind",
    "waitlist_enabled",
    "min_participants",
    "decision_at",
    "auto_decision",
    "registration_opens_at",
    "registration_closes_at",
    "required_attendance_percent",
)

# What the audit log calls each part of an event.
FIELD_LABELS = {
    "centre": "senter",
    "title": "tittel",
    "kind": "type",
    "focus_area": "satsningsområde",
    "summary": "kort beskrivelse",
    "description": "beskrivelse",
    "target_group": "målgruppe",
    "digital_link": "lenke til digital deltakelse",
    "contact_email": "kontaktadresse",
    "series": "nettverk/program",
    "certifies_kind": "godkjenning",
    "waitlist_enabled": "venteliste",
    "min_participants": "minste antall deltakere",
    "decision_at": "beslutningstidspunkt",
    "auto_decision": "automatisk beslutning",
    "registration_opens_at": "påmelding åpner",
    "registration_closes_at": "påmeldingsfrist",
    "required_attendance_percent": "krav til oppmøte",
    "place": "sted",
    "sessions": "tid eller sted for øktene",
    "capacity": "kapasitet",
    "seats_per_municipality": "plasser per kommune",
    "eligible": "hvem som kan melde seg på",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a draft: a stable code, the form field it belongs to, a message."""

    code: str
    field: str
    message: str


@dataclass
class EventUpdate:
    """What an update did, so the caller can tell participants and write the log."""

    changed: list[str]
    notify_changed: bool = False
    promoted: list[Registration] = field(default_factory=list)

    @property
    def summary(self) -> str:
        labels = ", ".join(FIELD_LABELS[name] for name in self.changed)
        return f"Endret {labels}." if labels else "Ingen endringer."


def check_draft(draft: EventDraft) -> list[Problem]:
    """Every problem with the draft's times and numbers, in the order the form shows them."""
    problems = _session_problems(draft.sessions)
    minimum, capacity = draft.min_participants, draft.capacity
    if minimum is not None and capacity is not None and minimum > capacity:
        problems.append(
            Problem(
                "min_above_capacity",
                "min_participants",
                f"Minste antall deltakere ({minimum}) kan ikke være større enn kapasiteten "
                f"({capacity}).",
            )
        )
    if draft.series is not None and draft.series.centre_id != draft.centre.id:
        problems.append(
            Problem("series_other_centre", "series", "Nettverket hører til et annet senter.")
        )
    return problems + _moment_problems(draft)


def _session_problems(sessions: list[SessionTimes]) -> list[Problem]:
    if not sessions:
        return [Problem("no_sessions", "sessions", "Arrangementet må ha minst én dag eller økt.")]
    return [
        Problem(
            "session_ends_before_start",
            f"sessions-{index}-end_time",
            f"Dag {index + 1}: sluttidspunktet må være etter starttidspunktet.",
        )
        for index, item in enumerate(sessions)
        if item.ends_at <= item.starts_at
    ]


def _moment_problems(draft: EventDraft) -> list[Problem]:
    first = min((item.starts_at for item in draft.sessions), default=None)
    opens, closes = draft.registration_opens_at, draft.registration_closes_at
    problems = []
    if opens and closes and opens >= closes:
        problems.append(
            Problem(
                "opens_after_closes",
                "registration_opens_at",
                "Påmeldingen må åpne før påmeldingsfristen.",
            )
        )
    if first is None:
        return problems
    before_start = (
        ("deadline_after_start", "registration_closes_at", closes, "Påmeldingsfristen"),
        ("opens_after_start", "registration_opens_at", opens, "Påmeldingen"),
        ("decision_after_start", "decision_at", draft.decision_at, "Beslutningstidspunktet"),
    )
    for code, name, moment, what in before_start:
        if moment is not None and moment >= first:
            message = f"{what} må være før første dag starter ({_local(first)})."
            problems.append(Problem(code, name, message))
    return problems


def _local(moment: datetime) -> str:
    return to_oslo(moment).strftime("%d.%m.%Y kl. %H.%M")


def _refuse_if_any(problems: list[Problem]) -> None:
    if problems:
        first = problems[0]
        raise DomainError(first.code, first.message, problems=problems)


def create_event(session: DbSession, draft: EventDraft, now: datetime) -> Event:
    """A new draft event with its sessions; nobody sees it until it is published."""
    _refuse_if_any(check_draft(draft))
    event = Event(status=EventStatus.DRAFT, created_at=now, updated_at=now)
    _apply_plain(event, draft)
    event.capacity, event.seats_per_municipality = draft.capacity, draft.seats_per_municipality
    event.venue, event.venue_address, event.format = draft.venue, draft.venue_address, draft.format
    event.eligible_municipalities = list(draft.eligible)
    event.sessions = [
        Session(starts_at=item.starts_at, ends_at=item.ends_at, venue=item.venue)
        for item in sorted(draft.sessions, key=lambda item: item.starts_at)
    ]
    session.add(event)
    session.flush()
    return event


def update_event(session: DbSession, event: Event, draft: EventDraft, now: datetime) -> EventUpdate:
    """Apply the draft: time and place raise SEQUENCE, a raised cap promotes the waiting."""
    _refuse_if_any(check_draft(draft))
    before = _snapshot(event)
    moved = change_sessions(session, event, draft.sessions, now)
    relocated = change_place(
        session,
        event,
        now,
        venue=draft.venue,
        venue_address=draft.venue_address,
        event_format=draft.format,
    )
    promoted = _change_caps(session, event, draft, now)
    _apply_plain(event, draft)
    event.eligible_municipalities = list(draft.eligible)
    event.updated_at = now
    session.flush()
    record_threshold_if_reached(session, event, now)
    after = _snapshot(event)
    changed = [name for name in before if before[name] != after[name]]
    return EventUpdate(changed, notify_changed=moved or relocated, promoted=promoted)


def _change_caps(session: DbSession, event: Event, draft: EventDraft, now: datetime) -> list:
    caps = (draft.capacity, draft.seats_per_municipality)
    if caps == (event.capacity, event.seats_per_municipality):
        return []
    # The minimum is set again afterwards: flushed between an old and a new capacity it
    # could break the database's minimum <= capacity check.
    event.min_participants = None
    session.flush()
    return change_capacity(session, event.id, *caps, now)


def _apply_plain(event: Event, draft: EventDraft) -> None:
    for name in PLAIN_FIELDS:
        setattr(event, name, getattr(draft, name))


def _snapshot(event: Event) -> dict[str, object]:
    values = {name: getattr(event, name) for name in PLAIN_FIELDS}
    return values | {
        "place": (event.venue, event.venue_address, event.format),
        "sessions": tuple((s.starts_at, s.ends_at, s.venue) for s in event.sessions),
        "capacity": event.capacity,
        "seats_per_municipality": event.seats_per_municipality,
        "eligible": tuple(m.number for m in event.eligible_municipalities),
    }


def draft_of(event: Event) -> EventDraft:
    """The draft that describes the event as it is, e.g. to fill in a form."""
    names = {item.name for item in fields(EventDraft)} - {"sessions", "eligible"}
    return EventDraft(
        sessions=[SessionTimes(s.starts_at, s.ends_at, s.venue) for s in event.sessions],
        eligible=list(event.eligible_municipalities),
        **{name: getattr(event, name) for name in names},
    )


def duplicate_event(
    session: DbSession,
    event: Event,
    now: datetime,
    *,
    weeks: int | None = None,
    first_day: date | None = None,
) -> Event:
    """A draft copy, moved by whole weeks or to a new first day; no registrations come along.

    Dates move by whole days in Oslo time, so 09:00 stays 09:00 across a change to or
    from summer time.
    """
    if (weeks is None) == (first_day is None):
        raise DomainError("no_shift", "Velg enten antall uker eller ny første dag.")
    if not event.sessions:
        raise DomainError("no_sessions", "Arrangementet har ingen dager å kopiere.")
    start_day = to_oslo(event.sessions[0].starts_at).date()
    days = weeks * 7 if weeks is not None else (first_day - start_day).days
    if to_oslo(event.sessions[0].starts_at).date() + timedelta(days=days) <= to_oslo(now).date():
        raise DomainError("copy_in_past", "Kopien må begynne etter i dag.")
    draft = draft_of(event)
    draft.sessions = [
        SessionTimes(_moved(s.starts_at, days), _moved(s.ends_at, days), s.venue)
        for s in draft.sessions
    ]
    for name in ("registration_opens_at", "registration_closes_at", "decision_at"):
        setattr(draft, name, _moved(getattr(draft, name), days))
    return create_event(session, draft, now)


def _moved(moment: datetime | None, days: int) -> datetime | None:
    if moment is None:
        return None
    local = to_oslo(moment)
    return oslo_datetime(local.date() + timedelta(days=days), local.time())


def publish_event(session: DbSession, event: Event, now: datetime) -> None:
    """Show a draft in the public calendar and open it for sign-up in its window."""
    event = lock_event(session, event.id)
    if event.status == EventStatus.CANCELLED:
        raise DomainError("cancelled", "Arrangementet er avlyst og kan ikke publiseres.")
    if event.status != EventStatus.DRAFT:
        raise DomainError("already_published", "Arrangementet er allerede publisert.")
    if event.ends_at is None or event.ends_at <= now:
        raise DomainError("past", "Arrangementet er over og kan ikke publiseres.")
    event.status = EventStatus.PUBLISHED
    event.published_at = now
    _status_changed(session, event, now)


def unpublish_event(session: DbSession, event: Event, now: datetime) -> None:
    """Take a published event back to draft; refused while anyone holds a place."""
    event = lock_event(session, event.id)
    if event.status not in (EventStatus.PUBLISHED, EventStatus.CONFIRMED):
        raise DomainError("not_published", "Arrangementet er ikke publisert.")
    active = active_registration_count(session, event.id)
    if active:
        raise DomainError(
            "has_registrations",
            f"Arrangementet har {active} aktive påmeldinger og kan ikke gjøres om til utkast. "
            "Avlys det i stedet, så får de påmeldte beskjed.",
        )
    event.status = EventStatus.DRAFT
    event.published_at = None
    _status_changed(session, event, now)


def _status_changed(session: DbSession, event: Event, now: datetime) -> None:
    # Subscribed calendar feeds replace an entry only when its SEQUENCE grows.
    event.sequence += 1
    event.updated_at = now
    session.flush()


def active_registration_count(session: DbSession, event_id: int) -> int:
    """Confirmed and waitlisted registrations: the people a change or cancellation concerns."""
    return session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )
