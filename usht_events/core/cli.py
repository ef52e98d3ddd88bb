"""`flask outbox send`: deliver the mail outbox once, or keep doing so with --loop.

Each pass first takes the automatic threshold decisions and queues due reminders, so the
mails they cause go out in the same pass.
"""

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup

from usht_events.catalogue.decisions import decide_automatically
from usht_events.core.db import db, utcnow
from usht_events.core.delivery import deliver_all_due
from usht_events.core.extensions import mail
from usht_events.registration import notifications

log = logging.getLogger(__name__)

outbox_group = AppGroup("outbox", help="The e-mail outbox.")


@outbox_group.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (SIGTERM/SIGINT).")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Mails claimed per batch.")
def send_command(loop: bool, interval: float, batch_size: int | None):
    """Deliver the mails that are due; prints `Sendt N, feilet N, venter N` per pass."""
    if not loop:
        _run_pass(batch_size)
        return
    stop = threading.Event()
    with _stop_on_signals(stop):
        while not stop.is_set():
            _run_pass(batch_size)
            stop.wait(interval)


def _run_pass(batch_size: int | None) -> None:
    _queue_due_mail()
    report = deliver_all_due(db.session, mail, batch_size=batch_size)
    click.echo(report.summary())
    # A long-running worker must not keep a SQLite read snapshot or a pooled transaction open.
    db.session.remove()


def _queue_due_mail() -> None:
    """Take the automatic threshold decisions, queue due reminders, and write any sign-up
    mail whose request died before rendering it, in one commit."""
    now, config = utcnow(), current_app.config
    try:
        notifications.render_pending(db.session, config["BASE_URL"], now)
        decide_automatically(db.session, now, config["BASE_URL"])
        notifications.queue_due_reminders(db.session, now, config["REMINDER_DAYS_BEFORE"])
        db.session.commit()
    except Exception:
        # Mail already queued must still go out; the next pass tries these again.
        db.session.rollback()
        log.exception("automatic decisions and reminders failed")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set `stop` on SIGTERM/SIGINT so the loop ends between passes, never inside one."""
    numbers = (signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
