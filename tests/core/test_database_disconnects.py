"""The database ends the app's connections (failover, restart, pooler timeout): never a 500.

The tests end the server processes behind the app's connections with pg_terminate_backend
between two requests, or in the middle of one, and check what the person gets: the page
as usual where running the work again is safe, otherwise 503 "prøv igjen" with Retry-After.
"""

import re
import time
from collections import Counter

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from tests.conftest import AuthActions, base_config
from tests.servers import terminate_connections
from usht_events import create_app
from usht_events.core import db as db_module
from usht_events.core.db import db
from usht_events.core.web import ERROR_MESSAGES
from usht_events.registration.models import Registration, RegistrationStatus

TRY_AGAIN = "Prøv igjen om litt"
TRY_AGAIN_EN = "Please try again in a moment"
SIGN_UP = {
    "name": "Kari Nordmann",
    "email": "kari@example.no",
    "phone": "912 34 567",
    "municipality": "3107",
    "workplace": "Gressvik sykehjem",
    "profession": "nurse",
    "needs": "",
    "consent": "y",
}


@pytest.fixture
def steady_use(monkeypatch):
    """The pool hands its connections out without a ping, as on a busy server: a dead
    connection is then found by the request's first statement (before, a 500)."""
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)


@pytest.fixture
def event(pg_app, make):
    make.municipality("3107")
    event = make.event(title="ProACT instruktørkurs", capacity=5)
    db.session.commit()
    return event


def _fail_over(app) -> None:
    """End every connection to the app's database, as a failover would."""
    assert terminate_connections(app.config["SQLALCHEMY_DATABASE_URI"]) > 0


def _served_on_first_run(caplog) -> bool:
    """No request needed running again, nor answered 503: the first statement's retry did it."""
    return not [r for r in caplog.records if "database unavailable" in r.getMessage()]


@pytest.mark.parametrize("path", ["/", "/events/{id}"])
def test_public_pages_answer_as_usual_after_the_connections_were_ended(
    pg_app, event, steady_use, path, caplog
):
    client = pg_app.test_client()
    address = path.format(id=event.id)
    assert client.get(address).status_code == 200
    _fail_over(pg_app)
    response = client.get(address)
    assert response.status_code == 200
    assert "ProACT instruktørkurs" in response.get_data(as_text=True)
    assert _served_on_first_run(caplog)


def test_organiser_overview_answers_as_usual_after_the_connections_were_ended(
    pg_app, make, steady_use, caplog
):
    user, password = make.user(role="organiser")
    db.session.commit()
    client = pg_app.test_client()
    assert AuthActions(client).login(user.email, password).status_code == 302
    assert client.get("/admin").status_code == 200
    _fail_over(pg_app)
    response = client.get("/admin")
    assert response.status_code == 200
    assert "Logg ut" in response.get_data(as_text=True)  # still logged in
    assert _served_on_first_run(caplog)


def test_sign_up_posted_after_the_connections_were_ended_is_saved_once(
    pg_app, event, steady_use, caplog
):
    client = pg_app.test_client()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(csrf_token|form_key)" type="hidden" value="([^"]+)"', page))
    _fail_over(pg_app)
    response = client.post(f"/events/{event.id}/register", data=hidden | SIGN_UP)
    assert response.status_code == 303
    assert "Du har plass" in client.get(response.location).get_data(as_text=True)
    statuses = db.session.scalars(
        select(Registration.status).where(Registration.event_id == event.id)
    ).all()
    assert statuses == [RegistrationStatus.CONFIRMED]
    assert _served_on_first_run(caplog)


@pytest.fixture
def midway_app(postgres_url, tmp_path):
    """An app of its own (own pool) with routes that lose their connection half-way.

    Each route reads, (on /after-commit: commits,) then ends its own server process on the
    first run only, and counts its runs.
    """
    app = create_app(base_config(postgres_url, tmp_path) | {"WTF_CSRF_ENABLED": False})
    app.runs = Counter()

    def lose_connection(committed: bool):
        app.runs[committed] += 1
        db.session.execute(text("SELECT 1"))
        if committed:
            db.session.commit()
            db.session.execute(text("SELECT 1"))
        if app.runs[committed] == 1:
            db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
            db.session.execute(text("SELECT 1"))
        return "ferdig"

    def lose_connection_after_last_statement():
        app.runs["after last"] += 1
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        _end_backend(postgres_url, pid)
        return "ferdig"

    methods = ["GET", "POST"]
    app.add_url_rule("/midway", "midway", lambda: lose_connection(False), methods=methods)
    app.add_url_rule("/after-commit", "after_commit", lambda: lose_connection(True))
    app.add_url_rule("/after-last", "after_last", lose_connection_after_last_statement)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _end_backend(database_url: str, pid: int) -> None:
    """End one server process from another connection, and wait until it has exited."""
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            time.sleep(0.01)


def test_a_connection_lost_after_the_last_statement_does_not_spoil_the_answer(midway_app):
    """The page read what it needed; closing its transaction then fails, harmlessly."""
    response = midway_app.test_client().get("/after-last")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ferdig"
    assert midway_app.runs["after last"] == 1


def test_a_get_that_lost_its_connection_half_way_is_run_again(midway_app):
    response = midway_app.test_client().get("/midway")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ferdig"
    assert midway_app.runs[False] == 2


def test_a_post_that_lost_its_connection_half_way_answers_503_try_again(midway_app):
    response = midway_app.test_client().post("/midway")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert TRY_AGAIN in response.get_data(as_text=True)
    assert midway_app.runs[False] == 1
    # The pool replaced the lost connection: the next request is served as usual.
    assert midway_app.test_client().get("/midway").status_code == 200


def test_a_get_that_committed_is_not_run_again(midway_app):
    response = midway_app.test_client().get("/after-commit?lang=en")
    assert response.status_code == 503
    assert TRY_AGAIN_EN in response.get_data(as_text=True)
    assert midway_app.runs[True] == 1


@pytest.fixture
def unreachable_app(tmp_path):
    """The app with its database out of reach: nothing listens on port 1."""
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    return create_app(base_config(url, tmp_path))


def test_pages_answer_503_try_again_when_the_database_is_out_of_reach(unreachable_app):
    client = unreachable_app.test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert TRY_AGAIN in page and '<html lang="nb"' in page
    english = client.get("/?lang=en")
    assert english.status_code == 503
    assert TRY_AGAIN_EN in english.get_data(as_text=True)
    # The language chosen stays with the session.
    assert TRY_AGAIN_EN in client.get("/events/1").get_data(as_text=True)


def test_api_answers_503_json_when_the_database_is_out_of_reach(unreachable_app):
    response = unreachable_app.test_client().get("/api/v1/events")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {"message": ERROR_MESSAGES[503][1]}


def test_logged_in_organiser_gets_503_not_500_when_the_database_is_out_of_reach(
    pg_app, make, unreachable_app
):
    user, password = make.user(role="organiser")
    db.session.commit()
    logged_in = pg_app.test_client()
    assert AuthActions(logged_in).login(user.email, password).status_code == 302
    client = unreachable_app.test_client()
    client.set_cookie("session", logged_in.get_cookie("session").value)
    response = client.get("/admin")
    assert response.status_code == 503
    assert TRY_AGAIN in response.get_data(as_text=True)
    # The page could not load the user, yet the person was not logged out.
    logged_in.set_cookie("session", client.get_cookie("session").value)
    assert logged_in.get("/admin").status_code == 200
