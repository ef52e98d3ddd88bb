"""GET /healthz."""

from sqlalchemy import text

from usht_events import create_app


def test_healthz_answers_200_when_the_database_answers(any_app):
    response = any_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": "x" * 40,
            # Nothing listens on port 1: the connection is refused at once.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    from usht_events.core.db import db

    connection = db.session.connection()
    assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
