"""Pooled PostgreSQL connections: pinged after sitting idle, trusted while in steady use."""

import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import base_config
from usht_events import create_app
from usht_events.core import db as db_module
from usht_events.core.db import db


@pytest.fixture
def pooled_app(postgres_url, tmp_path):
    """An app with a pool of its own, so killing its connection touches no other test."""
    app = create_app(base_config(postgres_url, tmp_path))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _pooled_backend(app) -> int:
    """The server process behind the pool's connection, which goes back to the pool."""
    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()
    return pid


def _terminate(postgres_url: str, pid: int) -> None:
    """Kill one server process, as a database restart or a failover would."""
    url = make_url(postgres_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "the backend did not exit"
            time.sleep(0.02)


def test_connection_lost_while_idle_is_replaced_before_a_request_uses_it(
    pooled_app, postgres_url, monkeypatch
):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    dead = _pooled_backend(pooled_app)
    _terminate(postgres_url, dead)
    response = pooled_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    assert _pooled_backend(pooled_app) != dead


def test_connection_used_a_moment_ago_is_not_pinged(pooled_app, postgres_url, monkeypatch):
    """The control: inside the window the pool trusts the connection, so the ping above is
    what saved that request (and a busy server pays no round trip for it)."""
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    _terminate(postgres_url, _pooled_backend(pooled_app))
    assert pooled_app.test_client().get("/healthz").status_code == 503
    # SQLAlchemy saw the disconnect and emptied the pool: the next request reconnects.
    assert pooled_app.test_client().get("/healthz").status_code == 200
