"""Latency of the check-in POST (the desk's scan) against a multi-process gunicorn.

Creates a fresh database (PostgreSQL by default), migrates it, creates one event with a day
running now and enough confirmed places, logs one organiser in per scanner, starts gunicorn,
and then times `POST /admin/events/<id>/checkin` answered in JSON:

1. a warm-up, untimed, so every worker has prepared its statements;
2. sequential: one scanner, one ticket after another;
3. concurrent: `--scanners` organisers scanning at once, each its own tickets, each waiting
   `--pace` seconds between its scans (a person at a door needs that long to hold up the
   next phone; `--pace 0` sends the next scan as soon as the answer is in, which saturates
   the server and measures its queue rather than a desk);
4. double scans: every ticket of a last batch scanned by two scanners at the same moment,
   which must give exactly one `checked_in` and one `already_checked_in` each.

Prints p50 and p99 latency of each timed phase, the HTTP statuses, the results and the
attendance rows counted in the database; drops the database. See bench/README.md.
"""

import argparse
import http.client
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from sqlalchemy import create_engine, func, select

# Run as a script from anywhere: the project root holds usht_events, tests and bench.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.signup_benchmark import checkpoint, fresh_database, machine_cpu_times
from tests.factories import Factories
from tests.servers import SECRET_KEY, GunicornServer
from usht_events import create_app
from usht_events.core.db import db, utcnow
from usht_events.registration.models import Attendance

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=400, help="timed scans, one by one")
    parser.add_argument("--scanners", type=int, default=10, help="concurrent scanners (10)")
    parser.add_argument("--per-scanner", type=int, default=60, help="scans per scanner (60)")
    parser.add_argument(
        "--pace", type=float, default=0.5, help="seconds between one scanner's scans (0.5)"
    )
    parser.add_argument("--double", type=int, default=50, help="tickets scanned twice at once")
    parser.add_argument("--warm-up", type=int, default=40, help="untimed scans first (40)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    return parser.parse_args(argv)


def create_course(database_url: str, tickets: int, organisers: int):
    """An event whose first day runs now, `tickets` confirmed places, and the organisers."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        try:
            make = Factories(db.session)
            centre = make.centre("ostfold", region=("3118", "3107"))
            now = utcnow()
            event = make.event(
                centre=centre, starts_at=now - timedelta(hours=1), days=2, capacity=tickets
            )
            people = [
                make.person(email=f"deltaker{n}@example.no", municipality="3118", name=f"P {n}")
                for n in range(tickets)
            ]
            codes = [make.registration(event, person).ticket_token for person in people]
            logins = [make.user(role="organiser", centre=centre) for _ in range(organisers)]
            db.session.commit()
            users = [(user.email, password) for user, password in logins]
            return event.id, event.sessions[0].id, codes, users
        finally:
            db.session.remove()
            db.engine.dispose()


class Scanner:
    """One organiser's phone: logged in, with its cookie and CSRF token."""

    def __init__(self, base_url: str, event_id: int, session_id: int):
        self.url = urlsplit(f"{base_url}/admin/events/{event_id}/checkin")
        self.base_url = base_url
        self.session_id = session_id
        self.headers: dict[str, str] = {}

    def log_in(self, email: str, password: str) -> None:
        """Log in through the form, then read the desk page's CSRF token."""
        with requests.Session() as browser:
            page = browser.get(f"{self.base_url}/login", timeout=60).text
            token = CSRF.search(page).group(1)
            form = {"email": email, "password": password, "csrf_token": token}
            answer = browser.post(f"{self.base_url}/login", data=form, timeout=60)
            answer.raise_for_status()
            desk = browser.get(self.url.geturl(), timeout=60)
            if desk.status_code != 200:
                raise SystemExit(f"the desk page answered {desk.status_code}")
            cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
            self.headers = {
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "X-CSRFToken": CSRF.search(desk.text).group(1),
            }

    def scan(self, code: str) -> tuple[int, str, float]:
        """POST one scan; (HTTP status, result, seconds)."""
        body = urlencode({"code": code, "session": self.session_id})
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=120)
        try:
            connection.request("POST", self.url.path, body=body, headers=self.headers)
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        match = re.search(rb'"result":\s*"(\w+)"', payload)
        return response.status, match.group(1).decode() if match else "", seconds


def percentiles(latencies: list[float]) -> str:
    """'p50 3.1 ms, p99 7.9 ms'."""
    cuts = statistics.quantiles(sorted(latencies), n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms"


def run_phase(
    scanners: list[Scanner], batches: list[list[str]], pace: float = 0.0
) -> tuple[list, float, float]:
    """Each scanner scans its own batch, all at once, `pace` seconds apart (its first scan
    at a random moment within the first `pace`); (answers, seconds, machine busy %)."""
    start = threading.Barrier(len(scanners))

    def work(index: int):
        start.wait()
        answers = []
        time.sleep(random.uniform(0, pace))
        for code in batches[index]:
            began = time.perf_counter()
            answers.append(scanners[index].scan(code))
            time.sleep(max(pace - (time.perf_counter() - began), 0))
        return answers

    machine_started = machine_cpu_times()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(scanners)) as pool:
        answers = [answer for part in pool.map(work, range(len(scanners))) for answer in part]
    seconds = time.perf_counter() - started
    busy, total = (
        end - begin for begin, end in zip(machine_started, machine_cpu_times(), strict=True)
    )
    return answers, seconds, busy / total * 100


def attendances(database_url: str) -> int:
    """Attendance rows counted in the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count(Attendance.id)))
    finally:
        engine.dispose()


def main(argv=None) -> None:
    """Set up, warm up, time the phases, count, report."""
    args = parse_args(argv)
    warm_each = max(args.warm_up // args.scanners, 1)
    tickets = (
        warm_each * args.scanners + args.sequential + args.scanners * args.per_scanner + args.double
    )
    with ExitStack() as stack:
        database_url = stack.enter_context(fresh_database(args.database, args.postgres_admin_url))
        event_id, session_id, codes, users = create_course(database_url, tickets, args.scanners + 1)
        server = stack.enter_context(GunicornServer(database_url, workers=args.workers))
        scanners = [Scanner(server.url, event_id, session_id) for _ in users]
        for scanner, (email, password) in zip(scanners, users, strict=True):
            scanner.log_in(email, password)
        sequential, crowd = scanners[0], scanners[1:]
        pending = iter(codes)

        def take(count: int) -> list[str]:
            return [next(pending) for _ in range(count)]

        warm = run_phase(crowd, [take(warm_each) for _ in crowd])[0]
        checkpoint(database_url)
        alone = [sequential.scan(code) for code in take(args.sequential)]
        together, seconds, busy = run_phase(
            crowd, [take(args.per_scanner) for _ in crowd], args.pace
        )
        double_codes = take(args.double)
        doubled = run_phase(crowd[:2], [double_codes, double_codes])[0]
        counted = attendances(database_url)

    answers = warm + alone + together + doubled
    statuses = sorted({status for status, _, _ in answers})
    print(f"sequential        {len(alone)} scans: {percentiles([s for *_, s in alone])}")
    print(
        f"concurrent        {len(crowd)} scanners {args.pace:g} s apart, {len(together)} scans: "
        f"{percentiles([s for *_, s in together])}, {len(together) / seconds:.0f} scans/s, "
        f"machine busy {busy:.0f} %"
    )
    print(f"workers           {args.workers} ({args.database})")
    print(f"statuses          {statuses}")
    print(f"5xx               {sum(status >= 500 for status, _, _ in answers)}")
    first = Counter(result for _, result, _ in warm + alone + together)
    print(f"results           {dict(sorted(first.items()))}")
    twice = Counter(result for _, result, _ in doubled)
    print(f"double-scans      {dict(sorted(twice.items()))} for {len(double_codes)} tickets")
    print(f"attendances       {counted} (expected {tickets})")


if __name__ == "__main__":
    main()
