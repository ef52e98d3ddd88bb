"""Many sign-ups at once against four gunicorn workers never confirm more than the caps allow.

Each client is its own browser session (event page, then form post), all at once from a
thread pool, against a real multi-process server on PostgreSQL and on a SQLite file. The
control run serves tests/race_wsgi.py, which switches the event lock off, and shows that
the same check then fails; nothing the production app reads can switch it off.
"""

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.servers import GunicornServer, SignUpClient, create_open_event, flask_db_upgrade
from usht_events.catalogue.models import Event
from usht_events.core.outbox import OutboxMessage
from usht_events.registration.models import Registration, RegistrationStatus

CAPACITY = 25
MINIMUM = 10
SIGN_UPS = 70
THREADS = 24
MUNICIPALITIES = ("3101", "3103", "3105", "3107", "3110")
POSITION = re.compile(r"Nr\. (\d+) på ventelisten")


@dataclass(frozen=True)
class Outcome:
    """What one client saw."""

    email: str
    page_status: int
    post_status: int
    location: str


@dataclass(frozen=True)
class Race:
    """A served event and what the concurrent sign-ups got."""

    server: GunicornServer
    database_url: str
    event_id: int
    outcomes: list[Outcome]


@pytest.fixture(params=["postgres", "sqlite"])
def database_url(request):
    """An empty database of each kind, migrated with `flask db upgrade`."""
    url = request.getfixturevalue(f"empty_{request.param}_url")
    flask_db_upgrade(url)
    return url


def _sign_up_concurrently(base_url: str, event_id: int) -> list[Outcome]:
    """Every client loads its form first, then all post at once."""
    clients = [SignUpClient(base_url, event_id) for _ in range(SIGN_UPS)]
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            page_statuses = list(pool.map(SignUpClient.load_form, clients))
            responses = list(
                pool.map(
                    lambda n: clients[n].submit(
                        f"deltaker{n}@example.no", MUNICIPALITIES[n % len(MUNICIPALITIES)]
                    ),
                    range(SIGN_UPS),
                )
            )
    finally:
        for client in clients:
            client.close()
    return [
        Outcome(f"deltaker{n}@example.no", page, post.status_code, post.headers.get("Location", ""))
        for n, (page, post) in enumerate(zip(page_statuses, responses, strict=True))
    ]


def _race(database_url: str, env: dict | None = None, app_module="wsgi:app", **event_fields):
    """Create the event, serve it with four workers, sign everyone up, yield the Race."""
    event_id = create_open_event(database_url, municipalities=MUNICIPALITIES, **event_fields)
    with GunicornServer(database_url, workers=4, env=env, app_module=app_module) as server:
        yield Race(server, database_url, event_id, _sign_up_concurrently(server.url, event_id))


def _registrations(race: Race) -> list[Registration]:
    """Every registration of the event, read from the database in sign-up order."""
    engine = create_engine(race.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return list(
                session.scalars(
                    select(Registration)
                    .where(Registration.event_id == race.event_id)
                    .order_by(Registration.created_at, Registration.id)
                )
            )
    finally:
        engine.dispose()


def _api_counts(race: Race) -> dict:
    with requests.get(f"{race.server.url}/api/v1/events/{race.event_id}", timeout=60) as response:
        assert response.status_code == 200, response.text
        return response.json()


def _waitlist_positions(race: Race, tokens: list[str]) -> list[int | None]:
    """The place each manage page (/r/<token>) shows, in the order of the tokens."""

    def position(token: str) -> int | None:
        with requests.get(f"{race.server.url}/r/{token}", timeout=60) as page:
            match = POSITION.search(page.text)
            return int(match.group(1)) if match else None

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(position, tokens))


def _response_violations(race: Race) -> list[str]:
    statuses = Counter(o.post_status for o in race.outcomes)
    server_errors = [o for o in race.outcomes if o.page_status >= 500 or o.post_status >= 500]
    violations = []
    if server_errors:
        violations.append(f"5xx: {len(server_errors)} clients got a server error ({statuses})")
    if statuses != Counter({303: SIGN_UPS}) or any(
        not re.fullmatch(r"/r/[A-Za-z0-9_-]+", o.location) for o in race.outcomes
    ):
        violations.append(f"not every POST answered 303 to /r/<token>: {dict(statuses)}")
    return violations


def _seat_violations(
    registrations: list[Registration], capacity: int, per_municipality: int | None
) -> list[str]:
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    waitlisted = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    municipality_cap = capacity if per_municipality is None else per_municipality
    expected = min(capacity, municipality_cap * len(MUNICIPALITIES))
    violations = []
    if len(confirmed) > capacity:
        violations.append(f"overbooked: {len(confirmed)} confirmed > capacity {capacity}")
    elif len(confirmed) != expected:
        violations.append(f"{len(confirmed)} confirmed, expected exactly {expected}")
    for number, count in Counter(r.municipality_number for r in confirmed).items():
        if count > municipality_cap:
            violations.append(
                f"overbooked: {count} confirmed from {number} > cap {municipality_cap}"
            )
    if len(confirmed) + len(waitlisted) != len(registrations) or len(registrations) != SIGN_UPS:
        violations.append(
            f"{len(registrations)} registrations for {SIGN_UPS} sign-ups: "
            f"{len(confirmed)} confirmed, {len(waitlisted)} waitlisted"
        )
    return violations


def invariant_violations(race: Race, capacity: int, per_municipality: int | None = None):
    """Everything wrong with the race's outcome: statuses, seats, API counts, waiting list."""
    registrations = _registrations(race)
    violations = _response_violations(race) + _seat_violations(
        registrations, capacity, per_municipality
    )
    confirmed = sum(r.status == RegistrationStatus.CONFIRMED for r in registrations)
    waitlisted = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    api = _api_counts(race)
    if (api["confirmed"], api["waitlisted"]) != (confirmed, len(waitlisted)):
        violations.append(
            f"API says {api['confirmed']} confirmed, {api['waitlisted']} waitlisted; "
            f"the database has {confirmed} and {len(waitlisted)}"
        )
    # With seats left, everyone waiting waits for their municipality's seats: each page
    # gives the place in that municipality's line.
    by_municipality = per_municipality is not None and confirmed < capacity
    positions = _waitlist_positions(race, [r.token for r in waitlisted])
    if positions != _expected_positions(waitlisted, by_municipality):
        violations.append(f"waiting-list places in sign-up order are {positions}")
    return violations


def _expected_positions(waitlisted: list[Registration], by_municipality: bool) -> list[int]:
    """1, 2, 3 … in sign-up order, counted per municipality when that is the line."""
    seen = Counter()
    expected = []
    for registration in waitlisted:
        line = registration.municipality_number if by_municipality else None
        seen[line] += 1
        expected.append(seen[line])
    return expected


def _failure_report(race: Race, violations: list[str]) -> str:
    return "\n".join(violations) + "\n--- gunicorn stderr ---\n" + race.server.log()[-6000:]


@pytest.fixture
def race_on_capacity(database_url):
    """70 sign-ups for 25 seats, waiting list on, and a minimum of 10 to run."""
    yield from _race(database_url, capacity=CAPACITY, min_participants=MINIMUM)


def test_concurrent_sign_ups_fill_capacity_exactly_and_queue_the_rest(race_on_capacity):
    violations = invariant_violations(race_on_capacity, CAPACITY)
    assert not violations, _failure_report(race_on_capacity, violations)


def test_concurrent_sign_ups_record_the_minimum_reached_exactly_once(race_on_capacity):
    engine = create_engine(race_on_capacity.database_url)
    try:
        with Session(engine) as session:
            event = session.get(Event, race_on_capacity.event_id)
            assert event.threshold_reached_at is not None
            told = session.scalars(
                select(OutboxMessage.to_address).where(OutboxMessage.kind == "threshold_reached")
            ).all()
    finally:
        engine.dispose()
    # Told once: the ten confirmed at the moment the minimum was reached, one mail each.
    assert len(told) == MINIMUM
    assert len(set(told)) == MINIMUM


@pytest.fixture
def race_on_municipality_cap(database_url):
    """70 sign-ups from five municipalities with three seats each: 15 of 25 seats can go."""
    yield from _race(database_url, capacity=CAPACITY, seats_per_municipality=3)


def test_concurrent_sign_ups_never_exceed_seats_per_municipality(race_on_municipality_cap):
    violations = invariant_violations(race_on_municipality_cap, CAPACITY, per_municipality=3)
    assert not violations, _failure_report(race_on_municipality_cap, violations)


@pytest.fixture
def race_without_lock(database_url):
    """The control: the same race served by tests/race_wsgi.py, without the event lock (and
    without SQLite's BEGIN IMMEDIATE).

    The pause between count and write must outweigh the rest of a request even on a busy
    machine: with 0.05 s, a run under heavy load once let every worker finish in turn.
    """
    env = {"RACE_CONTROL_PAUSE_SECONDS": "0.3"}
    yield from _race(database_url, env=env, app_module="tests.race_wsgi:app", capacity=CAPACITY)


def test_control_without_the_lock_the_check_catches_the_race(race_without_lock):
    violations = invariant_violations(race_without_lock, CAPACITY)
    caught = [v for v in violations if v.startswith(("overbooked", "5xx"))]
    assert caught, f"the unlocked control run passed the check: {violations}"
    if race_without_lock.database_url.startswith("postgresql"):
        assert any(v.startswith("overbooked") for v in caught), violations


# The switches the control run once read from the app's own settings.
OLD_DEBUG_SWITCHES = {"USHT_DEBUG_SIGNUP_SKIP_LOCK": "1", "USHT_DEBUG_SIGNUP_PAUSE": "0.3"}


@pytest.fixture
def race_with_old_debug_switches(database_url):
    """The real app (wsgi.py) with the old debug variables set: they must do nothing."""
    yield from _race(database_url, env=OLD_DEBUG_SWITCHES, capacity=CAPACITY)


def test_no_environment_variable_switches_the_lock_off(race_with_old_debug_switches):
    violations = invariant_violations(race_with_old_debug_switches, CAPACITY)
    assert not violations, _failure_report(race_with_old_debug_switches, violations)


def test_production_refuses_to_start_with_a_debug_switch(empty_sqlite_url):
    flask_db_upgrade(empty_sqlite_url)
    env = OLD_DEBUG_SWITCHES | {"USHT_ENV": "production", "REDIS_URL": "redis://127.0.0.1:6379/15"}
    server = GunicornServer(empty_sqlite_url, workers=2, env=env)
    try:
        with pytest.raises(RuntimeError, match="gunicorn exited early") as refused:
            server.start()
        assert "USHT_ENV=production refuses to start" in str(refused.value)
        assert "USHT_DEBUG_SIGNUP_SKIP_LOCK" in str(refused.value)
    finally:
        server.stop()
        server.remove_log()
