"""The worker's one pass, which every way of running it calls: `flask outbox send`, its
`--loop`, and the RQ job (core/rq_worker.py).

A pass does three things, in order:

1. writes the mails queued without content (a sign-up queues its confirmation empty and
   the worker adds the calendar files and QR code): each kind of such mail has a writer,
   registered by the area that sends it;
2. runs each area's periodic jobs (the automatic go/no-go decisions and the reminders now;
   expiry reminders next): registered by the areas at start-up;
3. delivers the due mail (core/delivery.py).

Writing and the periodic jobs run in small batches, each one short transaction of its
own, with a bound per pass: a backlog must never hold SQLite's write lock for long, nor
keep sign-ups and page loads waiting behind it. What is left over is taken up by the next
pass. A job that fails is rolled back and logged; the rest of the pass goes on.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.core.db import db, immediate_transactions, utcnow
from usht_events.core.delivery import DeliveryReport, deliver_all_due
from usht_events.core.extensions import mail
from usht_events.core.outbox import OutboxMessage

log = logging.getLogger(__name__)

JOBS = "usht_worker_jobs"
WRITERS = "usht_mail_writers"

# Writes one mail queued without content, or deletes it when it no longer applies.
MailWriter = Callable[[DbSession, OutboxMessage, datetime, dict], None]


@dataclass(frozen=True)
class PeriodicJob:
    """Work an area wants done on every pass.

    `run(session, now, config, limit)` does at most `limit` items in the caller's
    transaction and returns how many it did; the pass commits and, while a batch comes back
    full, runs it again, up to `max_batches` batches.
    """

    name: str
    run: Callable[[DbSession, datetime, dict, int], int]
    batch_size: int = 50
    max_batches: int = 20


@dataclass
class PassReport:
    """What one pass did: items per job, and the delivery."""

    done: dict[str, int] = field(default_factory=dict)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def summary(self) -> str:
        """The one line the CLI prints per pass."""
        return self.delivery.summary()


def register_job(app: Flask, job: PeriodicJob) -> None:
    """Add an area's periodic job to every pass of this app's worker."""
    app.extensions.setdefault(JOBS, []).append(job)


def register_mail_writer(app: Flask, kinds: tuple[str, ...], writer: MailWriter) -> None:
    """Name the function that writes mails of these kinds when they were queued empty."""
    writers = app.extensions.setdefault(WRITERS, {})
    for kind in kinds:
        writers[kind] = writer


def run_pass(batch_size: int | None = None) -> PassReport:
    """One pass of the worker on the current app: write, run the periodic jobs, deliver."""
    app = current_app._get_current_object()
    report = PassReport()
    writing = PeriodicJob("write_mail", write_pending_mail)
    for job in [writing, *app.extensions.get(JOBS, [])]:
        report.done[job.name] = _run_job(job, app.config)
    report.delivery = deliver_all_due(db.session, mail, batch_size=batch_size)
    return report


def _run_job(job: PeriodicJob, config) -> int:
    done = 0
    for _ in range(job.max_batches):
        try:
            with immediate_transactions():
                count = job.run(db.session, utcnow(), config, job.batch_size)
                db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("worker job %s failed; the next pass tries again", job.name)
            break
        done += count
        if count < job.batch_size:
            break
    return done


def write_pending_mail(session: DbSession, now: datetime, config, limit: int) -> int:
    """Write up to `limit` mails queued without content, oldest first."""
    writers = current_app.extensions.get(WRITERS, {})
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.needs_render.is_(True))
        .order_by(OutboxMessage.id)
        .limit(limit)
        # A second worker on PostgreSQL takes the next ones instead of waiting for these.
        .with_for_update(skip_locked=True)
    ).all()
    for message in messages:
        writer = writers.get(message.kind)
        if writer is None:
            log.error("no writer for queued %s mail %s; it stays queued", message.kind, message.id)
            continue
        writer(session, message, now, config)
    return len(messages)
