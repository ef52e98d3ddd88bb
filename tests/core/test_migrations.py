"""`flask db upgrade` on an empty database gives exactly the models' schema."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from usht_events import create_app
from usht_events import models as _all_models  # noqa: F401  (every table on the metadata)
from usht_events.core.db import db

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _differences(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _flask_db_upgrade(database_url: str) -> None:
    """Run the public command exactly as an operator would."""
    env = dict(os.environ, DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "usht_events", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_upgrade_on_empty_database_matches_models(database, request):
    url = request.getfixturevalue(
        "empty_sqlite_url" if database == "sqlite" else "empty_postgres_url"
    )
    _flask_db_upgrade(url)
    assert _differences(url) == []
    engine = create_engine(url)
    try:
        assert set(db.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_comparison_notices_a_missing_table(empty_sqlite_url, tmp_path):
    """Control: the comparison really fails when the schema and the models differ."""
    _flask_db_upgrade(empty_sqlite_url)
    engine = create_engine(empty_sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE outbox_attachment")
    engine.dispose()
    assert any(diff[0] == "add_table" for diff in _differences(empty_sqlite_url))


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_downgrade_to_base_and_upgrade_again(database, request, tmp_path):
    url = request.getfixturevalue(
        "empty_sqlite_url" if database == "sqlite" else "empty_postgres_url"
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
    assert _differences(url) == []


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_ticket_token_revision_gives_every_existing_registration_its_own_secret(database, request):
    url = request.getfixturevalue(
        "empty_sqlite_url" if database == "sqlite" else "empty_postgres_url"
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40})
    with app.app_context():
        upgrade(revision="7492c9423a8b")
        db.engine.dispose()
        _insert_registrations(url, 3)
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT ticket_code, ticket_token FROM registration ORDER BY id"
            ).all()
        db.engine.dispose()
    assert [code for code, _ in rows] == ["CODE0", "CODE1", "CODE2"]
    secrets = [token for _, token in rows]
    assert len(set(secrets)) == 3
    assert all(len(token) == 22 for token in secrets)


PARENT_ROWS = [
    "INSERT INTO municipality (number, name, county_number, county_name)"
    " VALUES ('3118', 'Indre Østfold', '31', 'Østfold')",
    "INSERT INTO centre (id, slug, name, host_municipality_number, email, phone, address,"
    " website) VALUES (1, 'ostfold', 'USHT Østfold', '3118', 'post@usht.test', '', '', '')",
    "INSERT INTO focus_area (id, slug, name) VALUES (1, 'demens', 'Demens')",
    "INSERT INTO event (id, centre_id, focus_area_id, title, summary, description,"
    " target_group, kind, format, status, venue, venue_address, digital_link, contact_email,"
    " waitlist_enabled, auto_decision, required_attendance_percent, sequence, created_at,"
    " updated_at, cancellation_reason) VALUES (1, 1, 1, 'Kurs', '', '', '', 'course',"
    " 'physical', 'published', '', '', '', '', true, false, 100, 0, '2026-01-01 10:00:00',"
    " '2026-01-01 10:00:00', '')",
]


def _insert_registrations(url: str, count: int) -> None:
    """Registrations on one event, written with plain SQL as the older schema has them."""
    rows = [*PARENT_ROWS]
    for n in range(count):
        rows.append(
            "INSERT INTO person (id, email, name, phone, workplace, locale, feed_token,"
            f" created_at) VALUES ({n + 1}, 'p{n}@example.no', 'P {n}', '', '', 'nb',"
            f" 'feed-{n}', '2026-01-01 10:00:00')"
        )
        rows.append(
            "INSERT INTO registration (event_id, person_id, status, source, workplace, needs,"
            f" token, ticket_code, created_at) VALUES (1, {n + 1}, 'confirmed', 'web', '', '',"
            f" 'manage-{n}', 'CODE{n}', '2026-01-01 10:00:00')"
        )
    engine = create_engine(url)
    with engine.begin() as connection:
        for row in rows:
            connection.exec_driver_sql(row)
    engine.dispose()
