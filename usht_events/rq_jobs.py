"""The RQ job: one pass of the worker (core/worker.py) in an app of the worker's own.

Enqueued by name (core/rq_worker.py) after each commit that queues mail, and by
`rq cron usht_events.rq_cron` every WORKER_INTERVAL seconds.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from usht_events import create_app
from usht_events.core.db import db
from usht_events.core.delivery import next_due_at
from usht_events.core.rq_worker import schedule_next_pass
from usht_events.core.worker import run_pass


def run_worker_pass() -> str:
    """RQ job: one pass of the worker, then a wake-up for the next deferred mail."""
    with _app_context():
        report = run_pass()
        schedule_next_pass(next_due_at(db.session))
    return report.summary()


@contextmanager
def _app_context() -> Iterator[Flask]:
    """The caller's app when there is one (SimpleWorker in tests), else the worker's own."""
    if has_app_context():
        yield current_app
        return
    with _worker_app().app_context() as context:
        yield context.app


@functools.cache
def _worker_app() -> Flask:
    return create_app()
