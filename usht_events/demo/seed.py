"""Seed the demo data; running it again changes nothing.

Reference data (municipalities, centres, focus areas, certification kinds, series) is
upserted by its natural key and only differing values are written. Events, people,
registrations and logins are created when missing and otherwise left alone, so what a
demo user changed survives a re-seed.

Dates: each event lies a whole number of weeks after an anchor, the Monday of the week
holding the first day of the current month (Oslo). The anchor stays the same all month,
so a second run finds every event by (centre, title, start of first session) and adds
nothing. A run in a later month adds that month's programme beside the earlier one.
Every event starts at least six weeks after the anchor (later when that week falls in a
holiday), which is at least five days after any day of the anchor's month: the demo always
shows upcoming events with open sign-up.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import Role, User
from usht_events.accounts.passwords import hash_password, verify_password
from usht_events.accounts.rules import create_user
from usht_events.catalogue.models import (
    CertificationKind,
    Event,
    EventFormat,
    FocusArea,
    Series,
    Session,
)
from usht_events.core.timezones import oslo_datetime
from usht_events.demo import programme
from usht_events.demo.certifications import seed_certifications
from usht_events.demo.programme import DEMO_PASSWORD, DemoCentre, DemoEvent
from usht_events.organisations.models import Centre, Municipality
from usht_events.organisations.rules import (
    LoadCounts,
    assign_changed,
    load_municipalities,
    municipalities_by_number,
    set_region,
)
from usht_events.registration.models import (
    Person,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)

# Fixed public holidays outside the Christmas and summer breaks (month, day).
HOLIDAYS = {(5, 1), (5, 17)}


@dataclass(frozen=True)
class Login:
    """A demo account as printed at the end of seed-demo."""

    email: str
    role: Role
    password: str
    scope: str


@dataclass(frozen=True)
class SeedReport:
    """What seed-demo did."""

    municipalities: LoadCounts
    centres: list[Centre]
    events_created: int
    events_total: int
    registrations_created: int
    certifications_created: int
    logins: list[Login]


@dataclass(frozen=True)
class Lookups:
    """Reference rows the events point at, by slug."""

    centres: dict[str, Centre]
    focus_areas: dict[str, FocusArea]
    kinds: dict[str, CertificationKind]
    series: dict[tuple[str, str], Series]


def anchor_monday(today: date) -> date:
    """The Monday of the week holding the first day of today's month."""
    first = today.replace(day=1)
    return first - timedelta(days=first.weekday())


def seed_demo(session: DbSession, today: date) -> SeedReport:
    """Create or complete the whole demo data set; the caller commits."""
    municipalities = load_municipalities(session)
    centres = seed_centres(session)
    lookups = Lookups(
        centres=centres,
        focus_areas=seed_focus_areas(session),
        kinds=seed_certification_kinds(session),
        series=seed_series(session, centres),
    )
    events, created = seed_events(session, anchor_monday(today), lookups)
    people = seed_people(session)
    registrations = seed_signups(session, events, people)
    certifications = seed_certifications(session, people, lookups.kinds, anchor_monday(today))
    return SeedReport(
        municipalities=municipalities,
        centres=list(centres.values()),
        events_created=created,
        events_total=len(events),
        registrations_created=registrations,
        certifications_created=certifications,
        logins=seed_logins(session),
    )


def upsert(session: DbSession, model: type, key: dict, values: dict):
    """Find a row by its natural key and bring it to `values`, or insert it."""
    row = session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        session.add(row)
    else:
        assign_changed(row, values)
    session.flush()
    return row


def seed_centres(session: DbSession) -> dict[str, Centre]:
    """The three demo centres with their host and region."""
    return {spec.slug: _seed_centre(session, spec) for spec in programme.CENTRES}


def _seed_centre(session: DbSession, spec: DemoCentre) -> Centre:
    values = {
        "name": spec.name,
        "host_municipality_number": spec.host,
        "email": spec.email,
        "phone": spec.phone,
        "address": spec.address,
        "website": spec.website,
    }
    centre = upsert(session, Centre, {"slug": spec.slug}, values)
    set_region(session, centre, spec.region or _county_numbers(session, spec.county))
    return centre


def _county_numbers(session: DbSession, county_number: str) -> list[str]:
    query = select(Municipality.number).where(Municipality.county_number == county_number)
    return list(session.scalars(query.order_by(Municipality.number)))


def seed_focus_areas(session: DbSession) -> dict[str, FocusArea]:
    """The eight national focus areas."""
    return {
        slug: upsert(session, FocusArea, {"slug": slug}, {"name": name})
        for slug, name in programme.FOCUS_AREAS
    }


def seed_certification_kinds(session: DbSession) -> dict[str, CertificationKind]:
    """The seven kinds of certification the centres issue."""
    kinds = {}
    for slug, name, months, description in programme.CERTIFICATION_KINDS:
        values = {"name": name, "validity_months": months, "description": description}
        kinds[slug] = upsert(session, CertificationKind, {"slug": slug}, values)
    return kinds


def seed_series(session: DbSession, centres: dict[str, Centre]) -> dict[tuple[str, str], Series]:
    """The networks and programmes that group events."""
    series = {}
    for centre_slug, slug, name, description in programme.SERIES:
        key = {"centre_id": centres[centre_slug].id, "slug": slug}
        values = {"name": name, "description": description}
        series[centre_slug, slug] = upsert(session, Series, key, values)
    return series


def session_times(spec: DemoEvent, anchor: date) -> list[tuple[datetime, datetime]]:
    """Start and end of each day of the event, in Oslo wall-clock time."""
    days = event_days(anchor + timedelta(weeks=spec.week, days=spec.weekday), spec.days)
    start, end = time.fromisoformat(spec.start), time.fromisoformat(spec.end)
    return [(oslo_datetime(day, start), oslo_datetime(day, end)) for day in days]


def event_days(first: date, count: int) -> list[date]:
    """`count` days from `first`, moved on by whole weeks until none falls in a holiday."""
    days = [first + timedelta(days=offset) for offset in range(count)]
    while any(is_holiday(day) for day in days):
        days = [day + timedelta(weeks=1) for day in days]
    return days


def is_holiday(day: date) -> bool:
    """Christmas to New Year, the summer holiday, 1 and 17 May: no course is held then."""
    md = (day.month, day.day)
    return md >= (12, 20) or md <= (1, 3) or (7, 1) <= md <= (8, 9) or md in HOLIDAYS


def seed_events(
    session: DbSession, anchor: date, lookups: Lookups
) -> tuple[dict[tuple[str, str], Event], int]:
    """The demo programme, found by natural key or created; returns events and how many new."""
    events, created = {}, 0
    for spec in programme.EVENTS:
        times = session_times(spec, anchor)
        centre = lookups.centres[spec.centre]
        event = _find_event(session, centre, spec.title, times[0][0])
        if event is None:
            event = _new_event(session, spec, times, anchor, lookups)
            created += 1
        events[spec.centre, spec.title] = event
    return events, created


def _find_event(session: DbSession, centre: Centre, title: str, start: datetime) -> Event | None:
    query = (
        select(Event)
        .join(Session, Session.event_id == Event.id)
        .where(Event.centre_id == centre.id, Event.title == title, Session.starts_at == start)
    )
    return session.scalars(query).first()


def _new_event(
    session: DbSession,
    spec: DemoEvent,
    times: list[tuple[datetime, datetime]],
    anchor: date,
    lookups: Lookups,
) -> Event:
    first_start = times[0][0]
    # Opened on the Friday before the anchor: always in the past, the same all month.
    opens = oslo_datetime(anchor - timedelta(days=3), time(8, 0))
    event = Event(
        centre=lookups.centres[spec.centre],
        focus_area=lookups.focus_areas[spec.focus],
        series=lookups.series.get((spec.centre, spec.series)) if spec.series else None,
        certifies_kind=lookups.kinds[spec.certifies] if spec.certifies else None,
        title=spec.title,
        summary=spec.summary,
        target_group=spec.target_group,
        kind=spec.kind,
        format=spec.format,
        status=spec.status,
        venue=spec.venue,
        digital_link=_digital_link(spec),
        contact_email=lookups.centres[spec.centre].email,
        capacity=spec.capacity,
        waitlist_enabled=spec.waitlist,
        seats_per_municipality=spec.seats_per_municipality,
        min_participants=spec.min_participants,
        decision_at=_days_before(first_start, spec.decide_days_before),
        registration_opens_at=opens,
        registration_closes_at=first_start - timedelta(days=spec.closes_days_before),
        published_at=opens,
    )
    event.sessions = [Session(starts_at=start, ends_at=end) for start, end in times]
    event.eligible_municipalities = municipalities_by_number(session, spec.eligible)
    session.add(event)
    session.flush()
    return event


def _digital_link(spec: DemoEvent) -> str:
    if spec.format == EventFormat.PHYSICAL:
        return ""
    return f"https://moter.example.no/usht-{spec.centre}/demo-{spec.week}-{spec.weekday}"


def _days_before(moment: datetime, days: int | None) -> datetime | None:
    return None if days is None else moment - timedelta(days=days)


def person_email(person: programme.DemoPerson) -> str:
    """An invented address on an example domain, from the invented name."""
    plain = person.name.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    return ".".join(plain.split()) + "@example.no"


def seed_people(session: DbSession) -> list[Person]:
    """The invented participants, found by e-mail or created."""
    people = []
    for spec in programme.PEOPLE:
        email = person_email(spec)
        person = session.scalar(select(Person).where(Person.email == email))
        if person is None:
            person = Person(
                email=email,
                name=spec.name,
                municipality_number=spec.municipality,
                workplace=spec.workplace,
                profession=spec.profession,
            )
            session.add(person)
        people.append(person)
    session.flush()
    return people


def seed_signups(
    session: DbSession, events: dict[tuple[str, str], Event], people: list[Person]
) -> int:
    """Confirmed and waitlisted places on a few events; returns how many were new."""
    created = 0
    for signups in programme.SIGNUPS:
        event = events[signups.centre, signups.title]
        order = [(i, RegistrationStatus.CONFIRMED) for i in signups.confirmed]
        order += [(i, RegistrationStatus.WAITLISTED) for i in signups.waitlisted]
        for position, (index, status) in enumerate(order, start=1):
            created += _sign_up(session, event, people[index], status, position)
    session.flush()
    return created


def _sign_up(
    session: DbSession, event: Event, person: Person, status: RegistrationStatus, position: int
) -> bool:
    existing = session.scalar(
        select(Registration.id).where(
            Registration.event_id == event.id, Registration.person_id == person.id
        )
    )
    if existing is not None:
        return False
    # Stable sign-up times in sign-up order: the waiting list is ordered by them.
    signed_up_at = event.registration_opens_at + timedelta(minutes=7 * position)
    confirmed = status == RegistrationStatus.CONFIRMED
    session.add(
        Registration(
            event=event,
            person=person,
            status=status,
            source=RegistrationSource.WEB,
            municipality_number=person.municipality_number,
            workplace=person.workplace,
            profession=person.profession,
            created_at=signed_up_at,
            consent_at=signed_up_at,
            confirmed_at=signed_up_at if confirmed else None,
        )
    )
    return True


def seed_logins(session: DbSession) -> list[Login]:
    """The demo accounts, all with the demo password; returns them for printing."""
    logins = []
    for email, role, centre_slug, numbers, name in programme.LOGINS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(
                session, email, Role(role), DEMO_PASSWORD, centre_slug, numbers, name
            )
        elif not verify_password(user.password_hash, DEMO_PASSWORD):
            # Keep the printed logins true; an unchanged hash is left alone (argon2 salts).
            user.password_hash = hash_password(DEMO_PASSWORD)
        logins.append(Login(email, Role(role), DEMO_PASSWORD, _scope(centre_slug, numbers)))
    session.flush()
    return logins


def _scope(centre_slug: str | None, numbers: tuple[str, ...]) -> str:
    if centre_slug:
        return f"senter {centre_slug}"
    if numbers:
        return "kommune " + ", ".join(numbers)
    return "alt"
