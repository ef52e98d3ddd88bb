"""Two organisers cancel the same event at the same moment, on PostgreSQL through gunicorn:
one cancels it, the other is told calmly that it is already cancelled, and nobody sees a 500."""

import re
import threading
from urllib.parse import urljoin

import pytest
import requests
from sqlalchemy import func, select

from tests.factories import Factories
from tests.servers import SECRET_KEY, GunicornServer, flask_db_upgrade
from usht_events import create_app
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage

pytestmark = pytest.mark.postgres

PARTICIPANTS = 20
ROUNDS = 3


def _set_up(database_url: str) -> tuple[list[int], list[tuple[str, str]]]:
    """Events with participants to tell (so the first cancel holds the lock a while)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        try:
            make = Factories(db.session)
            centre = make.centre("ostfold")
            events = [make.event(centre=centre, capacity=50) for _ in range(ROUNDS)]
            for event in events:
                for _ in range(PARTICIPANTS):
                    make.registration(event)
            organisers = [make.user(role="organiser", centre=centre) for _ in range(2)]
            db.session.commit()
            return [e.id for e in events], [(u.email, password) for u, password in organisers]
        finally:
            db.session.remove()
            db.engine.dispose()


def _logged_in(base_url: str, email: str, password: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base_url}/login", timeout=60).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = browser.post(
        f"{base_url}/login",
        data={"email": email, "password": password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302
    return browser


def _count(database_url: str, query) -> int:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        try:
            return db.session.scalar(query)
        finally:
            db.session.remove()
            db.engine.dispose()


def _cancel_at_once(browsers: list[requests.Session], url: str) -> list[tuple[int, str]]:
    """Every browser posts the cancel form at the same moment; each then reads the page."""
    field = r'name="csrf_token"[^>]*value="([^"]+)"'
    tokens = [re.search(field, browser.get(url, timeout=60).text)[1] for browser in browsers]
    start = threading.Barrier(len(browsers))
    outcomes = []

    def cancel(browser: requests.Session, token: str) -> None:
        start.wait()
        answer = browser.post(
            url,
            data={"csrf_token": token, "reason": "Kursholder er syk."},
            allow_redirects=False,
            timeout=120,
        )
        page = browser.get(urljoin(url, answer.headers.get("Location", "")), timeout=60).text
        outcomes.append((answer.status_code, page))

    threads = [
        threading.Thread(target=cancel, args=pair) for pair in zip(browsers, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcomes


def test_two_organisers_cancelling_at_once_cancel_once_without_a_500(empty_postgres_url):
    flask_db_upgrade(empty_postgres_url)
    event_ids, organisers = _set_up(empty_postgres_url)
    outcomes = []
    with GunicornServer(empty_postgres_url, workers=4) as server:
        browsers = [_logged_in(server.url, *login) for login in organisers]
        for event_id in event_ids:
            outcomes += _cancel_at_once(browsers, f"{server.url}/admin/events/{event_id}/cancel")
        log = server.log()

    assert [status for status, _ in outcomes] == [302] * 2 * ROUNDS, log
    told = [page for _, page in outcomes if "påmeldte har fått e-post" in page]
    calm = [page for _, page in outcomes if "allerede avlyst" in page]
    assert (len(told), len(calm)) == (ROUNDS, ROUNDS)
    cancels = select(func.count()).where(AuditEntry.action == "event.cancel")
    assert _count(empty_postgres_url, cancels) == ROUNDS
    mails = select(func.count()).where(OutboxMessage.kind == "event_cancelled")
    assert _count(empty_postgres_url, mails) == ROUNDS * PARTICIPANTS
