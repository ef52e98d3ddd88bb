"""Optional: an RQ worker drains the outbox, woken by each commit that queues mail.

With REDIS_URL set, run `rq worker --with-scheduler usht-outbox` on any host, with the
app's environment; no cron is needed. The database outbox stays the source of truth: a
lost job or a Redis outage only delays mail until the next job or `flask outbox send`.
"""

import functools
import logging
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, get_current_job

from usht_events.core.db import db, utcnow
from usht_events.core.delivery import deliver_all_due, next_due_at
from usht_events.core.extensions import mail

logger = logging.getLogger(__name__)


def enqueue_drain(config) -> None:
    """Ask an RQ worker to drain the outbox; if Redis is down, the outbox simply waits."""
    try:
        # Short timeouts: a commit must not hang on Redis, which is only a wake-up call.
        redis = Redis.from_url(config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
        with redis as connection:
            Queue(config["OUTBOX_RQ_QUEUE"], connection=connection).enqueue(drain_outbox)
    except RedisError as error:
        logger.warning("Could not enqueue the outbox drain job: %s", error)


def drain_outbox() -> str:
    """RQ job: deliver every due mail, then schedule a run for the next deferred one."""
    with _app_context():
        report = deliver_all_due(db.session, mail)
        _schedule_next(next_due_at(db.session))
    return report.summary()


def _schedule_next(due_at) -> None:
    """Wake again when the earliest waiting mail falls due (needs --with-scheduler)."""
    job = get_current_job()
    if due_at is None or job is None:
        return
    delay = max(due_at - utcnow(), timedelta(seconds=1))
    # One id per due second: many drain jobs finding the same deferred mail merge into one.
    job_id = f"usht-outbox-at-{int((utcnow() + delay).timestamp())}"
    queue = Queue(job.origin, connection=job.connection)
    queue.enqueue_in(delay, drain_outbox, job_id=job_id)


@contextmanager
def _app_context():
    """The caller's app when there is one (SimpleWorker in tests), else the worker's own."""
    if has_app_context():
        yield current_app
        return
    with _worker_app().app_context() as context:
        yield context.app


@functools.cache
def _worker_app():
    from usht_events import create_app

    return create_app()
