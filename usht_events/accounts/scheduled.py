"""The accounts area's share of the worker's pass (core/worker.py): writing the requested
password-reset mails."""

from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts import reset
from usht_events.core.outbox import OutboxMessage
from usht_events.core.worker import register_mail_writer


def init_worker(app: Flask) -> None:
    """Register the reset mail's writer on the app's worker."""
    register_mail_writer(app, (reset.MAIL_KIND,), _write_reset_mail)


def _write_reset_mail(session: DbSession, message: OutboxMessage, now: datetime, config):
    reset.write_reset_mail(
        session,
        message,
        secret_key=config["SECRET_KEY"],
        base_url=config["BASE_URL"],
        max_age=config["PASSWORD_RESET_MAX_AGE"],
    )
