"""Session cookies, fixation, and the security headers on every response."""

import re

from usht_events import config, create_app
from usht_events.core.db import db


def _session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_production_cookies_are_secure_httponly_and_lax(monkeypatch, tmp_path):
    monkeypatch.setenv("USHT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    settings = config.load(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_carries_the_flags_over_https(sqlite_url, tmp_path):
    from tests.conftest import base_config

    app = create_app(base_config(sqlite_url, tmp_path) | {"SESSION_COOKIE_SECURE": True})
    response = app.test_client().get("/login", base_url="https://usht.test")
    cookie = _session_cookie(response)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    with app.app_context():
        db.engine.dispose()


def test_development_cookie_is_httponly_and_lax(app, client):
    cookie = _session_cookie(client.get("/login"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_login_starts_a_fresh_session(app, client, auth, make):
    _, password = make.user(role="admin", email="admin@example.no")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "en"
    assert auth.login("admin@example.no", password).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"
        assert "_user_id" in session


def test_login_follows_next_only_inside_the_app(app, client, make, csrf_token):
    _, password = make.user(role="admin", email="admin@example.no")
    # An unsafe target is ignored: an administrator lands on the overview instead.
    for target, expected in (("/events", "/events"), ("https://evil.example/", "/admin")):
        page = client.get("/login")
        response = client.post(
            f"/login?next={target}",
            data={
                "email": "admin@example.no",
                "password": password,
                "csrf_token": csrf_token(page.get_data(as_text=True)),
            },
        )
        assert response.headers["Location"] == expected


def test_security_headers_on_every_response(app, client):
    for path in ("/login", "/login/reset", "/finnes-ikke"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert re.search(r"script-src 'self'(;|$)", policy)
        assert "unsafe-inline" not in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_account_pages_have_no_inline_script(app, client, login_as):
    pages = [client.get("/login"), client.get("/login/reset")]
    admin = login_as("admin")
    pages += [
        admin.get("/account/password"),
        admin.get("/admin/users"),
        admin.get("/admin/users/new"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.get_data(as_text=True))
