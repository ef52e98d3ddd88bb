"""Someone at the door without a place: register them and check them in, in one step.

The place is made by the sign-up rule itself (registration.signup.sign_up, with the
organiser as actor), so every rule holds: eligibility, the seats per municipality, one
place per person. The only exception is the organiser's deliberate choice to go over the
event's capacity (`over_capacity`), which the sign-up rule writes to the audit log as
such. A walk-in never lands on the waiting list: without a confirmed place nothing is
written and the organiser is told why.
"""

from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue.models import Event
from usht_events.checkin import errors
from usht_events.checkin.scanning import ScanOutcome, check_in, resolve_session
from usht_events.core.errors import DomainError
from usht_events.registration.models import CheckinMethod, RegistrationStatus
from usht_events.registration.places import confirmed_counts
from usht_events.registration.signup import SignUp, sign_up


def register_walk_in(
    session: DbSession,
    event: Event,
    signup: SignUp,
    now: datetime,
    base_url: str,
    actor: User,
    *,
    session_id: int | None = None,
    over_capacity: bool = False,
) -> ScanOutcome:
    """Give the person a confirmed place (mailed as usual) and check them in at the session."""
    day = resolve_session(session, event, session_id, now)
    result = sign_up(
        session, event.id, signup, now, base_url, actor=actor, over_capacity=over_capacity
    )
    if result.status != RegistrationStatus.CONFIRMED:
        # The caller rolls back: the waitlisted place and its mail are not kept.
        raise _why_not_confirmed(session, event, signup.municipality_number)
    return check_in(
        session,
        event,
        now,
        actor,
        registration_id=result.registration_id,
        session_id=day,
        method=CheckinMethod.WALK_IN,
    )


def _why_not_confirmed(session: DbSession, event: Event, municipality_number: str):
    _, here = confirmed_counts(session, event.id, municipality_number)
    cap = event.seats_per_municipality
    if cap is not None and here >= cap:
        return DomainError(errors.WALK_IN_MUNICIPALITY_FULL, seats=cap)
    return DomainError(errors.WALK_IN_FULL)
