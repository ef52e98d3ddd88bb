"""The organiser's rules for an event itself: check a draft, create, apply changes,
duplicate and publish.

Each rule checks the event as a whole first and refuses with INVALID_EVENT, whose
`details["problems"]` lists every problem found, so a form can show them all at once.
Changes of time and place go through `changes`, so the calendar SEQUENCE grows. What
touches the people signed up (the caps, telling them of a change, cancelling, taking an
event back to draft) is registration/event_changes.py, which calls `apply_draft` here.
"""

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue import errors
from usht_events.catalogue.changes import SessionTimes, change_place, change_sessions, lock_event
from usht_events.catalogue.models import (
    CertificationKind,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    FocusArea,
    Series,
    Session,
)
from usht_events.catalogue.questions import copy_questions
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.core.i18n import N_, fill, localise
from usht_events.core.timezones import format_day, oslo_datetime, to_oslo
from usht_events.organisations.models import Centre, Municipality


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
    # None: every session (see registration/completion.py).
    required_sessions: int | None = None
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
    "required_sessions",
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
    "required_sessions": "krav for å ha fullført",
    "place": "sted",
    "sessions": "tid eller sted for øktene",
    "capacity": "kapasitet",
    "seats_per_municipality": "plasser per kommune",
    "eligible": "hvem som kan melde seg på",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a draft: a stable code, the form field it belongs to, a message.

    `text` is the Norwegian message, a catalogue id (marked N_) whose `%(name)s` placeholders
    are filled from `values` in the reader's language (a time written their way).
    """

    code: str
    field: str
    text: str
    values: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message in Norwegian."""
        return fill(self.text, self.values)

    def localised(self) -> str:
        """The message in the request's language."""
        return localise(self.text, self.values)


def change_summary(changed: list[str]) -> str:
    """The audit log's line for an update: which parts of the event changed."""
    labels = ", ".join(FIELD_LABELS[name] for name in changed)
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
                N_(
                    "Minste antall deltakere (%(minimum)s) kan ikke være større enn "
                    "kapasiteten (%(capacity)s)."
                ),
                {"minimum": minimum, "capacity": capacity},
            )
        )
    required, count = draft.required_sessions, len(draft.sessions)
    if required is not None and count and required > count:
        problems.append(
            Problem(
                "required_sessions_above_count",
                "required_sessions",
                N_("Arrangementet har bare %(count)s økter; kravet kan ikke være flere."),
                {"count": count},
            )
        )
    if draft.series is not None and draft.series.centre_id != draft.centre.id:
        problems.append(
            Problem("series_other_centre", "series", N_("Nettverket hører til et annet senter."))
        )
    return problems + _moment_problems(draft)


def _session_problems(sessions: list[SessionTimes]) -> list[Problem]:
    if not sessions:
        return [
            Problem("no_sessions", "sessions", N_("Arrangementet må ha minst én dag eller økt."))
        ]
    return [
        Problem(
            "session_ends_before_start",
            f"sessions-{index}-end_time",
            N_("Dag %(number)s: sluttidspunktet må være etter starttidspunktet."),
            {"number": index + 1},
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
                N_("Påmeldingen må åpne før påmeldingsfristen."),
            )
        )
    if first is None:
        return problems
    before_start = (
        ("deadline_after_start", "registration_closes_at", closes, DEADLINE_AFTER_START),
        ("opens_after_start", "registration_opens_at", opens, OPENS_AFTER_START),
        ("decision_after_start", "decision_at", draft.decision_at, DECISION_AFTER_START),
    )
    for code, name, moment, text in before_start:
        if moment is not None and moment >= first:
            problems.append(Problem(code, name, text, {"start": first}))
    return problems


DEADLINE_AFTER_START = N_("Påmeldingsfristen må være før første dag starter (%(start)s).")
OPENS_AFTER_START = N_("Påmeldingen må være før første dag starter (%(start)s).")
DECISION_AFTER_START = N_("Beslutningstidspunktet må være før første dag starter (%(start)s).")


def refuse_invalid(
    draft: EventDraft, now: datetime, decision_before: datetime | None = None
) -> None:
    """Raise INVALID_EVENT with every problem of the draft, if it has any.

    A decision time is also refused when it is set to a moment that has passed: the worker
    would take it at once. One that already passed and is kept as it was stays allowed,
    so an event awaiting its decision can still be edited. `decision_before` is the
    event's decision time before the change (None for a new event).
    """
    problems = check_draft(draft)
    decision = draft.decision_at
    if decision is not None and decision != decision_before and decision <= now:
        problems.append(
            Problem(
                "decision_in_past",
                "decision_at",
                N_("Beslutningstidspunktet (%(decision)s) har allerede vært. Velg et senere."),
                {"decision": decision},
            )
        )
    if problems:
        raise DomainError(errors.INVALID_EVENT, problems=problems)


def create_event(session: DbSession, actor: User | None, draft: EventDraft, now: datetime) -> Event:
    """A new draft event with its sessions; nobody sees it until it is published."""
    refuse_invalid(draft, now)
    event = _new_event(session, draft, now)
    summary = f"Opprettet «{event.title}» som utkast."
    record_action(session, actor, "event.create", summary, event.id)
    return event


def _new_event(session: DbSession, draft: EventDraft, now: datetime) -> Event:
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


def apply_time_and_place(
    session: DbSession, event: Event, draft: EventDraft, now: datetime
) -> bool:
    """The draft's sessions and place; True when participants must hear of the change.

    The caller holds the event's lock and has checked the draft (refuse_invalid); the caps
    are the caller's too (they decide who holds a seat), then `apply_details`.
    """
    moved = change_sessions(session, event, draft.sessions, now)
    relocated = change_place(
        session,
        event,
        now,
        venue=draft.venue,
        venue_address=draft.venue_address,
        event_format=draft.format,
    )
    return moved or relocated


def apply_details(session: DbSession, event: Event, draft: EventDraft, now: datetime) -> None:
    """Everything else the draft says: texts, kind, minimum, window, who may sign up."""
    _apply_plain(event, draft)
    event.eligible_municipalities = list(draft.eligible)
    event.updated_at = now
    session.flush()


def _apply_plain(event: Event, draft: EventDraft) -> None:
    for name in PLAIN_FIELDS:
        setattr(event, name, getattr(draft, name))


def snapshot(event: Event) -> dict[str, object]:
    """The event's editable parts, to tell which an update changed."""
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
    actor: User | None,
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
        raise DomainError(errors.NO_SHIFT)
    if not event.sessions:
        raise DomainError(errors.NO_SESSIONS_TO_COPY)
    start_day = to_oslo(event.sessions[0].starts_at).date()
    days = weeks * 7 if weeks is not None else (first_day - start_day).days
    if to_oslo(event.sessions[0].starts_at).date() + timedelta(days=days) <= to_oslo(now).date():
        raise DomainError(errors.COPY_IN_PAST)
    draft = draft_of(event)
    draft.sessions = [
        SessionTimes(_moved(s.starts_at, days), _moved(s.ends_at, days), s.venue)
        for s in draft.sessions
    ]
    for name in ("registration_opens_at", "registration_closes_at", "decision_at"):
        setattr(draft, name, _moved(getattr(draft, name), days))
    refuse_invalid(draft, now)
    copy = _new_event(session, draft, now)
    copy_questions(event, copy)
    day = format_day(copy.starts_at)
    summary = f"Kopiert fra «{event.title}» (nr. {event.id}); første dag {day}."
    record_action(session, actor, "event.duplicate", summary, copy.id)
    return copy


def _moved(moment: datetime | None, days: int) -> datetime | None:
    if moment is None:
        return None
    local = to_oslo(moment)
    return oslo_datetime(local.date() + timedelta(days=days), local.time())


def publish_event(session: DbSession, actor: User | None, event_id: int, now: datetime) -> Event:
    """Show a draft in the public calendar and open it for sign-up in its window."""
    event = lock_event(session, event_id)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(errors.CANCELLED_NOT_PUBLISHABLE)
    if event.status != EventStatus.DRAFT:
        raise DomainError(errors.ALREADY_PUBLISHED)
    if event.ends_at is None or event.ends_at <= now:
        raise DomainError(errors.OVER_NOT_PUBLISHABLE)
    event.status = EventStatus.PUBLISHED
    event.published_at = now
    status_changed(session, event, now)
    record_action(session, actor, "event.publish", "Publiserte.", event.id)
    return event


def status_changed(session: DbSession, event: Event, now: datetime) -> None:
    """Note a change of status: subscribed calendars replace an entry only when SEQUENCE grows."""
    event.sequence += 1
    event.updated_at = now
    session.flush()
