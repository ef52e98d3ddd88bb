"""Login attempts are rate-limited per client and per e-mail address, across processes."""

import pytest
import redis

from tests.conftest import base_config
from usht_events import create_app
from usht_events.core.db import db
from usht_events.core.extensions import LIMITER

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def limited_app(sqlite_url, tmp_path):
    """Make apps on the test database with the limiter on; dispose of them afterwards."""
    made = []

    def make(**settings):
        config = base_config(sqlite_url, tmp_path) | {
            "RATELIMIT_ENABLED": True,
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "LOGIN_RATE_LIMIT_PER_IP": "5 per minute",
        }
        app = create_app(config | settings)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _attempt(client, email="kari@example.no", address="10.0.0.1", path="/login"):
    return client.post(
        path,
        data={"email": email, "password": "feil passord"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_limiter_is_off_in_test_apps_unless_asked(app):
    assert app.extensions[LIMITER].enabled is False


def test_too_many_attempts_for_one_address_get_429_in_norwegian(app, limited_app):
    client = limited_app().test_client()
    assert [_attempt(client).status_code for _ in range(3)] == [401, 401, 401]
    response = _attempt(client)
    assert response.status_code == 429
    assert "For mange forsøk. Vent litt og prøv igjen." in response.get_data(as_text=True)
    # A one-minute window; the limiter rounds the reset time up to the next whole second.
    assert 0 < int(response.headers["Retry-After"]) <= 61


def test_limit_per_address_holds_from_another_client(app, limited_app):
    client = limited_app().test_client()
    for number in range(3):
        _attempt(client, address=f"10.0.0.{number}")
    assert _attempt(client, address="10.9.9.9").status_code == 429
    assert _attempt(client, email="annen@example.no", address="10.9.9.9").status_code == 401


def test_limit_per_client_holds_across_addresses(app, limited_app):
    client = limited_app().test_client()
    for number in range(5):
        assert _attempt(client, email=f"person{number}@example.no").status_code == 401
    assert _attempt(client, email="ny@example.no").status_code == 429


def test_only_posts_count(app, limited_app):
    client = limited_app().test_client()
    for _ in range(6):
        assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_reset_requests_are_limited_too(app, limited_app):
    client = limited_app().test_client()
    statuses = [_attempt(client, path="/login/reset").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_redis_storage_shares_the_limit_between_two_app_instances(app, limited_app):
    store = redis.Redis.from_url(REDIS_TEST_URL)
    store.flushdb()
    try:
        first = limited_app(RATELIMIT_STORAGE_URI=REDIS_TEST_URL).test_client()
        second = limited_app(RATELIMIT_STORAGE_URI=REDIS_TEST_URL).test_client()
        assert [_attempt(first).status_code for _ in range(3)] == [401, 401, 401]
        assert _attempt(second).status_code == 429
        assert store.keys("*usht-events*")
    finally:
        store.flushdb()
        store.close()


def test_redis_url_selects_redis_storage(monkeypatch, tmp_path):
    from usht_events import config

    monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == REDIS_TEST_URL
    monkeypatch.delenv("REDIS_URL")
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


def _attempt_via_proxy(client, forwarded_for: str, email: str):
    return client.post(
        "/login",
        data={"email": email, "password": "feil passord"},
        environ_base={"REMOTE_ADDR": "10.0.0.254"},  # the proxy
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_a_trusted_proxy_each_client_is_limited_by_its_own_address(app, limited_app):
    client = limited_app(TRUSTED_PROXIES=1).test_client()
    # Five people behind one nginx: each has a budget of its own.
    for person in range(5):
        for attempt in range(5):
            response = _attempt_via_proxy(client, f"192.0.2.{person}", f"p{person}-{attempt}@x.no")
            assert response.status_code == 401
    assert _attempt_via_proxy(client, "192.0.2.0", "p0-last@x.no").status_code == 429


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(app, limited_app):
    client = limited_app().test_client()
    # Made-up X-Forwarded-For headers do not give an attacker fresh budgets.
    statuses = [
        _attempt_via_proxy(client, f"192.0.2.{n}", f"p{n}@x.no").status_code for n in range(6)
    ]
    assert statuses == [401] * 5 + [429]
