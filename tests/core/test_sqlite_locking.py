"""SQLite write transactions take the write lock at their start (BEGIN IMMEDIATE)."""

import sqlite3

import pytest
from sqlalchemy import create_engine, text

from usht_events import create_app
from usht_events.core.db import sqlite_begin_mode


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'lock.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE seat (id INTEGER PRIMARY KEY)"))
    yield engine
    engine.dispose()


def _other_writer(path: str) -> sqlite3.Connection:
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    return other


def test_write_transaction_holds_the_lock_before_its_first_statement(engine):
    token = sqlite_begin_mode.set("IMMEDIATE")
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT count(*) FROM seat")).scalar()
            other = _other_writer(engine.url.database)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
    finally:
        sqlite_begin_mode.reset(token)


def test_read_transaction_does_not_block_writers(engine):
    token = sqlite_begin_mode.set("DEFERRED")
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT count(*) FROM seat")).scalar()
            other = _other_writer(engine.url.database)
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO seat DEFAULT VALUES")
            other.execute("COMMIT")
            other.close()
    finally:
        sqlite_begin_mode.reset(token)


def test_requests_that_only_read_begin_deferred_and_posts_immediate(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'probe.sqlite'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    seen = []

    @app.route("/_probe", methods=["GET", "POST"])
    def probe():
        seen.append(sqlite_begin_mode.get())
        return "ok"

    client = app.test_client()
    client.get("/_probe")
    client.post("/_probe")
    assert seen == ["DEFERRED", "IMMEDIATE"]
