"""The statements a public sign-up runs, built once at import.

A popular course's opening sends every sign-up through the event's row lock one at a
time, so what happens while the lock is held decides how many sign-ups a second the
server takes. Built here once, with bind parameters, SQLAlchemy neither builds them nor
works out their cache keys again on each request; the rules in `rules.py` only execute
them.
"""

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from usht_events.catalogue.models import (
    Event,
    EventQuestion,
    Session,
    event_eligible_municipality,
)
from usht_events.organisations.models import Municipality
from usht_events.registration.models import Person, Registration, RegistrationStatus

events = Event.__table__
registrations = Registration.__table__
people = Person.__table__
days = Session.__table__.c
eligible = event_eligible_municipality.c

# The event's columns a sign-up decides on (the first fields of rules.SignUpFacts).
EVENT_RULES = select(
    events.c.status,
    events.c.registration_opens_at,
    events.c.registration_closes_at,
    events.c.capacity,
    events.c.seats_per_municipality,
    events.c.waitlist_enabled,
    events.c.min_participants,
    events.c.threshold_reached_at,
).where(events.c.id == bindparam("event_id"))

# Holds the row lock until the transaction ends (on SQLite, BEGIN IMMEDIATE already did).
LOCK_EVENT_RULES = EVENT_RULES.with_for_update()

_EVENT = bindparam("event_id")
_MUNICIPALITY = bindparam("municipality_number")
_confirmed = and_(
    registrations.c.event_id == _EVENT,
    registrations.c.status == RegistrationStatus.CONFIRMED,
)

_active_place = and_(
    registrations.c.event_id == _EVENT,
    registrations.c.person_id == bindparam("person_id"),
    registrations.c.status != RegistrationStatus.CANCELLED,
)

# Everything else a sign-up decides on, in one round trip, read once the lock is held: on
# PostgreSQL each statement sees what was committed before it began, and so this one sees
# every sign-up that held the lock before ours.
SIGN_UP_FACTS = select(
    select(func.min(days.starts_at)).where(days.event_id == _EVENT).scalar_subquery(),
    select(func.max(days.ends_at)).where(days.event_id == _EVENT).scalar_subquery(),
    exists().where(Municipality.__table__.c.number == _MUNICIPALITY),
    or_(
        ~exists().where(eligible.event_id == _EVENT),
        exists().where(eligible.event_id == _EVENT, eligible.municipality_number == _MUNICIPALITY),
    ),
    select(func.count()).where(_confirmed).scalar_subquery(),
    select(func.count())
    .where(_confirmed, registrations.c.municipality_number == _MUNICIPALITY)
    .scalar_subquery(),
    # The person's active place on the event, and whether this very form made it (the same
    # form key: a double click, a reload). A key never finds another person's place, nor a
    # place on another event: someone who went back and changed the e-mail signs up anew.
    select(registrations.c.id).where(_active_place).limit(1).scalar_subquery(),
    exists().where(_active_place, registrations.c.idempotency_key == bindparam("idempotency_key")),
    # Whether the event asks questions of its own: only then are they read and checked.
    exists().where(EventQuestion.__table__.c.event_id == _EVENT),
)


def _insert_person(dialect_insert):
    # ON CONFLICT: two first sign-ups with one e-mail at once must not collide. An unknown
    # municipality is stored as NULL rather than failing the foreign key: the rule refuses
    # that sign-up anyway, and the whole transaction rolls back.
    known = (
        select(Municipality.__table__.c.number)
        .where(Municipality.__table__.c.number == bindparam("chosen_municipality"))
        .scalar_subquery()
    )
    return (
        dialect_insert(people)
        .values(municipality_number=known)
        .on_conflict_do_nothing(index_elements=[people.c.email])
        .returning(people.c.id)
    )


INSERT_PERSON = {
    "postgresql": _insert_person(postgresql.insert),
    "sqlite": _insert_person(sqlite.insert),
}

PERSON_BY_EMAIL = select(people.c.id).where(people.c.email == bindparam("email"))

INSERT_REGISTRATION = insert(registrations).returning(registrations.c.id)
