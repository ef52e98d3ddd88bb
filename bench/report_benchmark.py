"""Time the annual participation report on a year with ~100k registrations.

Creates a temporary PostgreSQL database `usht_bench_<random>`, seeds ~2000 events of the
year (plus the year before), ~100k registrations, their attendances and certifications with
bulk inserts, runs the report for every centre and for one centre, prints the timings, and
drops the database. Target: the report in under 2 seconds.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

# Run as a script from anywhere: the project root holds usht_events.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import current_app

from bench.signup_benchmark import POSTGRES_ADMIN_URL, fresh_database
from usht_events import create_app
from usht_events.catalogue.models import (
    CertificationKind,
    Event,
    EventKind,
    EventStatus,
    FocusArea,
    Series,
    Session,
)
from usht_events.certification.models import Certification, CertificationSource
from usht_events.core.db import db
from usht_events.organisations.models import Centre, Municipality, centre_municipality
from usht_events.organisations.rules import load_municipalities
from usht_events.registration.models import Attendance, Person, Registration, RegistrationStatus
from usht_events.reports.rules import participation_report
from usht_events.reports.xlsx import report_workbook

YEAR = 2025
BATCH = 5000


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events in the year (2000)")
    parser.add_argument("--registrations", type=int, default=100_000, help="(100000)")
    parser.add_argument("--people", type=int, default=40_000, help="distinct people (40000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each report (5)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Create, seed, time, drop."""
    args = parse_args(argv)
    with fresh_database("postgres", args.postgres_admin_url) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": uuid.uuid4().hex * 2})
        with app.app_context():
            started = time.perf_counter()
            seed(args, random.Random(2025))
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            time_reports(args.runs)
            db.session.remove()
            db.engine.dispose()


def _bulk(model, rows: list[dict]) -> None:
    """Insert rows in batches (executemany; SQLAlchemy fills in the Python-side defaults)."""
    table = model.__table__ if hasattr(model, "__table__") else model
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def seed(args, rng: random.Random) -> None:
    """Centres, series, events with sessions, people, registrations, attendance, certificates."""
    load_municipalities(db.session)
    municipalities = db.session.execute(select(Municipality.number, Municipality.county_number))
    by_county: dict[str, list[str]] = {}
    for number, county in municipalities:
        by_county.setdefault(county, []).append(number)
    counties = sorted(by_county)
    _bulk(FocusArea, [{"id": i, "slug": f"fokus-{i}", "name": f"Fokus {i}"} for i in range(1, 9)])
    _bulk(Centre, [_centre(i, county, by_county) for i, county in enumerate(counties, 1)])
    _bulk(
        centre_municipality,
        [
            {"centre_id": i, "municipality_number": number}
            for i, county in enumerate(counties, 1)
            for number in by_county[county]
        ],
    )
    centre_ids = range(1, len(counties) + 1)
    series = [
        {"id": i, "centre_id": 1 + i % len(counties), "slug": f"s{i}", "name": f"Nettverk {i}"}
        for i in range(1, 61)
    ]
    _bulk(Series, series)
    kinds = [{"id": i, "slug": f"kind-{i}", "name": f"Instruktør {i}"} for i in range(1, 8)]
    _bulk(CertificationKind, kinds)
    events, sessions = _events(args, rng, centre_ids, len(series))
    _bulk(Event, events)
    _bulk(Session, sessions)
    people = [
        {
            "id": i,
            "email": f"p{i}@example.no",
            "name": f"Person {i}",
            "municipality_number": rng.choice(by_county[rng.choice(counties)]),
        }
        for i in range(1, args.people + 1)
    ]
    _bulk(Person, people)
    registrations, attendances, certifications = _participation(args, rng, events, sessions, people)
    _bulk(Registration, registrations)
    _bulk(Attendance, attendances)
    _bulk(Certification, certifications)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    print(
        f"{len(events)} events, {len(sessions)} sessions, {len(people)} people, "
        f"{len(registrations)} registrations, {len(attendances)} attendances, "
        f"{len(certifications)} certifications"
    )


def _centre(i: int, county: str, by_county: dict[str, list[str]]) -> dict:
    return {
        "id": i,
        "slug": f"senter-{county}",
        "name": f"USHT {county}",
        "host_municipality_number": by_county[county][0],
    }


def _events(args, rng: random.Random, centre_ids, series_count: int):
    """The year's events and a fifth as many the year before, with one or two sessions each."""
    events, sessions = [], []
    total = args.events + args.events // 5
    for event_id in range(1, total + 1):
        year = YEAR if event_id <= args.events else YEAR - 1
        start = datetime(year, 1, 2, 8, tzinfo=UTC) + timedelta(days=rng.randrange(360))
        status = rng.choices(list(EventStatus), weights=[3, 60, 30, 7])[0]
        events.append(
            {
                "id": event_id,
                "centre_id": rng.choice(centre_ids),
                "series_id": rng.randint(1, series_count) if rng.random() < 0.3 else None,
                "focus_area_id": rng.randint(1, 8),
                "title": f"Arrangement {event_id}",
                "kind": rng.choice(list(EventKind)),
                "status": status,
                "capacity": 60,
                "registration_opens_at": start - timedelta(days=60),
                "registration_closes_at": start - timedelta(days=1),
            }
        )
        for day in range(rng.choice((1, 1, 2))):
            sessions.append(
                {
                    "id": len(sessions) + 1,
                    "event_id": event_id,
                    "starts_at": start + timedelta(days=day),
                    "ends_at": start + timedelta(days=day, hours=6),
                }
            )
    return events, sessions


def _participation(args, rng: random.Random, events, sessions, people):
    """Registrations spread over the events, check-ins for most, certificates for some."""
    per_event = args.registrations // args.events
    sessions_of: dict[int, list[int]] = {}
    for session in sessions:
        sessions_of.setdefault(session["event_id"], []).append(session["id"])
    registrations, attendances, certifications = [], [], []
    for event in events:
        for person in rng.sample(people, per_event):
            status = rng.choices(list(RegistrationStatus), weights=[85, 7, 8])[0]
            registration_id = len(registrations) + 1
            registrations.append(
                {
                    "id": registration_id,
                    "event_id": event["id"],
                    "person_id": person["id"],
                    "status": status,
                    "municipality_number": person["municipality_number"],
                }
            )
            if status != RegistrationStatus.CONFIRMED or rng.random() < 0.2:
                continue
            for session_id in sessions_of[event["id"]]:
                attendances.append({"registration_id": registration_id, "session_id": session_id})
            if event["kind"] == EventKind.INSTRUCTOR_COURSE:
                certifications.append(
                    {
                        "person_id": person["id"],
                        "kind_id": rng.randint(1, 7),
                        "municipality_number": person["municipality_number"],
                        "event_id": event["id"],
                        "source": CertificationSource.EVENT,
                        "issued_on": date(YEAR, 12, 1),
                    }
                )
    return registrations, attendances, certifications


def time_reports(runs: int) -> None:
    """Run the report for every centre and for one, several times, and print the timings.

    Wall time depends on what else the machine runs; the CPU time the report costs (this
    process plus its PostgreSQL backend) is printed beside it as the figure for an idle machine.
    """
    now = datetime(YEAR, 12, 31, 12, tzinfo=UTC)
    backend = db.session.scalar(text("SELECT pg_backend_pid()"))
    for label, centre_ids in (("all centres", None), ("one centre", [1])):
        walls, cpus = [], []
        for _ in range(runs):
            db.session.expire_all()
            wall, cpu = time.perf_counter(), _cpu_seconds(backend)
            report = participation_report(db.session, YEAR, centre_ids, now)
            walls.append(time.perf_counter() - wall)
            cpus.append(_cpu_seconds(backend) - cpu)
        started = time.perf_counter()
        # The workbook is worded in the reader's language, as in the download's request.
        with current_app.test_request_context("/?lang=nb"):
            size = len(report_workbook(report, label))
        xlsx = time.perf_counter() - started
        print(
            f"report, {label}: wall median {statistics.median(walls):.3f} s"
            f" (first {walls[0]:.3f}, max {max(walls):.3f}),"
            f" CPU median {statistics.median(cpus):.3f} s over {runs} runs;"
            f" {report.totals.registrations} registrations, {report.totals.participants}"
            f" participants, {len(report.by_focus_area.rows)} municipalities;"
            f" xlsx {xlsx:.3f} s ({size // 1024} KiB)"
        )
    print(f"load average {' '.join(f'{value:.1f}' for value in os.getloadavg())}")


def _cpu_seconds(backend_pid: int) -> float:
    """CPU time used so far by this process and by the PostgreSQL backend serving it."""
    fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    backend_ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return time.process_time() + backend_ticks / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
