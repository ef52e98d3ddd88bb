"""The registration area's share of the worker's pass (core/worker.py): writing the sign-up
mails queued without content, the automatic go/no-go decisions, and the reminders."""

from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session as DbSession

from usht_events.core.outbox import OutboxMessage
from usht_events.core.worker import PeriodicJob, register_job, register_mail_writer
from usht_events.registration import decisions, notifications, reminders


def init_worker(app: Flask) -> None:
    """Register this area's mail writer and periodic jobs on the app's worker."""
    register_mail_writer(app, tuple(notifications.SIGN_UP_KINDS.values()), _write_sign_up_mail)
    # Decisions are few and each is one event's lock: one batch does them all.
    register_job(app, PeriodicJob("decisions", _decide, batch_size=1_000, max_batches=1))
    register_job(app, PeriodicJob("reminders", _remind))


def _write_sign_up_mail(session: DbSession, message: OutboxMessage, now: datetime, config):
    notifications.write_sign_up_mail(session, message, config["BASE_URL"], now)


def _decide(session: DbSession, now: datetime, config, limit: int) -> int:
    return decisions.decide_automatically(session, now, config["BASE_URL"])


def _remind(session: DbSession, now: datetime, config, limit: int) -> int:
    days = config["REMINDER_DAYS_BEFORE"]
    return len(reminders.queue_due_reminders(session, now, days, config["BASE_URL"], limit))
