"""A real gunicorn serving the app as a subprocess, and a migrated database with one open event.

The concurrency tests and the sign-up benchmark use these: several worker processes, one
database, and nothing shared between the workers but the database and the secret key.
"""

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import requests
from sqlalchemy.engine import make_url

from tests.factories import Factories
from usht_events import create_app
from usht_events.core.db import db
from usht_events.organisations.rules import load_municipalities

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Every worker signs the session cookie (and with it the CSRF token) with this key.
SECRET_KEY = "concurrency-tests-secret-key-shared-by-every-gunicorn-worker"
LISTENING = re.compile(r"Listening at: (http://\S+)")


def flask_db_upgrade(database_url: str) -> None:
    """Migrate the database with the public command, as an operator would."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "usht_events", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"flask db upgrade failed:\n{result.stderr}"


def create_open_event(
    database_url: str,
    *,
    capacity: int,
    municipalities: tuple[str, ...],
    seats_per_municipality: int | None = None,
    min_participants: int | None = None,
    all_municipalities: bool = False,
) -> int:
    """Create a published event open for sign-up (waiting list on); return its id."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        try:
            if all_municipalities:
                load_municipalities(db.session)
            make = Factories(db.session)
            centre = make.centre("ostfold", region=municipalities)
            event = make.event(
                centre=centre,
                capacity=capacity,
                seats_per_municipality=seats_per_municipality,
                min_participants=min_participants,
                waitlist_enabled=True,
            )
            db.session.commit()
            return event.id
        finally:
            db.session.remove()
            db.engine.dispose()


def terminate_connections(database_url: str) -> int:
    """End every other server process connected to the database, as a failover would.

    Waits until they have exited, so the app's next statement finds its connections dead
    rather than racing the server. Returns how many were ended.
    """
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        # In the select list, not the WHERE clause: only rows that passed the filter are
        # ended (PostgreSQL may evaluate WHERE conditions in any order).
        ended = [
            pid
            for pid, signalled in admin.execute(
                "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if signalled
        ]
        deadline = time.monotonic() + 30
        while admin.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (ended,)
        ).fetchone():
            if time.monotonic() > deadline:
                raise RuntimeError(f"server processes {ended} did not exit")
            time.sleep(0.01)
    return len(ended)


class GunicornServer:
    """`gunicorn --workers N wsgi:app` on a free local port, against one DATABASE_URL.

    `app_module` names another entry point (tests/race_wsgi.py for the race's control run).
    """

    def __init__(
        self,
        database_url: str,
        workers: int = 4,
        env: dict | None = None,
        app_module: str = "wsgi:app",
    ):
        self.database_url = database_url
        self.workers = workers
        self.extra_env = env or {}
        self.app_module = app_module
        self.url = ""
        self._process: subprocess.Popen | None = None
        self._log_path = ""

    def __enter__(self) -> "GunicornServer":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
        self.remove_log()

    def start(self, timeout: float = 60) -> None:
        """Start gunicorn and wait until /healthz answers 200."""
        handle, self._log_path = tempfile.mkstemp(prefix="gunicorn-", suffix=".log")
        env = dict(os.environ, DATABASE_URL=self.database_url, SECRET_KEY=SECRET_KEY)
        env.update(self.extra_env)
        command = [
            *(sys.executable, "-m", "gunicorn", "--chdir", str(PROJECT_ROOT)),
            *("--workers", str(self.workers), "--bind", "127.0.0.1:0"),
            # A long worker timeout: on a busy machine a queued request must not be killed.
            *("--timeout", "120", "--graceful-timeout", "5"),
            # Import the app once and fork (it opens no connection before the fork); and no
            # shared ~/.gunicorn control socket between servers running side by side.
            *("--preload", "--no-control-socket", self.app_module),
        ]
        with os.fdopen(handle, "wb") as log:
            # Its own process group, so teardown can stop the master and every worker.
            self._process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        try:
            self._wait_until_healthy(time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            if not self.url:
                match = LISTENING.search(self.log())
                self.url = match.group(1) if match else ""
            if self.url and self._healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not become healthy in time:\n{self.log()}")

    def _healthy(self) -> bool:
        try:
            with requests.get(f"{self.url}/healthz", timeout=5) as response:
                return response.status_code == 200
        except requests.RequestException:
            # Refused before the master binds; timed out while the workers still boot.
            return False

    def log(self) -> str:
        """What gunicorn and the app wrote to stderr so far (tracebacks of 500s included)."""
        if not self._log_path:
            return ""
        return Path(self._log_path).read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the master and its workers; kill them if they do not stop in time."""
        process, self._process = self._process, None
        if process is None:
            return
        for sig, grace in ((signal.SIGINT, 15), (signal.SIGKILL, 15)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        process.wait()
        # Workers outlive a killed master only briefly; make sure none is left behind.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def remove_log(self) -> None:
        """Delete the captured stderr file."""
        if self._log_path:
            Path(self._log_path).unlink(missing_ok=True)
            self._log_path = ""


@dataclass(frozen=True)
class PostResponse:
    """What a POST answered: enough for the race tests and the benchmark."""

    status_code: int
    headers: dict[str, str]


class SignUpClient:
    """One browser: loads the event page (CSRF cookie, token, form key), then posts the form.

    The POST goes through the standard library's http.client rather than requests: the
    benchmark's client shares the two cores with the server, and requests spends about
    2 ms of CPU per POST on cookie jars and adapters that a single form post does not need.
    """

    FIELD = r'name="{}" type="hidden" value="([^"]+)"'

    def __init__(self, base_url: str, event_id: int):
        self.form_url = f"{base_url}/events/{event_id}"
        self.session = requests.Session()
        self.hidden: dict[str, str] = {}
        self._cookie = ""

    def load_form(self) -> int:
        """GET the event page and keep its hidden fields and cookie; return the HTTP status."""
        with self.session.get(self.form_url, timeout=60) as page:
            for name in ("csrf_token", "form_key"):
                match = re.search(self.FIELD.format(name), page.text)
                if match:
                    self.hidden[name] = match.group(1)
            self._cookie = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
            return page.status_code

    def submit(self, email: str, municipality: str) -> PostResponse:
        """POST the filled-in form without following the redirect."""
        data = self.hidden | {
            "name": "Kari Nordmann",
            "email": email,
            "phone": "912 34 567",
            "municipality": municipality,
            "workplace": "Gressvik sykehjem",
            "profession": "nurse",
            "needs": "",
            "consent": "y",
        }
        url = urlsplit(f"{self.form_url}/register")
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        try:
            connection.request(
                "POST",
                url.path,
                body=urlencode(data),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": self._cookie,
                },
            )
            response = connection.getresponse()
            response.read()
            return PostResponse(response.status, dict(response.getheaders()))
        finally:
            connection.close()

    def close(self) -> None:
        """Close the client's connections."""
        self.session.close()
