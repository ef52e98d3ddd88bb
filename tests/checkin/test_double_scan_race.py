"""Two organisers scan one ticket at the same moment on PostgreSQL: one check-in.

Each scanner is a thread with its own database connection and transaction, as two
requests to two workers would be. The first test forces the worst interleaving: the second
insert starts while the first is written but not committed, so it waits on the unique
index (seen in pg_locks) and must then find the first one's row. The second lets many
pairs run freely at once.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from usht_events.catalogue.models import Event
from usht_events.checkin.scanning import ScanResult, check_in
from usht_events.core.db import db
from usht_events.registration.models import Attendance

pytestmark = pytest.mark.postgres


def _scanner(app, course, token: str, before_commit=None):
    """One request: its own session, one check-in, commit."""
    with app.app_context():
        session = db.session
        try:
            event = session.get(Event, course.event.id)
            outcome = check_in(
                session, event, course.now, None, code=token, session_id=course.day_one.id
            )
            if before_commit is not None:
                before_commit()
            session.commit()
            return outcome
        finally:
            db.session.remove()


def _waiting_on_a_lock(app) -> bool:
    with app.app_context(), db.engine.connect() as connection:
        return bool(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO attendance%'"
                )
            )
        )


def test_the_second_scan_waits_for_the_first_and_says_already_checked_in(pg_app, pg_course):
    course = pg_course
    token = course.confirmed.ticket_token
    first_written = threading.Event()
    second_waits = threading.Event()

    def hold_until_the_second_waits():
        first_written.set()
        while not _waiting_on_a_lock(pg_app):
            threading.Event().wait(0.01)
        second_waits.set()

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_scanner, pg_app, course, token, hold_until_the_second_waits)
        first_written.wait(30)
        second = pool.submit(_scanner, pg_app, course, token)
        results = [first.result(timeout=60), second.result(timeout=60)]
    assert second_waits.is_set()
    assert [outcome.result for outcome in results] == [
        ScanResult.CHECKED_IN,
        ScanResult.ALREADY_CHECKED_IN,
    ]
    assert results[1].checked_in_at == results[0].checked_in_at
    db.session.expire_all()
    assert len(db.session.scalars(select(Attendance)).all()) == 1


def test_many_pairs_scanning_at_once_check_each_person_in_once(pg_app, make, pg_course):
    course = pg_course
    people = [make.registration(course.event) for _ in range(12)]
    db.session.commit()
    tokens = [registration.ticket_token for registration in people for _ in range(2)]
    start = threading.Barrier(8)

    def scan(token):
        start.wait(timeout=30)
        return token, _scanner(pg_app, course, token).result

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(scan, tokens))
    for registration in people:
        mine = sorted(result for token, result in answers if token == registration.ticket_token)
        assert mine == [ScanResult.ALREADY_CHECKED_IN, ScanResult.CHECKED_IN]
    db.session.expire_all()
    assert len(db.session.scalars(select(Attendance)).all()) == len(people)
