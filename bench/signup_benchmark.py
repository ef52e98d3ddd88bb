"""Sign-up throughput through the public form against a multi-process gunicorn.

Creates a fresh database (PostgreSQL by default), migrates it, creates one event, starts
gunicorn, loads every client's form first and then times only the POSTs. Prints sign-ups
per second, latency, the counts and whether the event was overbooked; drops the database.
See bench/README.md.
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

# Run as a script from anywhere: the project root holds usht_events and tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import (
    GunicornServer,
    SignUpClient,
    create_open_event,
    flask_db_upgrade,
)
from usht_events.registration.models import Registration, RegistrationStatus

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# USHT Østfold's region: where nearly everyone signing up for its courses works.
OSTFOLD = ("3101", "3103", "3105", "3107", "3110", "3112", "3114", "3116", "3118", "3120")


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ups", type=int, default=400, help="POSTs to time (400)")
    parser.add_argument("--threads", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--capacity", type=int, default=150, help="the event's capacity (150)")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=40,
        help="untimed sign-ups for another event first, so each worker has prepared its "
        "statements and warmed its caches (40)",
    )
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--url", help="use this running server instead of starting one")
    parser.add_argument("--event-id", type=int, help="with --url: the event to sign up for")
    return parser.parse_args(argv)


@contextmanager
def fresh_database(database: str = "postgres", postgres_admin_url: str = POSTGRES_ADMIN_URL):
    """A new, migrated database (usht_bench_<random> on PostgreSQL, or a SQLite file);
    yields its URL and drops it afterwards."""
    if database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite"
            flask_db_upgrade(url)
            yield url
        return
    name = f"usht_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgres_admin_url).set(database=name)
        url = url.render_as_string(hide_password=False)
        flask_db_upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def load_forms(base_url: str, event_id: int, args: argparse.Namespace) -> list[SignUpClient]:
    """One client per sign-up, each with its own cookie, CSRF token and form key."""
    clients = [SignUpClient(base_url, event_id) for _ in range(args.sign_ups)]
    with ThreadPoolExecutor(args.threads) as pool:
        started = time.perf_counter()
        statuses = list(pool.map(SignUpClient.load_form, clients))
        seconds = time.perf_counter() - started
    if set(statuses) != {200}:
        raise SystemExit(f"loading the forms failed: {sorted(set(statuses))}")
    # Each person loads the event page before posting; this phase is not in the figure below.
    print(f"event page loads  {len(clients) / seconds:.1f}/s ({seconds:.2f} s, untimed phase)")
    return clients


def post_all(clients: list[SignUpClient], threads: int) -> tuple[float, list[tuple[int, float]]]:
    """POST every form at once; return the wall time and (status, seconds) per POST."""
    run = uuid.uuid4().hex[:6]

    def post(numbered: tuple[int, SignUpClient]) -> tuple[int, float]:
        n, client = numbered
        started = time.perf_counter()
        response = client.submit(f"bench-{run}-{n}@example.no", OSTFOLD[n % len(OSTFOLD)])
        return response.status_code, time.perf_counter() - started

    with ThreadPoolExecutor(threads) as pool:
        machine_started = machine_cpu_times()
        started, cpu_started = time.perf_counter(), time.process_time()
        results = list(pool.map(post, enumerate(clients)))
        seconds = time.perf_counter() - started
        busy, total = (
            end - start for start, end in zip(machine_started, machine_cpu_times(), strict=True)
        )
    # The client shares the machine's cores with the server: say how much it took.
    client_cpu = time.process_time() - cpu_started
    print(
        f"client CPU        {client_cpu:.2f} s ({client_cpu / len(clients) * 1000:.1f} ms per sign-up)"
    )
    # Below 100 %, something other than CPU (a lock, the network) limits the throughput.
    print(f"machine CPU busy  {busy / total * 100:.0f} % of all cores during the POSTs")
    return seconds, results


def machine_cpu_times() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot, from /proc/stat (Linux)."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def confirmed_in_database(database_url: str | None, event_id: int) -> int | None:
    """Confirmed registrations counted in the database itself, when we own it."""
    if database_url is None:
        return None
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(func.count(Registration.id)).where(
                    Registration.event_id == event_id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
            )
    finally:
        engine.dispose()


def report(args, seconds, results, api: dict, db_confirmed: int | None) -> None:
    """Print the figures."""
    latencies = sorted(latency for _, latency in results)
    quantiles = statistics.quantiles(latencies, n=100)
    statuses = sorted({status for status, _ in results})
    confirmed = api["confirmed"] if db_confirmed is None else db_confirmed
    print(f"sign-ups          {len(results)} POSTs, {args.threads} threads, {args.workers} workers")
    print(f"throughput        {len(results) / seconds:.1f} sign-ups/s ({seconds:.2f} s)")
    print(f"latency           p50 {quantiles[49] * 1000:.0f} ms, p95 {quantiles[94] * 1000:.0f} ms")
    print(f"statuses          {statuses}")
    print(f"5xx               {sum(status >= 500 for status, _ in results)}")
    print(f"confirmed         {confirmed} (API {api['confirmed']}, capacity {api['capacity']})")
    print(f"waitlisted        {api['waitlisted']}")
    print(f"overbooked        {'YES' if confirmed > api['capacity'] else 'no'}")


def warm_up(base_url: str, event_id: int, args: argparse.Namespace) -> None:
    """Sign up for the warm-up event, untimed: the figure is for a server in steady state."""
    clients = [SignUpClient(base_url, event_id) for _ in range(args.warm_up)]
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(SignUpClient.load_form, clients))
        statuses = set(
            pool.map(lambda n: clients[n].submit(f"warm-{n}@example.no", OSTFOLD[0]).status_code,
                     range(len(clients)))
        )  # fmt: skip
    for client in clients:
        client.close()
    if statuses - {303}:
        raise SystemExit(f"the warm-up sign-ups failed: {sorted(statuses)}")


def checkpoint(database_url: str | None) -> None:
    """Flush what earlier work left in PostgreSQL's buffers, so the timed phase does not pay."""
    if database_url is None or not database_url.startswith("postgresql"):
        return
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("CHECKPOINT"))
    finally:
        engine.dispose()


def run(
    args: argparse.Namespace,
    base_url: str,
    event_id: int,
    database_url: str | None,
    warm_up_event_id: int | None = None,
) -> None:
    """Warm up, load the forms, time the POSTs, count, report."""
    if warm_up_event_id is not None and args.warm_up:
        warm_up(base_url, warm_up_event_id, args)
    clients = load_forms(base_url, event_id, args)
    checkpoint(database_url)
    try:
        seconds, results = post_all(clients, args.threads)
    finally:
        for client in clients:
            client.close()
    with requests.get(f"{base_url}/api/v1/events/{event_id}", timeout=60) as response:
        api = response.json()
    report(args, seconds, results, api, confirmed_in_database(database_url, event_id))


def main(argv=None) -> None:
    """Run the benchmark against our own server, or the one given with --url."""
    args = parse_args(argv)
    if args.url:
        if args.event_id is None:
            raise SystemExit("--url needs --event-id")
        run(args, args.url.rstrip("/"), args.event_id, None)
        return
    with ExitStack() as stack:
        database_url = stack.enter_context(fresh_database(args.database, args.postgres_admin_url))
        event_id = create_open_event(
            database_url, capacity=args.capacity, municipalities=OSTFOLD, all_municipalities=True
        )
        warm_up_event_id = create_open_event(
            database_url, capacity=max(args.warm_up, 1), municipalities=OSTFOLD
        )
        server = stack.enter_context(GunicornServer(database_url, workers=args.workers))
        run(args, server.url, event_id, database_url, warm_up_event_id)


if __name__ == "__main__":
    main()
