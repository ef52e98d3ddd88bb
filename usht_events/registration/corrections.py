"""A participant corrects their own details through the link in their mail (`/r/<token>`).

Name and phone are the person's; workplace, needs and municipality are what the sign-up
said, kept on the registration. The e-mail address is not among them: it is who the person
is (another address is another person, who signs up anew). The municipality may change only
where it decides nothing: not on an event with seats per municipality or a list of the
municipalities it is open to.

The use case locks the event like every change to a place, writes what changed and an audit
entry that names the fields, never their values: the log outlives the personal data.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.models import Event
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.organisations.models import Municipality
from usht_events.registration import errors
from usht_events.registration.models import Registration
from usht_events.registration.signup import check_changeable

# The audit action of a participant's own correction: an entry without a user.
SELF_CORRECTION = "registration.self_correct"
# Field names as the audit entry says them.
FIELD_NAMES = {
    "name": "navn",
    "phone": "telefon",
    "workplace": "arbeidssted",
    "needs": "behov",
    "municipality_number": "kommune",
}


@dataclass(frozen=True)
class Details:
    """What a participant may correct; `municipality_number` None leaves it as it is."""

    name: str
    phone: str
    workplace: str
    needs: str
    municipality_number: str | None = None


def municipality_changeable(event: Event) -> bool:
    """The municipality decides nothing on this event: no seats per municipality, open to all."""
    return event.seats_per_municipality is None and event.is_open_to_everyone


def correct_details(
    session: DbSession, registration: Registration, details: Details, now: datetime
) -> list[str]:
    """Write the participant's corrections; return the names of the fields that changed."""
    event = lock_event(session, registration.event_id)
    session.refresh(registration)
    if not registration.is_active:
        raise DomainError(errors.REGISTRATION_NOT_ACTIVE)
    check_changeable(event, now)
    municipality = details.municipality_number
    if municipality is not None and municipality != registration.municipality_number:
        if not municipality_changeable(event):
            raise DomainError(errors.MUNICIPALITY_NOT_CHANGEABLE)
        if session.get(Municipality, municipality) is None:
            raise DomainError(errors.UNKNOWN_MUNICIPALITY)
    person = registration.person
    targets = {
        "name": person,
        "phone": person,
        "workplace": registration,
        "needs": registration,
        "municipality_number": registration,
    }
    changed = []
    for field, target in targets.items():
        value = getattr(details, field)
        if value is not None and getattr(target, field) != value:
            setattr(target, field, value)
            changed.append(field)
    if changed:
        session.flush()
        fields = ", ".join(FIELD_NAMES[field] for field in changed)
        summary = (
            f"Deltakeren rettet egne opplysninger på påmelding #{registration.id}"
            f" (person #{person.id}): {fields}."
        )
        record_action(session, None, SELF_CORRECTION, summary, event_id=event.id)
    return changed
