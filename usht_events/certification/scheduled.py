"""The certification area's share of the worker's pass (core/worker.py): writing the
certificate mails queued without content, and the reminders before expiry."""

from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session as DbSession

from usht_events.certification import notifications, reminders
from usht_events.core.outbox import OutboxMessage
from usht_events.core.worker import PeriodicJob, register_job, register_mail_writer


def init_worker(app: Flask) -> None:
    """Register the certificate mail's writer and the expiry reminders on the app's worker."""
    register_mail_writer(app, (notifications.CERTIFICATE,), _write_certificate_mail)
    register_job(app, PeriodicJob("certification_expiry", _remind))


def _write_certificate_mail(session: DbSession, message: OutboxMessage, now: datetime, config):
    notifications.write_certificate_mail(session, message, config["BASE_URL"], now)


def _remind(session: DbSession, now: datetime, config, limit: int) -> int:
    days = config["CERTIFICATION_REMINDER_DAYS_BEFORE"]
    return reminders.queue_expiry_reminders(session, now, days, config["BASE_URL"], limit)
