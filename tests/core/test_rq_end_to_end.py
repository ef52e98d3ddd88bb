"""The RQ worker as an operator runs it: a real `rq worker` and `rq cron` process beside a
real gunicorn, the real Redis at 127.0.0.1:6379 and a real SMTP server."""

import io
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from redis import Redis

from tests.factories import Factories
from tests.servers import (
    PROJECT_ROOT,
    SECRET_KEY,
    GunicornServer,
    SignUpClient,
    create_open_event,
    flask_db_upgrade,
)
from usht_events import create_app
from usht_events.catalogue.models import Event, EventStatus
from usht_events.core.db import db, utcnow

REDIS_URL = "redis://127.0.0.1:6379/0"
RQ = str(Path(sys.executable).parent / "rq")


@pytest.fixture
def deployment(tmp_path, smtp_sink):
    """A migrated SQLite file and the environment every process of the deployment shares."""
    database_url = f"sqlite:///{tmp_path / 'rq.sqlite'}"
    flask_db_upgrade(database_url)
    queue = f"usht-outbox-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "REDIS_URL": REDIS_URL,
        "OUTBOX_RQ_QUEUE": queue,
        "MAIL_SERVER": smtp_sink.host,
        "MAIL_PORT": str(smtp_sink.port),
        "BASE_URL": "http://usht.test",
        "WORKER_INTERVAL": "1",
    }
    yield env
    with Redis.from_url(REDIS_URL) as redis:
        keys = redis.keys(f"*{queue}*")
        if keys:
            redis.delete(*keys)


@contextmanager
def running(*command: str, env: dict):
    """A subprocess of the deployment, stopped (and its output shown on failure) at the end."""
    handle, log_path = tempfile.mkstemp(prefix="rq-", suffix=".log")
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=dict(os.environ, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield lambda: Path(log_path).read_text(errors="replace")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        Path(log_path).unlink(missing_ok=True)


def test_public_sign_up_confirmation_arrives_through_the_rq_worker(deployment, smtp_sink):
    event_id = create_open_event(deployment["DATABASE_URL"], capacity=10, municipalities=("3107",))
    queue = deployment["OUTBOX_RQ_QUEUE"]
    with (
        GunicornServer(deployment["DATABASE_URL"], workers=2, env=deployment) as server,
        running(RQ, "worker", "--with-scheduler", "--url", REDIS_URL, queue, env=deployment) as log,
    ):
        browser = SignUpClient(server.url, event_id)
        assert browser.load_form() == 200
        response = browser.submit("kari@example.no", "3107")
        browser.close()
        assert response.status_code == 303
        try:
            (received,) = smtp_sink.wait_for(1, timeout=60)
        except AssertionError:
            pytest.fail(f"no mail arrived; the worker said:\n{log()}")

    assert received["To"] == "kari@example.no"
    assert received["Subject"].startswith("Bekreftelse: ")
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert f"http://usht.test/r/{token}" in received.get_body(("plain",)).get_content()
    calendars = [
        Calendar.from_ical(part.get_content())
        for part in received.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]
    assert calendars and all(cal["METHOD"] == "REQUEST" for cal in calendars)
    (qr,) = [part for part in received.walk() if part.get_content_type() == "image/png"]
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.get_content())))
    assert re.fullmatch(r"http://usht\.test/t/\S+", barcode.text)


def test_rq_cron_takes_a_due_automatic_decision_with_no_mail_to_wake_it(deployment):
    event_id = _event_due_for_an_automatic_decision(deployment["DATABASE_URL"])
    queue = deployment["OUTBOX_RQ_QUEUE"]
    with (
        running(RQ, "worker", "--with-scheduler", "--url", REDIS_URL, queue, env=deployment),
        running(RQ, "cron", "--url", REDIS_URL, "usht_events.rq_cron", env=deployment) as log,
    ):
        status = _wait_for_status(deployment["DATABASE_URL"], event_id, EventStatus.CANCELLED)
    assert status == EventStatus.CANCELLED, log()


def _event_due_for_an_automatic_decision(database_url: str) -> int:
    """Nobody signed up for a course that needs 3; its decision time passed an hour ago."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        event = Factories(db.session).event(
            min_participants=3, decision_at=utcnow() - timedelta(hours=1), auto_decision=True
        )
        db.session.commit()
        event_id = event.id
        db.session.remove()
        db.engine.dispose()
    return event_id


def _wait_for_status(database_url: str, event_id: int, wanted, timeout: float = 60):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    deadline = time.monotonic() + timeout
    with app.app_context():
        try:
            while time.monotonic() < deadline:
                status = db.session.get(Event, event_id).status
                db.session.rollback()
                if status == wanted:
                    return status
                time.sleep(0.5)
            return status
        finally:
            db.session.remove()
            db.engine.dispose()
