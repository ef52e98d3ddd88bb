"""Pooled PostgreSQL connections: pinged after sitting idle, trusted while in steady use."""

import time

import psycopg
import pytest
from sqlalchemy import event, text
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


def _disconnects_seen_by_statements(app) -> list:
    """Every disconnect a statement of the app runs into from now on, as SQLAlchemy saw it."""
    seen = []
    with app.app_context():
        event.listen(db.engine, "handle_error", lambda context: seen.append(context.is_disconnect))
    return seen


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
    disconnects = _disconnects_seen_by_statements(pooled_app)
    response = pooled_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    assert _pooled_backend(pooled_app) != dead
    # The ping found it: no statement ever ran on the dead connection.
    assert disconnects == []


def test_connection_used_a_moment_ago_is_not_pinged(pooled_app, postgres_url, monkeypatch):
    """The control: inside the window the pool trusts the connection, so the request's first
    statement runs into the dead connection (a busy server pays no round trip for a ping);
    that statement is then run again on a new connection, and the request still succeeds."""
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    dead = _pooled_backend(pooled_app)
    _terminate(postgres_url, dead)
    disconnects = _disconnects_seen_by_statements(pooled_app)
    response = pooled_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    assert disconnects == [True]
    assert _pooled_backend(pooled_app) != dead


def _pool_of(app, size: int) -> list[int]:
    """Fill the pool with `size` connections used a moment ago; return their server pids."""
    with app.app_context():
        connections = [db.engine.connect() for _ in range(size)]
        pids = [c.exec_driver_sql("SELECT pg_backend_pid()").scalar() for c in connections]
        for connection in connections:
            connection.close()
    return pids


@pytest.mark.parametrize(
    ("window", "found_by"), [(0.0, "the ping"), (3600.0, "the first statement")]
)
def test_one_dead_connection_found_replaces_every_pooled_one(
    pooled_app, postgres_url, monkeypatch, window, found_by
):
    """A failover kills every pooled connection: once one is found dead, whether by the
    ping or by a statement, the pool replaces the others too, and no later checkout runs
    into one of them."""
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", window)
    dead = _pool_of(pooled_app, 3)
    for pid in dead:
        _terminate(postgres_url, pid)
    invalidated = []
    with pooled_app.app_context():
        event.listen(db.engine, "invalidate", lambda *args: invalidated.append(args[2]))
    assert pooled_app.test_client().get("/healthz").status_code == 200
    # Core connections, which nothing retries: a dead one left in the pool would fail here.
    now_pooled = _pool_of(pooled_app, 3)
    assert not set(now_pooled) & set(dead)
    assert len(invalidated) == 1, f"found by {found_by}: {invalidated}"
