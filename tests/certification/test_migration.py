"""The migration to completion by sessions and current certifications carries existing data
over, on SQLite and PostgreSQL, and keeps every session (SQLite's table rebuild must not
cascade-delete them)."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from usht_events import create_app
from usht_events.core.db import db

BEFORE = "7492c9423a8b"
EVENT = (
    "INSERT INTO event (id, centre_id, focus_area_id, title, summary, description, target_group,"
    " kind, format, status, venue, venue_address, digital_link, contact_email, waitlist_enabled,"
    " auto_decision, required_attendance_percent, sequence, created_at, updated_at,"
    " cancellation_reason) VALUES (:id, 1, 1, 't', '', '', '', 'course', 'physical', 'draft', '',"
    " '', '', '', true, false, :percent, 0, '2026-01-01', '2026-01-01', '')"
)
CERTIFICATION = (
    "INSERT INTO certification (id, person_id, kind_id, municipality_number, source, issued_on,"
    " expires_on, verification_code, created_at, revoked_at, revoked_reason) VALUES (:id, 1,"
    " :kind, '3107', 'imported', :issued, :expires, :code, '2026-01-01', :revoked, '')"
)


def _rows(sql: str) -> list[tuple]:
    rows = [tuple(row) for row in db.session.execute(text(sql))]
    db.session.commit()  # never hold a lock while the migration runs
    return rows


def _seed_before() -> None:
    run = db.session.execute
    run(text("INSERT INTO municipality VALUES ('3107', 'Fredrikstad', '31', 'Østfold')"))
    run(
        text(
            "INSERT INTO centre (id, slug, name, host_municipality_number, email, phone, address,"
            " website) VALUES (1, 'ost', 'USHT Østfold', '3107', '', '', '', '')"
        )
    )
    run(text("INSERT INTO focus_area VALUES (1, 'f', 'F')"))
    run(
        text("INSERT INTO certification_kind VALUES (1, 'k', 'K', '', 24), (2, 'm', 'M', '', NULL)")
    )
    run(text("INSERT INTO person (id, email, name, phone, workplace, locale, feed_token, created_at)"
             " VALUES (1, 'p@x.no', 'P', '', '', 'nb', 'feed', '2026-01-01')"))  # fmt: skip
    for event_id, percent, sessions in ((1, 75, 4), (2, 100, 2), (3, 50, 1), (4, 10, 3)):
        run(text(EVENT), {"id": event_id, "percent": percent})
        for day in range(1, sessions + 1):
            run(
                text(
                    "INSERT INTO event_session (event_id, title, starts_at, ends_at, venue)"
                    " VALUES (:event, '', :start, :end, '')"
                ),
                {
                    "event": event_id,
                    "start": f"2026-0{day}-01 08:00",
                    "end": f"2026-0{day}-01 10:00",
                },
            )
    certifications = (
        (1, 1, "2020-01-01", "2022-01-01", None),  # superseded by 2
        (2, 1, "2022-01-01", "2024-01-01", None),
        (3, 1, "2023-01-01", "2025-06-01", "2024-01-01"),  # later, but revoked
        (4, 2, "2021-01-01", None, None),
    )
    for cid, kind, issued, expires, revoked in certifications:
        values = {"id": cid, "kind": kind, "issued": issued, "expires": expires}
        run(text(CERTIFICATION), {**values, "revoked": revoked, "code": f"CODE{cid}"})
    db.session.commit()


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_existing_events_and_certifications_carry_over(database, request):
    url = request.getfixturevalue(
        "empty_sqlite_url" if database == "sqlite" else "empty_postgres_url"
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40})
    with app.app_context():
        upgrade(revision=BEFORE)
        _seed_before()
        upgrade()
        required = _rows("SELECT id, required_sessions FROM event ORDER BY id")
        assert required == [(1, 3), (2, None), (3, None), (4, 1)]
        assert _rows("SELECT COUNT(*) FROM event_session") == [(10,)]
        current = _rows("SELECT id FROM certification WHERE is_current ORDER BY id")
        assert current == [(2,), (4,)]
        downgrade(revision=BEFORE)
        percent = _rows("SELECT id, required_attendance_percent FROM event ORDER BY id")
        assert percent == [(1, 75), (2, 100), (3, 100), (4, 33)]
        assert _rows("SELECT COUNT(*) FROM event_session") == [(10,)]
        db.session.remove()
        db.engine.dispose()
