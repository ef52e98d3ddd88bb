"""Fixtures every test area uses: the app on SQLite and PostgreSQL, factories, clients, mail."""

import contextvars
import os
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.factories import Factories
from tests.smtp import SmtpSink
from usht_events import create_app
from usht_events.core.db import db, sqlite_begin_mode

# The PostgreSQL server every machine of ours runs; tests make their own database on it.
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def base_config(database_url: str, instance_path: Path) -> dict:
    """Settings shared by every test app."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://usht.test",
        "SERVER_NAME": None,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens there; tests that send mail use smtp_sink
        "MAIL_SUPPRESS_SEND": False,  # mail really goes out over SMTP in tests
    }


def _temporary_postgres_database():
    """Create an empty PostgreSQL database, yield its URL, drop it afterwards."""
    name = f"usht_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    yield from _temporary_postgres_database()


@pytest.fixture
def empty_postgres_url():
    """An empty PostgreSQL database for one test (migrations, subprocess servers)."""
    yield from _temporary_postgres_database()


@pytest.fixture
def empty_sqlite_url(tmp_path):
    """A path for a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'empty.sqlite'}"


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    """A SQLite file (not :memory:) for this test run."""
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'usht_test.sqlite'}"


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's app context.

    Tests hold an app context for their own database work; a request made inside it would
    share `g` and the database session with the test, which no real request ever does.
    """

    def open(self, *args, **kwargs):
        # What the test set up must be visible to the request, and the request's changes
        # to the test afterwards (SQLite keeps a reader on its snapshot otherwise).
        db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.expire_all()


def _make_app(database_url: str, instance_path: Path):
    app = create_app(base_config(database_url, instance_path))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_app(sqlite_url, tmp_path_factory):
    yield from _make_app(sqlite_url, tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="session")
def _postgres_app(postgres_url, tmp_path_factory):
    yield from _make_app(postgres_url, tmp_path_factory.mktemp("instance"))


def _clean(app) -> None:
    """Empty every table, children first, so each test starts from nothing."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def _app_fixture(request, app):
    _clean(app)
    # The test's own session only sets up and inspects data; it must not hold SQLite's write
    # lock while the requests it makes try to write.
    token = sqlite_begin_mode.set("DEFERRED")
    with app.app_context():
        yield app
        db.session.remove()
    sqlite_begin_mode.reset(token)


@pytest.fixture
def app(request, _sqlite_app):
    """The app on a SQLite file, with empty tables and an app context."""
    yield from _app_fixture(request, _sqlite_app)


@pytest.fixture
def pg_app(request, _postgres_app):
    """The app on PostgreSQL, with empty tables and an app context."""
    yield from _app_fixture(request, _postgres_app)


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(request):
    """The app on each database in turn, for rules that must hold on both."""
    yield request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


@pytest.fixture
def make(request):
    """Factories for model objects on whichever app the test uses."""
    return Factories(db.session)


@pytest.fixture
def client(app):
    """A test client on the SQLite app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner on the SQLite app."""
    return app.test_cli_runner()


class AuthActions:
    """Log a test client in and out through the real login form."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str):
        page = self._client.get("/login")
        token = _csrf_token(page.get_data(as_text=True))
        return self._client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        page = self._client.get("/")
        token = _csrf_token(page.get_data(as_text=True))
        return self._client.post("/logout", data={"csrf_token": token})


def _csrf_token(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def csrf_token():
    """Read the CSRF token out of a rendered page."""
    return _csrf_token


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(app, make):
    """Return a client logged in as a new user of the given role."""

    def log_in(role: str, **bindings):
        user, password = make.user(role=role, **bindings)
        db.session.commit()
        client = app.test_client()
        response = AuthActions(client).login(user.email, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user
        return client

    return log_in


@pytest.fixture
def smtp_sink():
    """A real SMTP server (aiosmtpd) on a free local port, collecting what it receives."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """argon2 at production cost makes every login in the suite take most of a second."""
    from argon2 import PasswordHasher

    from usht_events.accounts import passwords

    saved = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = saved
