"""Login attempts are rate-limited per client and per e-mail address, across processes."""

import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from tests.conftest import base_config
from tests.servers import GunicornServer, flask_db_upgrade
from usht_events import config, create_app
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
    # Its own key prefix: other test runs share this Redis database.
    settings = {"RATELIMIT_STORAGE_URI": REDIS_TEST_URL, "RATELIMIT_KEY_PREFIX": _unique_prefix()}
    store = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        first = limited_app(**settings).test_client()
        second = limited_app(**settings).test_client()
        assert [_attempt(first).status_code for _ in range(3)] == [401, 401, 401]
        assert _attempt(second).status_code == 429
        assert _keys(store, settings["RATELIMIT_KEY_PREFIX"])
    finally:
        _forget(store, settings["RATELIMIT_KEY_PREFIX"])


def _unique_prefix() -> str:
    return f"usht-test-{uuid.uuid4().hex}"


def _keys(store: redis.Redis, prefix: str) -> list:
    """The limiter's keys under this prefix (Flask-Limiter writes LIMITS:LIMITER/<prefix>/...)."""
    return list(store.scan_iter(f"*/{prefix}/*"))


def _forget(store: redis.Redis, prefix: str) -> None:
    for key in _keys(store, prefix):
        store.delete(key)
    store.close()


def test_redis_url_selects_redis_storage(monkeypatch, tmp_path):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == REDIS_TEST_URL
    monkeypatch.delenv("REDIS_URL")
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


def test_ratelimit_storage_uri_is_used_whatever_redis_url_says(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.fixture
def production(monkeypatch, tmp_path):
    """A production environment with neither REDIS_URL nor RATELIMIT_STORAGE_URI."""
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI", *config.DEBUG_SWITCHES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USHT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    return monkeypatch


def test_production_refuses_to_start_without_redis_url(production):
    with pytest.raises(config.ConfigurationError) as refused:
        create_app()
    assert "REDIS_URL must be set in production" in str(refused.value)
    assert "RATELIMIT_STORAGE_URI=memory://" in str(refused.value)


def test_production_refuses_memory_storage_it_was_not_told_about(production):
    # Memory storage from create_app's settings is not the operator's statement.
    with pytest.raises(config.ConfigurationError, match="REDIS_URL"):
        create_app({"RATELIMIT_STORAGE_URI": "memory://"})


def test_production_counts_in_redis_with_redis_url(production):
    production.setenv("REDIS_URL", REDIS_TEST_URL)
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_TEST_URL


def test_production_counts_in_memory_only_when_told_so(production):
    production.setenv("RATELIMIT_STORAGE_URI", "memory://")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.extensions[LIMITER].enabled is True


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


# Four gunicorn workers, one e-mail address, 60 attempts at once: the per-address limit is
# what is measured, so the per-client one (everyone is 127.0.0.1 here) is set out of reach.
WORKERS, ATTEMPTS, LIMIT = 4, 60, 10
SERVER_LIMITS = {
    "LOGIN_RATE_LIMIT": f"{LIMIT} per hour",
    "LOGIN_RATE_LIMIT_PER_IP": "1000 per hour",
}


def _attempts_at_once(base_url: str) -> Counter:
    """Load the login form once, then post a wrong password ATTEMPTS times in parallel."""
    with requests.Session() as browser:
        page = browser.get(f"{base_url}/login", timeout=60)
        cookies = browser.cookies.get_dict()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    form = {"email": "kari@example.no", "password": "feil passord", "csrf_token": token}

    def attempt(_):
        response = requests.post(
            f"{base_url}/login", data=form, cookies=cookies, allow_redirects=False, timeout=120
        )
        return response.status_code

    with ThreadPoolExecutor(12) as pool:
        return Counter(pool.map(attempt, range(ATTEMPTS)))


@pytest.fixture
def migrated_sqlite_url(empty_sqlite_url):
    flask_db_upgrade(empty_sqlite_url)
    return empty_sqlite_url


def test_with_redis_four_workers_together_let_through_no_more_than_the_limit(migrated_sqlite_url):
    prefix = _unique_prefix()
    store = redis.Redis.from_url(REDIS_TEST_URL)
    env = SERVER_LIMITS | {"REDIS_URL": REDIS_TEST_URL, "RATELIMIT_KEY_PREFIX": prefix}
    try:
        with GunicornServer(migrated_sqlite_url, workers=WORKERS, env=env) as server:
            statuses = _attempts_at_once(server.url)
            assert statuses == Counter({401: LIMIT, 429: ATTEMPTS - LIMIT}), server.log()[-4000:]
        assert _keys(store, prefix), "the count was not kept in Redis under the prefix"
    finally:
        _forget(store, prefix)


def test_control_counting_per_worker_lets_more_than_the_limit_through(migrated_sqlite_url):
    """Control: the same attempts against memory storage, each worker counting on its own."""
    env = SERVER_LIMITS | {"RATELIMIT_STORAGE_URI": "memory://"}
    with GunicornServer(migrated_sqlite_url, workers=WORKERS, env=env) as server:
        statuses = _attempts_at_once(server.url)
    assert statuses[401] > LIMIT, statuses
    assert statuses[401] + statuses[429] == ATTEMPTS, statuses
