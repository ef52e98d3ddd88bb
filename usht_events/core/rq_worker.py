"""Optional: RQ runs the worker's pass (core/worker.py), woken by each commit that queues
mail, and every WORKER_INTERVAL seconds by `rq cron` for the periodic jobs.

With REDIS_URL set, run, with the app's environment, on any host:

    rq worker --with-scheduler usht-outbox
    rq cron usht_events.rq_cron

The database outbox stays the source of truth: a lost job or a Redis outage only delays
mail until the next job, the next cron tick or `flask outbox send`. The job itself is
usht_events/rq_jobs.py, beside create_app, which it needs to build the worker's app.
"""

import logging
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, get_current_job

from usht_events.core.db import utcnow

logger = logging.getLogger(__name__)

# The RQ job of one pass, named rather than imported: core builds no app of its own.
PASS_JOB = "usht_events.rq_jobs.run_worker_pass"


def enqueue_pass(config) -> None:
    """Ask an RQ worker for a pass; if Redis is down, the outbox simply waits."""
    try:
        # Short timeouts: a commit must not hang on Redis, which is only a wake-up call.
        redis = Redis.from_url(config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
        with redis as connection:
            Queue(config["OUTBOX_RQ_QUEUE"], connection=connection).enqueue(PASS_JOB)
    except RedisError as error:
        logger.warning("Could not enqueue the worker's pass: %s", error)


def schedule_next_pass(due_at: datetime | None) -> None:
    """From inside the job: wake again when the earliest waiting mail falls due.

    Needs `rq worker --with-scheduler`.
    """
    job = get_current_job()
    if due_at is None or job is None:
        return
    delay = max(due_at - utcnow(), timedelta(seconds=1))
    # One id per due second: many passes finding the same deferred mail merge into one.
    job_id = f"usht-outbox-at-{int((utcnow() + delay).timestamp())}"
    queue = Queue(job.origin, connection=job.connection)
    queue.enqueue_in(delay, PASS_JOB, job_id=job_id)
