"""The worker's one pass: writing queued mail in short batches, the areas' jobs, a bound per
pass, and a failing job that does not stop the rest."""

import pytest
from flask import current_app
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from usht_events.core.db import db, utcnow
from usht_events.core.outbox import OutboxMessage
from usht_events.core.worker import JOBS, PeriodicJob, register_job, run_pass
from usht_events.registration import notifications


@pytest.fixture
def backlog(make):
    """120 sign-ups whose confirmations wait, queued without content, for the worker."""
    event = make.event(capacity=200)
    for _ in range(120):
        registration = make.registration(event)
        notifications.queue_sign_up_mail(
            db.session,
            registration.id,
            registration.status,
            registration.person.email,
            event.id,
            utcnow(),
        )
    db.session.commit()


@pytest.fixture
def transactions():
    """How many queued mails each committed transaction wrote, in order."""
    written, current = [], set()

    def count_writes(session, flush_context):
        # after_flush still sees the flushed objects as dirty, with their history.
        current.update(
            item.id
            for item in session.dirty
            if isinstance(item, OutboxMessage)
            and inspect(item).attrs.needs_render.history.has_changes()
        )

    def close(session):
        written.append(len(current))
        current.clear()

    event.listen(Session, "after_flush", count_writes)
    event.listen(Session, "after_commit", close)
    yield written
    event.remove(Session, "after_flush", count_writes)
    event.remove(Session, "after_commit", close)


@pytest.fixture
def extra_job(app):
    """Register a job on the app for one test, and take it away afterwards."""
    added = []

    def add(job: PeriodicJob) -> None:
        register_job(current_app, job)
        added.append(job)

    yield add
    for job in added:
        current_app.extensions[JOBS].remove(job)


def _waiting() -> int:
    query = select(func.count()).where(OutboxMessage.needs_render.is_(True))
    return db.session.scalar(query)


def test_a_backlog_is_written_in_batches_of_fifty_each_in_its_own_transaction(
    any_app, backlog, transactions
):
    report = run_pass()
    assert report.done["write_mail"] == 120
    assert _waiting() == 0
    batches = [count for count in transactions if count]
    assert batches == [50, 50, 20]


def test_a_pass_stops_after_its_bound_and_the_next_pass_goes_on(app, extra_job):
    items = list(range(25))

    def take(session, now, config, limit):
        taken = items[:limit]
        del items[:limit]
        return len(taken)

    extra_job(PeriodicJob("countdown", take, batch_size=4, max_batches=3))
    assert run_pass().done["countdown"] == 12
    assert len(items) == 13
    assert run_pass().done["countdown"] == 12
    assert run_pass().done["countdown"] == 1


def test_a_failing_job_is_rolled_back_and_the_rest_of_the_pass_goes_on(app, backlog, extra_job):
    def fail(session, now, config, limit):
        raise RuntimeError("a bug in one area's job")

    extra_job(PeriodicJob("broken", fail))
    report = run_pass()
    assert report.done["broken"] == 0
    assert report.done["write_mail"] == 120
