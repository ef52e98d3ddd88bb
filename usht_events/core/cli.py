"""`flask outbox send`: one pass of the worker (core/worker.py), or one pass after another
with --loop: write the mails queued without content, run the areas' periodic jobs (the
automatic decisions, the reminders), deliver what is due.
"""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from usht_events.core.db import db
from usht_events.core.worker import run_pass

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
    click.echo(run_pass(batch_size).summary())
    # A long-running worker must not keep a SQLite snapshot or a pooled transaction open.
    db.session.remove()


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
