"""The database ends every connection, several times, while four gunicorn workers are busy.

Client threads ask for pages and post sign-ups without pause; meanwhile the test ends the
app's server processes with pg_terminate_backend, as repeated failovers would. Nobody may
get a 500: a request is answered as usual, or 503 "prøv igjen" where running it again was
not safe. The event's capacity holds throughout.
"""

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from tests.servers import (
    GunicornServer,
    SignUpClient,
    create_open_event,
    flask_db_upgrade,
    terminate_connections,
)
from usht_events.registration.models import Registration, RegistrationStatus

CAPACITY = 20
THREADS = 6
FAILOVERS = 5
# Answers to wait for before the first failover, and between two: the pace follows the
# machine's speed, so every failover lands in the middle of the load even on a slow one.
ANSWERS_BETWEEN_FAILOVERS = 25
# What a worker logs when it runs into an ended connection (core/db.py, core/unavailable.py).
RECOVERIES = (
    "running the statement again",
    "(running it again)",
    "(503)",
    "connection lost after the request's last statement",
)
MUNICIPALITIES = ("3101", "3103", "3105")


@pytest.fixture
def served_event(empty_postgres_url):
    """A migrated database with one open event, served by `gunicorn --workers 4`."""
    flask_db_upgrade(empty_postgres_url)
    event_id = create_open_event(
        empty_postgres_url, capacity=CAPACITY, municipalities=MUNICIPALITIES
    )
    with GunicornServer(empty_postgres_url, workers=4) as server:
        yield server, empty_postgres_url, event_id


class Load:
    """Client threads asking without pause until stopped; what each kind of request got."""

    def __init__(self, base_url: str, event_id: int):
        self.base_url = base_url
        self.event_id = event_id
        self.stop = threading.Event()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.sign_ups_posted = 0
        self._answered = threading.Condition()

    def _count(self, kind: str, status: int) -> None:
        with self._answered:
            self.statuses[kind, status] += 1
            self._answered.notify_all()

    def wait_for_answers(self, count: int) -> None:
        """Block until `count` more requests have been answered."""
        with self._answered:
            target = self.statuses.total() + count
            if not self._answered.wait_for(lambda: self.statuses.total() >= target, 300):
                raise RuntimeError(f"the server stopped answering: {dict(self.statuses)}")

    def run(self, worker: int) -> None:
        """One client: the calendar, the event page and the API, then a sign-up, in turn."""
        pages = {
            "calendar": f"{self.base_url}/",
            "event page": f"{self.base_url}/events/{self.event_id}",
            "api": f"{self.base_url}/api/v1/events/{self.event_id}",
        }
        with requests.Session() as browser:
            for round_number in itertools.count():
                if self.stop.is_set():
                    return
                for kind, url in pages.items():
                    with browser.get(url, timeout=120) as response:
                        self._count(kind, response.status_code)
                self._sign_up(f"deltaker{worker}-{round_number}@example.no", round_number)

    def _sign_up(self, email: str, round_number: int) -> None:
        client = SignUpClient(self.base_url, self.event_id)
        try:
            page_status = client.load_form()
            self._count("sign-up form", page_status)
            if page_status != 200:
                return
            with self._answered:
                self.sign_ups_posted += 1
            posted = client.submit(email, MUNICIPALITIES[round_number % len(MUNICIPALITIES)])
            self._count("sign-up post", posted.status_code)
        finally:
            client.close()


def _registrations(database_url: str, event_id: int) -> Counter:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Registration.status, func.count())
                .where(Registration.event_id == event_id)
                .group_by(Registration.status)
            )
            return Counter(dict(rows.all()))
    finally:
        engine.dispose()


def test_ended_connections_under_load_give_no_500_and_keep_the_capacity(served_event):
    server, database_url, event_id = served_event
    load = Load(server.url, event_id)
    ended = []
    with ThreadPoolExecutor(THREADS) as pool:
        clients = [pool.submit(load.run, n) for n in range(THREADS)]
        try:
            load.wait_for_answers(ANSWERS_BETWEEN_FAILOVERS)
            for _ in range(FAILOVERS):
                ended.append(terminate_connections(database_url))
                load.wait_for_answers(ANSWERS_BETWEEN_FAILOVERS)
        finally:
            load.stop.set()
        for client in clients:
            client.result()

    statuses = load.statuses
    by_status = Counter()
    for (_kind, status), count in statuses.items():
        by_status[status] += count
    registrations = _registrations(database_url, event_id)
    log = server.log()
    recoveries = {message: log.count(message) for message in RECOVERIES}
    print(
        f"\nconnections ended per failover {ended}; {by_status.total()} requests: "
        f"{by_status[200] + by_status[303]} 2xx/3xx, {by_status[503]} 503, "
        f"all statuses {dict(by_status)}\nby kind {dict(sorted(statuses.items()))}\n"
        f"sign-ups posted {load.sign_ups_posted}, registrations {dict(registrations)}\n"
        f"the workers logged {recoveries}"
    )
    report = f"{dict(statuses)}\n--- gunicorn stderr ---\n{log[-6000:]}"

    assert all(count > 0 for count in ended), ended
    assert set(by_status) <= {200, 303, 503}, report
    assert by_status[200] + by_status[303] > 0.8 * by_status.total(), report
    # The failovers hit connections in use: the workers ran into them, and recovered.
    assert sum(recoveries.values()) > 0, report
    confirmed = registrations[RegistrationStatus.CONFIRMED]
    assert confirmed <= CAPACITY, f"overbooked: {confirmed} confirmed > capacity {CAPACITY}"
    assert statuses["sign-up post", 303] <= sum(registrations.values()) <= load.sign_ups_posted
