"""`flask --app usht_events outbox send`, once and with --loop, as an operator runs it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from usht_events import create_app
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage, OutboxStatus, queue_mail

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(tmp_path):
    """A SQLite file with the schema, for the command run in another process."""
    url = f"sqlite:///{tmp_path / 'outbox.sqlite'}"
    with _app(url).app_context():
        db.create_all()
        db.engine.dispose()
    return url


def _app(database_url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x" * 40})


def _queue(database_url: str, count: int) -> list[str]:
    """Commit `count` mails to the file's outbox; return their Message-IDs."""
    with _app(database_url).app_context():
        messages = [
            queue_mail(
                db.session, kind="reminder", to=f"d{n}@example.no", subject="Påminnelse", text="Hei"
            )
            for n in range(count)
        ]
        db.session.commit()
        ids = [message.message_id for message in messages]
        db.session.remove()
        db.engine.dispose()
    return ids


def _statuses(database_url: str) -> list[OutboxStatus]:
    with _app(database_url).app_context():
        statuses = list(db.session.scalars(db.select(OutboxMessage.status)))
        db.session.remove()
        db.engine.dispose()
    return statuses


def _command(database_url: str, smtp_sink, *args: str) -> tuple[list[str], dict]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        MAIL_SERVER=smtp_sink.host,
        MAIL_PORT=str(smtp_sink.port),
        SECRET_KEY="x" * 40,
    )
    argv = [sys.executable, "-m", "flask", "--app", "usht_events", "outbox", "send", *args]
    return argv, env


def test_send_delivers_what_is_due_once_and_prints_a_summary(database_url, smtp_sink):
    ids = _queue(database_url, 3)
    argv, env = _command(database_url, smtp_sink)
    result = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Sendt 3, feilet 0, venter 0"
    assert sorted(item["Message-ID"] for item in smtp_sink.wait_for(3)) == sorted(ids)
    assert _statuses(database_url) == [OutboxStatus.SENT] * 3


def test_send_during_an_outage_reports_the_mail_as_waiting(database_url, smtp_sink):
    _queue(database_url, 2)
    smtp_sink.refuse_with = "451 Try later"
    argv, env = _command(database_url, smtp_sink, "--batch-size", "1")
    result = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Sendt 0, feilet 0, venter 2"
    assert _statuses(database_url) == [OutboxStatus.PENDING] * 2


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_loop_keeps_delivering_and_stops_cleanly_on_a_signal(database_url, smtp_sink, stop_signal):
    argv, env = _command(database_url, smtp_sink, "--loop", "--interval", "0.2")
    worker = subprocess.Popen(
        argv, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = _queue(database_url, 2)
        smtp_sink.wait_for(2)
        later = _queue(database_url, 1)
        received = smtp_sink.wait_for(3)
        time.sleep(0.3)
    finally:
        worker.send_signal(stop_signal)
        stdout, stderr = worker.communicate(timeout=20)
    assert worker.returncode == 0, stderr
    assert sorted(item["Message-ID"] for item in received) == sorted(first + later)
    lines = stdout.splitlines()
    assert len(lines) >= 2
    assert all(line.startswith("Sendt ") for line in lines)
    assert sum(int(line.split()[1].rstrip(",")) for line in lines) == 3


def test_send_in_process_counts_mail_left_waiting(app, runner):
    queue_mail(db.session, kind="reminder", to="kari@example.no", subject="Påminnelse", text="Hei")
    db.session.commit()
    result = runner.invoke(args=["outbox", "send"])  # the test app's SMTP port is closed
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Sendt 0, feilet 0, venter 1"
