"""Time the largest municipality's roster at national scale, through the app, on PostgreSQL.

Creates a temporary PostgreSQL database `usht_bench_<random>`, loads all 357 municipalities
with a centre per county, seven certification kinds, and 100 000 certifications spread as
people are (Zipf over the municipalities, Oslo the largest; see `spread`), then asks for
the roster of the largest municipality as its municipality contact would: GET
/municipalities/<number>/instructors (20 times, the median is the figure; target under
100 ms), the same filtered to those expiring, and its XLSX (target under 1 s), all through
the Flask app with a logged-in session. Prints the timings and the machine's load, and
drops the database.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

# Run as a script from anywhere: the project root holds usht_events.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.signup_benchmark import POSTGRES_ADMIN_URL, fresh_database
from usht_events import create_app
from usht_events.accounts.models import Role, User, user_municipality
from usht_events.accounts.passwords import hash_password
from usht_events.accounts.sessions import start_login_session
from usht_events.certification.models import (
    Certification,
    CertificationKind,
    CertificationSource,
    new_verification_code,
)
from usht_events.certification.renewal import refresh_all_current
from usht_events.core.db import db, utcnow
from usht_events.organisations.models import Centre, Municipality, centre_municipality
from usht_events.organisations.rules import load_municipalities
from usht_events.registration.models import Person

TODAY = date(2026, 11, 20)
BATCH = 5000
KINDS = (
    ("proact-instruktor", "ProACT-instruktør", 36),
    ("hhlr-instruktor", "HHLR-instruktør", 24),
    ("forhandssamtale-instruktor", "Instruktør i forhåndssamtaler", None),
    ("refleksjonsveileder", "Refleksjonsveileder", None),
    ("fasilitator", "Fasilitator", None),
    ("mentor-lindrende", "Mentor (lindrende behandling)", None),
    ("abc-kontakt", "ABC-kontakt", None),
)
# How often each kind is held: HHLR and ABC reach many, mentors few.
KIND_WEIGHTS = (18, 30, 10, 10, 6, 4, 22)
LARGEST = "0301"  # Oslo


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certifications", type=int, default=100_000, help="(100000)")
    parser.add_argument("--requests", type=int, default=20, help="timed page requests (20)")
    parser.add_argument("--xlsx-runs", type=int, default=5, help="timed XLSX downloads (5)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Create, seed, time, drop."""
    args = parse_args(argv)
    with fresh_database("postgres", args.postgres_admin_url) as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": uuid.uuid4().hex * 2,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            started = time.perf_counter()
            token = seed(args, random.Random(2026))
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            db.session.remove()
        time_roster(app, token, args, make_url(url).database)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _bulk(model, rows: list[dict]) -> None:
    table = model.__table__ if hasattr(model, "__table__") else model
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def spread(numbers: list[str], rng: random.Random) -> list[float]:
    """Weights of the municipalities: Zipf's law (s = 1), as city sizes follow, with Oslo
    first. With 357 municipalities Oslo gets about 15 % (its share of Norway's people is
    13 %) and the median municipality about 0.1 %."""
    others = [number for number in numbers if number != LARGEST]
    rng.shuffle(others)
    ranked = [LARGEST, *others]
    weight = {number: 1 / rank for rank, number in enumerate(ranked, start=1)}
    return [weight[number] for number in numbers]


def seed(args, rng: random.Random) -> str:
    """Municipalities, centres, kinds, people and certifications; returns a login token
    of Oslo's municipality contact."""
    load_municipalities(db.session)
    rows = db.session.execute(select(Municipality.number, Municipality.county_number)).all()
    numbers = [number for number, _ in rows]
    counties = sorted({county for _, county in rows})
    _bulk(Centre, [_centre(i, c, rows) for i, c in enumerate(counties, 1)])
    _bulk(
        centre_municipality,
        [
            {"centre_id": counties.index(county) + 1, "municipality_number": number}
            for number, county in rows
        ],
    )
    _bulk(
        CertificationKind,
        [
            {"id": i, "slug": slug, "name": name, "validity_months": months}
            for i, (slug, name, months) in enumerate(KINDS, 1)
        ],
    )
    people, certifications = _certifications(args.certifications, numbers, rng)
    _bulk(Person, people)
    _bulk(Certification, certifications)
    refresh_all_current(db.session)
    contact = User(
        email="kontakt@oslo.kommune.no",
        name="Kommunekontakt Oslo",
        role=Role.MUNICIPALITY,
        password_hash=hash_password(uuid.uuid4().hex),
    )
    db.session.add(contact)
    db.session.flush()
    db.session.execute(
        insert(user_municipality), [{"user_id": contact.id, "municipality_number": LARGEST}]
    )
    token = start_login_session(db.session, contact, utcnow())
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    largest = sum(1 for row in certifications if row["municipality_number"] == LARGEST)
    print(
        f"{len(numbers)} municipalities, {len(people)} people, {len(certifications)} "
        f"certifications; the largest municipality ({LARGEST}) has {largest}"
    )
    return token


def _centre(i: int, county: str, rows) -> dict:
    host = next(number for number, c in rows if c == county)
    return {
        "id": i,
        "slug": f"senter-{county}",
        "name": f"USHT {county}",
        "host_municipality_number": host,
    }


def _certifications(total: int, numbers: list[str], rng: random.Random):
    """People certified once or more: a tenth renewed (same kind, later), a few in two
    kinds, 2 % revoked; issued over the last six years."""
    weights = spread(numbers, rng)
    people, certifications = [], []
    while len(certifications) < total:
        person_id = len(people) + 1
        number = rng.choices(numbers, weights)[0]
        people.append(
            {
                "id": person_id,
                "email": f"p{person_id}@example.no",
                "name": f"Person {person_id:06d}",
                "municipality_number": number,
                "workplace": f"Arbeidssted {rng.randint(1, 40)}",
            }
        )
        kind_ids = rng.sample(range(1, len(KINDS) + 1), 2 if rng.random() < 0.15 else 1)
        for kind_id in kind_ids:
            issued = TODAY - timedelta(days=rng.randint(0, 6 * 365))
            certifications.append(_certification(person_id, kind_id, number, issued, rng))
            if rng.random() < 0.1 and len(certifications) < total:
                renewed = issued + timedelta(days=rng.randint(300, 900))
                if renewed <= TODAY:
                    certifications.append(_certification(person_id, kind_id, number, renewed, rng))
    return people, certifications[:total]


def _certification(person_id, kind_id, number, issued: date, rng) -> dict:
    months = KINDS[kind_id - 1][2]
    expires = issued + timedelta(days=months * 30 + 5) if months else None
    return {
        "person_id": person_id,
        "kind_id": kind_id,
        "municipality_number": number,
        "source": CertificationSource.IMPORTED,
        "imported_from": "benchmark",
        "issued_on": issued,
        "expires_on": expires,
        "verification_code": new_verification_code(),
        "revoked_at": utcnow() if rng.random() < 0.02 else None,
    }


def time_roster(app, token: str, args, database: str) -> None:
    """GET the roster pages and the XLSX through the app as Oslo's contact; print figures.

    Wall time depends on what else the machine runs; the CPU time a request costs (this
    process plus the database's backends) is printed beside it as the figure for an idle
    machine.
    """
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    base = f"/municipalities/{LARGEST}/instructors"
    for label, path, runs in (
        ("roster page", base, args.requests),
        ("roster page, expiring, by expiry", f"{base}?status=expiring&sort=expires", args.requests),
        ("roster page 20", f"{base}?page=20", args.requests),
        ("roster xlsx", f"{base}.xlsx", args.xlsx_runs),
    ):
        first = client.get(path)  # warm: templates compiled, statements prepared
        assert first.status_code == 200, (path, first.status_code)
        timings, cpus = [], []
        for _ in range(runs):
            cpu = _cpu_seconds(database)
            started = time.perf_counter()
            answer = client.get(path)
            timings.append(time.perf_counter() - started)
            cpus.append(_cpu_seconds(database) - cpu)
            assert answer.status_code == 200
        print(
            f"{label}: median {statistics.median(timings) * 1000:.1f} ms"
            f" (min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f}) over {runs},"
            f" CPU median {statistics.median(cpus) * 1000:.1f} ms;"
            f" {len(answer.data) // 1024} KiB"
        )
    print(f"load average {' '.join(f'{value:.1f}' for value in os.getloadavg())}")


def _cpu_seconds(database: str) -> float:
    """CPU time used so far by this process and by the PostgreSQL backends of the database."""
    ticks = 0
    for pid in _backends(database):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return time.process_time() + ticks / os.sysconf("SC_CLK_TCK")


def _backends(database: str) -> list[int]:
    engine = _backends.engine = getattr(_backends, "engine", None) or create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        query = text("SELECT pid FROM pg_stat_activity WHERE datname = :name")
        return list(connection.scalars(query, {"name": database}))


if __name__ == "__main__":
    main()
