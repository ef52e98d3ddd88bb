"""`flask seed-demo`: the demo centres, reference data, programme and logins, idempotently."""

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import base_config
from usht_events import create_app
from usht_events.accounts.models import Role, User
from usht_events.accounts.passwords import verify_password
from usht_events.catalogue.models import CertificationKind, Event, EventKind, FocusArea, Series
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo
from usht_events.demo import programme
from usht_events.demo.seed import anchor_monday, is_holiday, seed_demo, session_times
from usht_events.organisations.models import Centre, Municipality
from usht_events.registration.models import Registration, RegistrationStatus

OSTFOLD_12 = {
    "Aremark", "Fredrikstad", "Halden", "Hvaler", "Indre Østfold", "Marker",
    "Moss", "Rakkestad", "Råde", "Sarpsborg", "Skiptvet", "Våler (Østfold)",
}  # fmt: skip
FOLLO_6 = {"Enebakk", "Vestby", "Nordre Follo", "Ås", "Frogn", "Nesodden"}
VESTFOLD_6 = {"Larvik", "Sandefjord", "Tønsberg", "Færder", "Horten", "Holmestrand"}
KIND_SLUGS = {
    "proact-instruktor", "hhlr-instruktor", "forhandssamtale-instruktor",
    "refleksjonsveileder", "fasilitator", "mentor-lindrende", "abc-kontakt",
}  # fmt: skip
LOGIN_LINE = re.compile(r"^\s+(\S+@usht-demo\.no)\s+(\w+)\s+(\S+)", re.MULTILINE)


def run_seed(app):
    """Run the command as a person would, on whichever database the app uses."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """An app on a SQLite file of its own, seeded once for the tests that only read."""
    folder = tmp_path_factory.mktemp("demo")
    app = create_app(base_config(f"sqlite:///{folder / 'demo.sqlite'}", folder))
    with app.app_context():
        db.create_all()
        output = run_seed(app).output
    yield app, output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def seeded(demo_app):
    """The seeded demo database (read only, please); yields what seed-demo printed."""
    app, output = demo_app
    with app.app_context():
        yield output
        db.session.remove()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def centre(slug: str) -> Centre:
    return db.session.scalar(select(Centre).where(Centre.slug == slug))


def events_of(slug: str) -> list[Event]:
    return list(db.session.scalars(select(Event).join(Centre).where(Centre.slug == slug)))


def snapshot() -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    return {
        table.name: db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        for table in db.metadata.sorted_tables
    }


def test_seed_demo_loads_all_municipalities(seeded):
    assert count(Municipality) == 357


def test_seed_demo_creates_the_three_centres_with_their_hosts(seeded):
    hosts = {c.slug: (c.name, c.host_municipality.name) for c in db.session.scalars(select(Centre))}
    assert hosts == {
        "ostfold": ("USHT Østfold", "Indre Østfold"),
        "buskerud": ("USHT Buskerud", "Drammen"),
        "vestfold": ("USHT Vestfold", "Sandefjord"),
    }
    assert all(c.email.endswith(".no") and c.phone for c in db.session.scalars(select(Centre)))


def test_ostfold_region_is_the_12_ostfold_and_6_follo_municipalities(seeded):
    assert {m.name for m in centre("ostfold").region} == OSTFOLD_12 | FOLLO_6


def test_buskerud_region_is_every_buskerud_municipality(seeded):
    buskerud = select(Municipality.name).where(Municipality.county_name == "Buskerud")
    assert {m.name for m in centre("buskerud").region} == set(db.session.scalars(buskerud))
    assert len(centre("buskerud").region) == 18


def test_vestfold_region_is_its_six_municipalities(seeded):
    assert {m.name for m in centre("vestfold").region} == VESTFOLD_6


def test_seed_demo_creates_the_eight_focus_areas(seeded):
    names = set(db.session.scalars(select(FocusArea.name)))
    assert len(names) == 8
    assert {"Leve hele livet", "Demensplan 2025", "Velferdsteknologi"} <= names


def test_seed_demo_creates_the_seven_certification_kinds(seeded):
    kinds = {k.slug: k for k in db.session.scalars(select(CertificationKind))}
    assert set(kinds) == KIND_SLUGS
    assert kinds["proact-instruktor"].name == "ProACT-instruktør"
    assert kinds["hhlr-instruktor"].validity_months == 24
    assert kinds["abc-kontakt"].validity_months is None


def test_seed_demo_creates_the_series(seeded):
    names = set(db.session.scalars(select(Series.name)))
    assert {"Kompetansenettverk ProACT-instruktører", "KlinObsKommune"} <= names
    assert {"Demensomsorgens ABC", "Fagnettverk demens"} <= names


def test_every_centre_has_upcoming_published_events(seeded):
    now = utcnow()
    for slug in ("ostfold", "buskerud", "vestfold"):
        events = events_of(slug)
        assert len(events) >= 5, slug
        assert all(e.starts_at > now and e.is_public for e in events), slug


def test_every_demo_event_is_open_for_sign_up_now(seeded):
    now = utcnow()
    for event in db.session.scalars(select(Event)):
        assert event.registration_opens_at < now < event.registration_closes_at, event.title
        assert event.registration_closes_at <= event.starts_at, event.title


def test_ostfold_runs_a_two_day_proact_instructor_course_certifying_proact(seeded):
    course = next(e for e in events_of("ostfold") if e.title == "ProACT-instruktørkurs")
    assert course.kind == EventKind.INSTRUCTOR_COURSE
    assert course.certifies_kind.slug == "proact-instruktor"
    assert len(course.sessions) == 2
    first, second = (to_oslo(s.starts_at) for s in course.sessions)
    assert second.date() - first.date() == timedelta(days=1)
    assert (course.capacity, course.seats_per_municipality) == (16, 2)


def test_sessions_are_oslo_wall_clock_times(seeded):
    course = next(e for e in events_of("ostfold") if e.title == "ProACT-instruktørkurs")
    assert {to_oslo(s.starts_at).time() for s in course.sessions} == {time(9, 0)}
    assert {to_oslo(s.ends_at).time() for s in course.sessions} == {time(15, 30)}


def test_an_abc_seminar_has_reached_neither_its_minimum_nor_capacity(seeded):
    seminar = next(e for e in events_of("ostfold") if e.title == programme.ABC_SEMINAR)
    confirmed = confirmed_count(seminar)
    assert seminar.min_participants == 25
    assert seminar.decision_at < seminar.starts_at
    assert 0 < confirmed < seminar.min_participants < seminar.capacity


def test_a_full_course_has_a_waiting_list(seeded):
    course = next(e for e in events_of("ostfold") if e.title == "ProACT-instruktørkurs")
    assert confirmed_count(course) == course.capacity
    assert waitlisted(course) == 3


def test_demo_registrations_respect_capacity_and_seats_per_municipality(seeded):
    for event in db.session.scalars(select(Event)):
        assert event.capacity is None or confirmed_count(event) <= event.capacity
        if event.seats_per_municipality:
            per_municipality = db.session.execute(
                select(Registration.municipality_number, func.count())
                .where(Registration.event_id == event.id)
                .where(Registration.status == RegistrationStatus.CONFIRMED)
                .group_by(Registration.municipality_number)
            ).all()
            assert all(n <= event.seats_per_municipality for _, n in per_municipality)


def test_one_event_is_open_only_to_the_follo_municipalities(seeded):
    restricted = [e for e in db.session.scalars(select(Event)) if not e.is_open_to_everyone]
    assert len(restricted) == 1
    assert {m.name for m in restricted[0].eligible_municipalities} == FOLLO_6


def test_programme_covers_the_event_kinds_the_centres_run(seeded):
    kinds = set(db.session.scalars(select(Event.kind)))
    assert {EventKind.INSTRUCTOR_COURSE, EventKind.SEMINAR, EventKind.CONFERENCE} <= kinds
    assert {EventKind.NETWORK_GATHERING, EventKind.WEBINAR, EventKind.PROFESSIONAL_DAY} <= kinds
    assert EventKind.LEARNING_NETWORK in kinds
    capacities = {e.title: e.capacity for e in db.session.scalars(select(Event))}
    assert capacities["Fag- og tjenesteutviklingskonferansen"] == 110


def test_printed_logins_verify_with_argon2(seeded):
    logins = LOGIN_LINE.findall(seeded)
    assert {email for email, _, _ in logins} == {
        "admin@usht-demo.no",
        "arrangor.ostfold@usht-demo.no",
        "arrangor.buskerud@usht-demo.no",
        "arrangor.vestfold@usht-demo.no",
        "kontakt.fredrikstad@usht-demo.no",
    }
    for email, role, password in logins:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.role == Role(role)
        assert verify_password(user.password_hash, password)
    assert {password for _, _, password in logins} == {"demo-passord-2026"}


def test_demo_logins_are_bound_to_their_centre_or_municipality(seeded):
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["arrangor.ostfold@usht-demo.no"].centre.slug == "ostfold"
    fredrikstad = users["kontakt.fredrikstad@usht-demo.no"]
    assert [m.number for m in fredrikstad.municipalities] == ["3107"]


def test_seed_demo_restores_a_changed_demo_password(app):
    run_seed(app)
    admin = db.session.scalar(select(User).where(User.email == "admin@usht-demo.no"))
    admin.password_hash = "changed"
    db.session.commit()
    run_seed(app)
    admin = db.session.scalar(select(User).where(User.email == "admin@usht-demo.no"))
    assert verify_password(admin.password_hash, "demo-passord-2026")


def test_seed_demo_twice_changes_nothing(any_app):
    first = run_seed(any_app)
    before = snapshot()
    second = run_seed(any_app)
    assert snapshot() == before
    assert "Arrangementer: 26 i demoprogrammet, 0 nye" in second.output
    assert LOGIN_LINE.findall(second.output) == LOGIN_LINE.findall(first.output)


def test_seed_demo_later_in_the_month_finds_the_same_programme(app):
    today = to_oslo(utcnow()).date()
    seed_demo(db.session, today.replace(day=1))
    db.session.commit()
    before = snapshot()
    seed_demo(db.session, today.replace(day=28))
    db.session.commit()
    assert snapshot() == before


@pytest.mark.parametrize("today", [date(2026, 2, 1), date(2026, 3, 31), date(2026, 6, 30)])
def test_every_demo_event_lies_at_least_five_days_after_any_day_of_its_month(today):
    anchor = anchor_monday(today)
    earliest = min(session_times(spec, anchor)[0][0].date() for spec in programme.EVENTS)
    assert earliest - today >= timedelta(days=5)
    assert anchor == anchor_monday(today.replace(day=1))


def confirmed_count(event: Event) -> int:
    return _count_status(event, RegistrationStatus.CONFIRMED)


def waitlisted(event: Event) -> int:
    return _count_status(event, RegistrationStatus.WAITLISTED)


def _count_status(event: Event, status: RegistrationStatus) -> int:
    query = select(func.count()).where(
        Registration.event_id == event.id, Registration.status == status
    )
    return db.session.scalar(query)


@pytest.mark.parametrize(
    "today", [date(2026, 11, 2), date(2026, 6, 15), date(2027, 4, 1), date(2026, 12, 31)]
)
def test_no_demo_event_falls_in_a_holiday(today):
    anchor = anchor_monday(today)
    for spec in programme.EVENTS:
        days = [start.date() for start, _ in session_times(spec, anchor)]
        assert not any(is_holiday(day) for day in days), (spec.title, days)
        assert all(day.weekday() < 5 for day in days)


def test_is_holiday_knows_christmas_summer_and_may():
    holidays = [date(2026, 12, 24), date(2027, 1, 1), date(2026, 7, 15), date(2026, 5, 17)]
    assert all(is_holiday(day) for day in holidays)
    assert not any(is_holiday(day) for day in [date(2026, 12, 18), date(2026, 8, 11)])


def test_the_fredrikstad_contact_has_a_roster_with_certifications_expiring_soon(seeded):
    from usht_events.certification.start import start_page

    page = start_page(db.session, ["3107"], utcnow())
    (roster,) = page.rosters
    assert roster.municipality.name == "Fredrikstad" and roster.total == 4
    assert {item.kind.slug for item in page.expiring} == {"proact-instruktor", "hhlr-instruktor"}
    assert all(item.source.value == "imported" for item in page.expiring)
    # Invented addresses: the first worker pass sends no reminder to them.
    assert all(item.expiry_reminded_at is not None for item in page.expiring)
