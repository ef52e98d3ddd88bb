"""Finding people on an event's participant list: a search over what the organiser sees in
the rows, and the orders the list can be read in.

An event has at most a few hundred places, all loaded for the page anyway, so both work on
the loaded rows: the search then finds exactly what the page shows (a municipality's name,
a phone number typed with spaces) rather than what a database column holds.
"""

import enum
import re

from usht_events.core.i18n import N_
from usht_events.registration.models import Registration
from usht_events.registration.participants import STATUS_ORDER, sort_key

MAX_SEARCH_LENGTH = 100


class ParticipantOrder(enum.StrEnum):
    """How the participant list is ordered."""

    STATUS = "status"  # confirmed, the waiting list in its order, then cancelled
    NAME = "name"
    MUNICIPALITY = "municipality"
    SIGNED_UP = "signed_up"

    @property
    def label(self) -> str:
        return {
            "status": N_("Status og venteliste"),
            "name": N_("Navn"),
            "municipality": N_("Kommune"),
            "signed_up": N_("Påmeldt (nyeste først)"),
        }[self.value]


def matching(registrations: list[Registration], text: str) -> list[Registration]:
    """The registrations whose name, e-mail, phone, workplace or municipality holds every
    word of the text, case and spacing aside."""
    words = text.casefold().split()
    if not words:
        return registrations
    return [item for item in registrations if all(word in _searchable(item) for word in words)]


def ordered(registrations: list[Registration], order: ParticipantOrder) -> list[Registration]:
    """The registrations in the order asked for; ties keep the order of sign-up."""
    by_signup = sorted(registrations, key=lambda item: (item.created_at, item.id))
    if order == ParticipantOrder.NAME:
        return sorted(by_signup, key=lambda item: sort_key(item.person.name))
    if order == ParticipantOrder.MUNICIPALITY:
        return sorted(by_signup, key=lambda item: sort_key(_municipality(item)))
    if order == ParticipantOrder.SIGNED_UP:
        return by_signup[::-1]
    return sorted(by_signup, key=lambda item: STATUS_ORDER.index(item.status))


def _searchable(registration: Registration) -> str:
    person = registration.person
    phone = re.sub(r"\s+", "", person.phone or "")
    parts = (person.name, person.email, phone, registration.workplace, _municipality(registration))
    return " ".join(part or "" for part in parts).casefold()


def _municipality(registration: Registration) -> str:
    municipality = registration.municipality
    return municipality.name if municipality else ""
