"""Logging in and out through /login."""

import pytest

from tests.factories import TEST_PASSWORD
from usht_events.accounts.sessions import live_login_session
from usht_events.accounts.views import safe_next_url
from usht_events.core.db import db


def _logged_in_user_id(client) -> int | None:
    """Whose live login session the client's cookie names, if any."""
    with client.session_transaction() as session:
        token = session.get("_user_id")
    login = live_login_session(db.session, token) if token else None
    return login.user_id if login else None


def test_login_with_right_password_redirects_and_remembers_the_user(app, client, auth, make):
    user, password = make.user(role="admin", email="admin@example.no")
    db.session.commit()
    response = auth.login("ADMIN@example.no", password)
    assert response.status_code == 302
    assert _logged_in_user_id(client) == user.id


def test_login_with_wrong_password_says_so_in_norwegian(app, client, auth, make):
    make.user(role="admin", email="admin@example.no")
    db.session.commit()
    response = auth.login("admin@example.no", "feil passord")
    assert response.status_code == 401
    assert "Feil e-post eller passord." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(app, auth):
    response = auth.login("ingen@example.no", TEST_PASSWORD)
    assert response.status_code == 401
    assert "Feil e-post eller passord." in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(app, auth, make):
    user, password = make.user(role="admin", email="admin@example.no")
    user.active = False
    db.session.commit()
    assert auth.login("admin@example.no", password).status_code == 401


def test_login_without_csrf_token_is_refused(app, client, make):
    make.user(role="admin", email="admin@example.no")
    db.session.commit()
    response = client.post("/login", data={"email": "admin@example.no", "password": "x"})
    assert response.status_code == 400
    assert "Skjemaet" in response.get_data(as_text=True)


def test_logout_forgets_the_user(app, client, auth, make):
    _, password = make.user(role="admin", email="admin@example.no")
    db.session.commit()
    auth.login("admin@example.no", password)
    assert auth.logout().status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_login_as_fixture_gives_a_logged_in_client_per_role(login_as):
    for role in ("admin", "organiser", "municipality"):
        client = login_as(role)
        assert _logged_in_user_id(client) == client.user.id


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/events/3", "/events/3"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_next_parameter_only_leads_back_into_the_app(target, expected):
    assert safe_next_url(target) == expected
