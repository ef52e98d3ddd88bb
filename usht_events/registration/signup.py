"""Signing up: the public form and the organiser adding someone by hand, in one use case.

`sign_up` locks the event, decides confirmed, waitlisted or refused, writes the place,
queues its mail (and the minimum-reached mails when this place reaches the minimum) and,
for an organiser, the audit entry, all in the caller's transaction.

This is the path a popular course's opening hammers, so it reads and writes rows with
plain statements rather than ORM objects (statements.py): lock, one query for every fact
the decision needs, then the writes. An organiser adding someone by hand (a phone sign-up)
is not bound by the public window, only by the event being over or cancelled; every cap and
the eligibility still hold. Only when the organiser says so (`over_capacity`, for someone
at the door of a full course) may a place go over the event's capacity; the seats per
municipality and every other rule still hold, and the audit entry says it went over.
Answers to the event's own questions are checked before anything is written and stored
with a new place (answers.py); an organiser may leave a required one unanswered.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue import errors as event_errors
from usht_events.catalogue.models import Event, EventQuestion, EventStatus
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.core.tokens import url_token
from usht_events.organisations.models import Municipality
from usht_events.registration import answers, errors, notifications, statements, threshold
from usht_events.registration.answers import Given
from usht_events.registration.availability import RegistrationState, sign_up_state
from usht_events.registration.models import (
    Profession,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from usht_events.registration.places import fits, has_room


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
    # Answers to the event's own questions, by question id (answers.check_answers).
    answers: Mapping[int, Given] = field(default_factory=dict)


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
    # The organiser confirmed this place over the event's capacity (sign_up's over_capacity).
    over_capacity: bool = False
    # For an `existing` place: whether its link was mailed again now (at most every 10 min).
    link_sent: bool = False

    @cached_property
    def registration(self) -> Registration:
        return self.session.get_one(Registration, self.registration_id)


@dataclass(frozen=True)
class RaceProbe:
    """For the concurrency tests' control run only: skip the lock, pause before the write.

    Nothing in the app sets it; the tests' own entry point does, to show that the race
    tests catch a missing lock.
    """

    skip_lock: bool = False
    pause_seconds: float = 0.0


NO_PROBE = RaceProbe()


def sign_up(
    session: DbSession,
    event_id: int,
    signup: SignUp,
    now: datetime,
    base_url: str,
    *,
    actor: User | None = None,
    over_capacity: bool = False,
    questions: list[EventQuestion] | None = None,
    probe: RaceProbe = NO_PROBE,
) -> SignUpResult:
    """Give the person a confirmed or waitlisted place and queue its mail, or refuse.

    `actor` is the organiser adding someone by hand; without one, it is the public form.
    `over_capacity` (an organiser only) confirms the place even when the event is full.
    `questions` are the event's questions when the caller has read them already (to build
    its form); otherwise they are read only if the event has any (register).
    """
    if over_capacity and actor is None:
        raise ValueError("only an organiser may go over an event's capacity")
    result = register(
        session,
        event_id,
        signup,
        now,
        probe,
        by_organiser=actor is not None,
        over_capacity=over_capacity,
        questions=questions,
    )
    if result.threshold_reached:
        event = session.get_one(Event, event_id)
        notifications.notify_threshold_reached(session, event, base_url, now)
    if result.existing:
        message = notifications.notify_existing_place(session, result.registration, base_url, now)
        result.link_sent = message is not None
    elif result.created:
        notifications.queue_sign_up_mail(
            session, result.registration_id, result.status, result.email, event_id, now
        )
    if actor is not None and result.created:
        _record_addition(session, actor, signup, result)
    return result


def _record_addition(session: DbSession, actor: User, signup: SignUp, result: SignUpResult):
    how = "ved døren" if signup.source == RegistrationSource.WALK_IN else "for hånd"
    status = result.status.label.lower()
    summary = f"La til person #{result.registration.person_id} {how}: {status}."
    action = "registration.add"
    if result.over_capacity:
        capacity = session.get_one(Event, result.event_id).capacity
        summary += f" Over kapasiteten på {capacity} plasser, etter arrangørens valg."
        action = "registration.add_over_capacity"
    record_action(session, actor, action, summary, event_id=result.event_id)


def register(
    session: DbSession,
    event_id: int,
    signup: SignUp,
    now: datetime,
    probe: RaceProbe = NO_PROBE,
    *,
    by_organiser: bool = False,
    over_capacity: bool = False,
    questions: list[EventQuestion] | None = None,
) -> SignUpResult:
    """The place itself: lock, decide, write; `sign_up` adds the mail and the audit entry.

    The answers to the event's own questions are checked before the place is written and
    stored with it; an organiser may leave a required one unanswered. A refusal leaves the
    caller to roll back (the person may already be written), as every refusal here does.
    """
    # The person first, outside the lock: the lock is held as briefly as it can be. The
    # control run writes it after the count instead, because on SQLite a transaction's
    # first write takes the database's write lock, and the control run must hold none.
    person_id = None if probe.skip_lock else _find_or_create_person(session, signup)
    facts = _lock_and_read_facts(session, event_id, signup, person_id, probe)
    if not facts.municipality_known:
        raise DomainError(errors.UNKNOWN_MUNICIPALITY)
    # Checked under the lock: a double click's second request waits, then finds the first.
    if facts.replayed:
        return _result_for(session, facts.existing_id, created=False)
    if by_organiser:
        check_changeable(facts, now)
    else:
        check_open(facts, now)
    if not facts.eligible:
        raise DomainError(errors.NOT_ELIGIBLE)
    if facts.existing_id is not None and by_organiser:
        existing = session.get_one(Registration, facts.existing_id)
        raise DomainError(errors.ALREADY_REGISTERED, status=existing.status.label.lower())
    if facts.existing_id is not None:
        return _result_for(session, facts.existing_id, created=False, existing=True)

    given = _checked_answers(session, facts, event_id, signup, questions, by_organiser)
    status, over = _status_for_newcomer(facts, signup, by_organiser, over_capacity)
    if probe.pause_seconds:
        time.sleep(probe.pause_seconds)
    if person_id is None:
        person_id = _find_or_create_person(session, signup)
    registration_id, token = _insert_registration(session, event_id, person_id, signup, status, now)
    answers.store_answers(session, registration_id, given)
    reached = (
        status == RegistrationStatus.CONFIRMED
        and threshold.awaits_threshold(facts)
        and facts.confirmed + 1 >= facts.min_participants
        and threshold.mark_threshold_reached(session, event_id, now)
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
        over_capacity=over,
    )


def _checked_answers(session, facts, event_id, signup, questions, by_organiser) -> dict[int, str]:
    # Most events ask nothing of their own: the facts query tells, and nothing more is read.
    if not facts.has_questions:
        return {}
    if questions is None:
        questions = answers.event_questions(session, event_id)
    return answers.check_answers(questions, signup.answers, required=not by_organiser)


# How each closed state of the window refuses a sign-up.
_WINDOW_REFUSALS = {
    RegistrationState.CANCELLED: event_errors.EVENT_CANCELLED,
    RegistrationState.UNAVAILABLE: event_errors.EVENT_NOT_FOUND,
    RegistrationState.STARTED: errors.STARTED,
    RegistrationState.NOT_YET_OPEN: errors.NOT_YET_OPEN,
    RegistrationState.CLOSED: errors.CLOSED,
}


def check_open(event, now: datetime) -> None:
    """Refuse unless the public sign-up is open (availability.sign_up_state)."""
    refusal = _WINDOW_REFUSALS.get(sign_up_state(event, now))
    if refusal is not None:
        raise DomainError(refusal)


def check_changeable(event, now: datetime) -> None:
    """An organiser changes places until the event is over, never on a cancelled one."""
    if event.status == EventStatus.CANCELLED:
        raise DomainError(event_errors.EVENT_CANCELLED)
    if event.ends_at is not None and event.ends_at <= now:
        raise DomainError(errors.EVENT_OVER)


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
    has_questions: bool


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
        raise DomainError(event_errors.EVENT_NOT_FOUND)
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


def _status_for_newcomer(
    facts: SignUpFacts, signup: SignUp, by_organiser: bool, over_capacity: bool
) -> tuple[RegistrationStatus, bool]:
    """The new place's status, and whether it goes over the capacity (organiser's choice)."""
    if fits(facts, facts.confirmed, facts.confirmed_here):
        return RegistrationStatus.CONFIRMED, False
    cap = facts.seats_per_municipality
    if over_capacity and (cap is None or facts.confirmed_here < cap):
        return RegistrationStatus.CONFIRMED, True
    if facts.waitlist_enabled:
        return RegistrationStatus.WAITLISTED, False
    if has_room(facts, facts.confirmed):
        # Free seats, but not for this municipality: say that, not "full". Its name is read
        # after the rollback (name_municipality), never under the lock.
        refusal = errors.MUNICIPALITY_FULL_NO_WAITLIST if by_organiser else errors.MUNICIPALITY_FULL
        seats = facts.seats_per_municipality
        raise DomainError(refusal, seats=seats, municipality=signup.municipality_number)
    raise DomainError(errors.FULL_NO_WAITLIST if by_organiser else errors.FULL)


def name_municipality(session: DbSession, refusal: DomainError) -> DomainError:
    """The refusal with its municipality named rather than numbered (MUNICIPALITY_FULL).

    Call it after the rollback: the name is one more query, which the event's lock need
    not wait for.
    """
    number = refusal.details.get("municipality")
    municipality = session.get(Municipality, number) if isinstance(number, str) else None
    if municipality is not None:
        refusal.details["municipality"] = municipality.name
    return refusal


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
    registration = session.get_one(Registration, registration_id)
    result = SignUpResult(
        session,
        registration.id,
        registration.event_id,
        registration.token,
        registration.status,
        registration.person.email,
        **flags,
    )
    result.__dict__["registration"] = registration
    return result


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
