"""The sign-up rules: window, one place per person, capacity, seats per municipality,
eligibility, waiting list, promotion and the minimum threshold.

Every rule that can change who holds a seat follows one pattern: lock the event, count,
decide, write, all in the caller's transaction. On PostgreSQL the lock is a row lock on
the event (SELECT ... FOR UPDATE); on SQLite the transaction already holds the database's
write lock from its BEGIN IMMEDIATE (see core/db.py).
"""

import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import Event, EventStatus
from usht_events.core.errors import DomainError
from usht_events.core.i18n import N_
from usht_events.core.tokens import url_token
from usht_events.registration import statements
from usht_events.registration.models import (
    Profession,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)

OPEN_STATUSES = (EventStatus.PUBLISHED, EventStatus.CONFIRMED)


@dataclass(frozen=True)
class SignUp:
    """What a person gives when signing up."""

    name: str
    email: str  # already validated and lower-cased
    municipality_number: str
    workplace: str
    profession: Profession
    phone: str = ""
    needs: str = ""
    locale: str = "nb"
    idempotency_key: str | None = None
    source: RegistrationSource = RegistrationSource.WEB


@dataclass
class SignUpResult:
    """The registration a sign-up led to, and whether this sign-up made it.

    The public form needs only the id, token, status and address; `registration` loads
    the whole object, with its person and event, for everyone who wants more.
    """

    session: DbSession = field(repr=False)
    registration_id: int
    event_id: int
    token: str
    status: RegistrationStatus
    email: str
    created: bool
    # The e-mail already had a place, found by a different form: only its owner may see it.
    existing: bool = False
    # This sign-up is the one that brought the confirmed count up to the minimum.
    threshold_reached: bool = False

    @classmethod
    def of(cls, session: DbSession, registration: Registration, **flags) -> "SignUpResult":
        """The result for a registration already loaded."""
        result = cls(
            session,
            registration.id,
            registration.event_id,
            registration.token,
            registration.status,
            registration.person.email,
            **({"created": False} | flags),
        )
        result.__dict__["registration"] = registration
        return result

    @cached_property
    def registration(self) -> Registration:
        return self.session.get_one(Registration, self.registration_id)


@dataclass(frozen=True)
class Counts:
    """Public counts of an event."""

    confirmed: int = 0
    waitlisted: int = 0


@dataclass(frozen=True)
class RaceProbe:
    """Debug hook for the concurrency tests: skip the lock and pause between count and write.

    Only the tests' control run sets it, to show that the race tests catch a missing lock.
    """

    skip_lock: bool = False
    pause_seconds: float = 0.0


NO_PROBE = RaceProbe()


def register(
    session: DbSession,
    event_id: int,
    signup: SignUp,
    now: datetime,
    probe: RaceProbe = NO_PROBE,
    *,
    by_organiser: bool = False,
) -> SignUpResult:
    """Give the person a confirmed or waitlisted place, or refuse with a DomainError.

    An organiser adding someone by hand (a phone sign-up) is not bound by the public
    sign-up window, only by the event being over or cancelled; every cap still holds.

    This is the path a popular course's opening hammers, so it reads and writes rows with
    plain statements rather than ORM objects: lock, one query for every fact the decision
    needs, then the writes.
    """
    # The person first, outside the lock: the lock is held as briefly as it can be. The
    # control run writes it after the count instead, because on SQLite a transaction's
    # first write takes the database's write lock, and the control run must hold none.
    person_id = None if probe.skip_lock else _find_or_create_person(session, signup)
    facts = _lock_and_read_facts(session, event_id, signup, person_id, probe)
    if not facts.municipality_known:
        raise DomainError("unknown_municipality", N_("Velg en kommune fra listen."))
    # Checked under the lock: a double click's second request waits, then finds the first.
    if facts.replayed:
        return _result_for(session, facts.existing_id, created=False)
    if by_organiser:
        check_changeable(facts, now)
    else:
        check_open(facts, now)
    if not facts.eligible:
        raise DomainError(
            "not_eligible", N_("Arrangementet er ikke åpent for deltakere fra kommunen du valgte.")
        )
    if facts.existing_id is not None and by_organiser:
        existing = session.get_one(Registration, facts.existing_id)
        raise DomainError(
            "already_registered",
            f"Personen med denne e-postadressen er allerede påmeldt ({existing.status.label}).",
        )
    if facts.existing_id is not None:
        return _result_for(session, facts.existing_id, created=False, existing=True)

    status = _status_for_newcomer(facts, facts.confirmed, facts.confirmed_here)
    if probe.pause_seconds:
        time.sleep(probe.pause_seconds)
    if person_id is None:
        person_id = _find_or_create_person(session, signup)
    registration_id, token = _insert_registration(session, event_id, person_id, signup, status, now)
    reached = (
        status == RegistrationStatus.CONFIRMED
        and _awaits_threshold(facts)
        and facts.confirmed + 1 >= facts.min_participants
        and _mark_threshold_reached(session, event_id, now)
    )
    return SignUpResult(
        session,
        registration_id,
        event_id,
        token,
        status,
        signup.email,
        created=True,
        threshold_reached=reached,
    )


@dataclass(frozen=True)
class SignUpFacts:
    """Everything a sign-up decides on: the locked event's rules, then what one query read
    (see statements.py)."""

    status: EventStatus
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    capacity: int | None
    seats_per_municipality: int | None
    waitlist_enabled: bool
    min_participants: int | None
    threshold_reached_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    municipality_known: bool
    eligible: bool
    confirmed: int
    confirmed_here: int
    existing_id: int | None
    # The existing place was made by this very form (a double click or a reload).
    replayed: bool


def _lock_and_read_facts(
    session: DbSession,
    event_id: int,
    signup: SignUp,
    person_id: int | None,
    probe: RaceProbe,
) -> SignUpFacts:
    """Lock the event's row, then read everything the decision needs (statements.py)."""
    event = session.execute(
        statements.EVENT_RULES if probe.skip_lock else statements.LOCK_EVENT_RULES,
        {"event_id": event_id},
    ).one_or_none()
    if event is None:
        raise DomainError("not_found", N_("Arrangementet finnes ikke."))
    facts = session.execute(
        statements.SIGN_UP_FACTS,
        {
            "event_id": event_id,
            "municipality_number": signup.municipality_number,
            "idempotency_key": signup.idempotency_key,
            "person_id": person_id,
        },
    ).one()
    return SignUpFacts(*event, *facts)


def _insert_registration(
    session: DbSession,
    event_id: int,
    person_id: int,
    signup: SignUp,
    status: RegistrationStatus,
    now: datetime,
) -> tuple[int, str]:
    """Write the new place; return its id and the token of its manage link."""
    token = url_token()
    registration_id = session.execute(
        statements.INSERT_REGISTRATION,
        {
            "event_id": event_id,
            "person_id": person_id,
            "status": status,
            "source": signup.source,
            "municipality_number": signup.municipality_number,
            "workplace": signup.workplace,
            "profession": signup.profession,
            "needs": signup.needs,
            "token": token,
            "idempotency_key": signup.idempotency_key,
            "created_at": now,
            "consent_at": now,
            "confirmed_at": now if status == RegistrationStatus.CONFIRMED else None,
        },
    ).scalar_one()
    return registration_id, token


def _result_for(session: DbSession, registration_id: int, **flags) -> SignUpResult:
    return SignUpResult.of(session, session.get_one(Registration, registration_id), **flags)


# Every column of the event, refreshed under the lock; relationships stay as loaded.
_EVENT_COLUMNS = [attribute.key for attribute in Event.__mapper__.column_attrs]


def lock_event(session: DbSession, event_id: int) -> Event:
    """Load the event and hold its row lock until the transaction ends."""
    event = session.get(Event, event_id)
    if event is None:
        raise DomainError("not_found", N_("Arrangementet finnes ikke."))
    # Re-read under the lock: what was loaded before it may have changed since.
    session.refresh(event, _EVENT_COLUMNS, with_for_update=True)
    return event


def check_open(event: "Event | SignUpFacts", now: datetime) -> None:
    """Registration is open only in its window, never for a cancelled or past event."""
    if event.status == EventStatus.CANCELLED:
        raise DomainError("cancelled", N_("Arrangementet er avlyst."))
    if event.status not in OPEN_STATUSES:
        raise DomainError("not_found", N_("Arrangementet finnes ikke."))
    if event.starts_at is None or event.starts_at <= now:
        raise DomainError(
            "past", N_("Arrangementet har allerede startet, og påmeldingen er stengt.")
        )
    if event.registration_opens_at and now < event.registration_opens_at:
        raise DomainError("not_yet_open", N_("Påmeldingen har ikke åpnet ennå."))
    if event.registration_closes_at and now >= event.registration_closes_at:
        raise DomainError("closed", N_("Påmeldingsfristen er ute."))


def check_changeable(event: "Event | SignUpFacts", now: datetime) -> None:
    """An organiser changes places until the event is over, never on a cancelled one."""
    if event.status == EventStatus.CANCELLED:
        raise DomainError("cancelled", N_("Arrangementet er avlyst."))
    if event.ends_at is not None and event.ends_at <= now:
        raise DomainError("past", N_("Arrangementet er over, og påmeldingene kan ikke endres."))


def _status_for_newcomer(
    event: "Event | SignUpFacts", confirmed: int, confirmed_here: int
) -> RegistrationStatus:
    if _fits(event, confirmed, confirmed_here):
        return RegistrationStatus.CONFIRMED
    if event.waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    raise DomainError("full", N_("Arrangementet er fullt."), no_waitlist=True)


def _fits(event: "Event | SignUpFacts", confirmed: int, confirmed_here: int) -> bool:
    """True when one more confirmed place, from a municipality with `confirmed_here`, fits."""
    if event.capacity is not None and confirmed >= event.capacity:
        return False
    cap = event.seats_per_municipality
    return cap is None or confirmed_here < cap


def _confirmed_counts(session: DbSession, event_id: int, municipality_number) -> tuple[int, int]:
    """Confirmed places of the event, in all and from one municipality, in one query."""
    here = Registration.municipality_number == municipality_number
    total, in_municipality = session.execute(
        select(func.count(Registration.id), func.count(Registration.id).filter(here)).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).one()
    return total, in_municipality


def has_seat_for(session: DbSession, event: Event, municipality_number: str | None) -> bool:
    """True when one more confirmed place from this municipality fits every cap."""
    return _fits(event, *_confirmed_counts(session, event.id, municipality_number))


def confirmed_count(session: DbSession, event_id: int) -> int:
    """Confirmed registrations of the event."""
    return session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def record_threshold_if_reached(session: DbSession, event: Event, now: datetime) -> bool:
    """Record, exactly once, the moment confirmed sign-ups first reach the minimum."""
    if not _awaits_threshold(event) or confirmed_count(session, event.id) < event.min_participants:
        return False
    return _mark_threshold_reached(session, event.id, now)


def _awaits_threshold(event: "Event | SignUpFacts") -> bool:
    """The event has a minimum, and reaching it is not yet recorded."""
    return event.min_participants is not None and event.threshold_reached_at is None


def _mark_threshold_reached(session: DbSession, event_id: int, now: datetime) -> bool:
    """Set threshold_reached_at unless it is set; True when this call set it."""
    # The WHERE makes the write idempotent even if two transactions got this far.
    result = session.execute(
        update(Event)
        .where(Event.id == event_id, Event.threshold_reached_at.is_(None))
        .values(threshold_reached_at=now)
        .execution_options(synchronize_session=False)
    )
    # Once in an event's life: bring the session's copy of the event up to date.
    session.refresh(session.get_one(Event, event_id), ["threshold_reached_at"])
    return result.rowcount == 1


def cancel(session: DbSession, registration: Registration, now: datetime) -> list[Registration]:
    """Cancel a place; a freed confirmed seat goes to the earliest waitlisted who fit."""
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError("already_cancelled", N_("Påmeldingen er allerede avmeldt."))
    if event.starts_at is not None and event.starts_at <= now:
        raise DomainError(
            "past", "Arrangementet har startet; kontakt arrangøren for å melde deg av."
        )
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    session.flush()
    return promote_waitlisted(session, event, now) if was_confirmed else []


def change_capacity(
    session: DbSession,
    event_id: int,
    capacity: int | None,
    seats_per_municipality: int | None,
    now: datetime,
) -> list[Registration]:
    """Change the caps; raising them promotes from the waiting list at once."""
    event = lock_event(session, event_id)
    if capacity is not None and capacity < 1:
        raise DomainError("invalid_capacity", "Kapasiteten må være minst 1.")
    if seats_per_municipality is not None and seats_per_municipality < 1:
        raise DomainError("invalid_capacity", "Plasser per kommune må være minst 1.")
    if capacity is not None and confirmed_count(session, event.id) > capacity:
        raise DomainError(
            "capacity_below_confirmed",
            "Kapasiteten kan ikke settes lavere enn antall bekreftede deltakere.",
        )
    if seats_per_municipality is not None and (
        _largest_municipality_count(session, event.id) > seats_per_municipality
    ):
        raise DomainError(
            "capacity_below_confirmed",
            "En kommune har allerede flere bekreftede deltakere enn det nye taket.",
        )
    event.capacity = capacity
    event.seats_per_municipality = seats_per_municipality
    session.flush()
    return promote_waitlisted(session, event, now)


def _largest_municipality_count(session: DbSession, event_id: int) -> int:
    per_municipality = (
        select(func.count(Registration.id).label("n"))
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Registration.municipality_number)
        .subquery()
    )
    return session.scalar(select(func.coalesce(func.max(per_municipality.c.n), 0)))


def promote_waitlisted(session: DbSession, event: Event, now: datetime) -> list[Registration]:
    """Confirm the earliest waitlisted registrations that fit the caps; the caller holds the lock."""
    promoted = []
    for registration in waiting_list(session, event.id):
        if event.capacity is not None and confirmed_count(session, event.id) >= event.capacity:
            break
        if has_seat_for(session, event, registration.municipality_number):
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_at = now
            session.flush()
            promoted.append(registration)
    if promoted:
        record_threshold_if_reached(session, event, now)
    return promoted


def waiting_list(session: DbSession, event_id: int) -> list[Registration]:
    """Waitlisted registrations in sign-up order."""
    return list(
        session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.created_at, Registration.id)
        )
    )


def waitlist_position(session: DbSession, registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.created_at < registration.created_at,
                and_(
                    Registration.created_at == registration.created_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return ahead + 1


def counts_for_events(session: DbSession, event_ids: list[int]) -> dict[int, Counts]:
    """Confirmed and waitlisted counts for many events in one query."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(Registration.event_id, Registration.status, func.count(Registration.id))
        .where(
            Registration.event_id.in_(event_ids),
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .group_by(Registration.event_id, Registration.status)
    )
    tallies: dict[int, dict[str, int]] = {event_id: {} for event_id in event_ids}
    for event_id, status, count in rows:
        tallies[event_id][RegistrationStatus(status).value] = count
    return {
        event_id: Counts(confirmed=tally.get("confirmed", 0), waitlisted=tally.get("waitlisted", 0))
        for event_id, tally in tallies.items()
    }


def _find_or_create_person(session: DbSession, signup: SignUp) -> int:
    """The id of the person with this e-mail, created on first sign-up.

    An existing person's details are left alone: anyone can type any e-mail address into
    the form, so a sign-up must not be able to rewrite somebody else's name or phone.
    What this sign-up said is kept on the registration itself.
    """
    dialect = session.get_bind().dialect.name
    created = session.execute(
        statements.INSERT_PERSON[dialect],
        {
            "email": signup.email,
            "name": signup.name,
            "phone": signup.phone,
            "chosen_municipality": signup.municipality_number,
            "workplace": signup.workplace,
            "profession": signup.profession,
            "locale": signup.locale,
        },
    ).scalar_one_or_none()
    return (
        created or session.execute(statements.PERSON_BY_EMAIL, {"email": signup.email}).scalar_one()
    )
