"""Login sessions live on the server: a copied cookie dies with the session it names."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import AuthActions
from tests.factories import TEST_PASSWORD
from usht_events.accounts.models import LoginSession
from usht_events.core.db import db, utcnow

NEW_PASSWORD = "et helt nytt og langt passord"


def _copy_of(client, app):
    """Another browser holding a copy of the client's session cookie."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _logins(user) -> list[LoginSession]:
    return list(
        db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        )
    )


def _post(client, csrf_token, path, data, page_path):
    page = client.get(page_path)
    return client.post(path, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_a_cookie_copied_before_logout_no_longer_opens_admin(app, login_as):
    client = login_as("organiser")
    copy = _copy_of(client, app)
    assert copy.get("/admin").status_code == 200
    assert AuthActions(client).logout().status_code == 302
    assert _sent_to_login(copy.get("/admin"))
    assert _sent_to_login(client.get("/admin"))
    (login,) = _logins(client.user)
    assert login.ended_at is not None


def test_logging_out_ends_only_that_session(app, login_as):
    client = login_as("organiser")
    elsewhere = app.test_client()
    assert AuthActions(elsewhere).login(client.user.email, TEST_PASSWORD).status_code == 302
    AuthActions(client).logout()
    assert elsewhere.get("/admin").status_code == 200


def test_a_password_change_ends_every_other_session_and_its_copies(app, login_as, csrf_token):
    client = login_as("organiser")
    elsewhere = app.test_client()
    assert AuthActions(elsewhere).login(client.user.email, TEST_PASSWORD).status_code == 302
    copy_elsewhere = _copy_of(elsewhere, app)
    copy_here = _copy_of(client, app)
    data = {
        "current_password": TEST_PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = _post(client, csrf_token, "/account/password", data, "/account/password")
    assert response.status_code == 302
    assert _sent_to_login(elsewhere.get("/admin"))
    assert _sent_to_login(copy_elsewhere.get("/admin"))
    # The session that made the change carries on, on every copy of its cookie.
    assert client.get("/admin").status_code == 200
    assert copy_here.get("/admin").status_code == 200
    assert [login.ended_at is None for login in _logins(client.user)] == [True, False]


def test_a_password_reset_ends_every_session(app, make, csrf_token):
    from usht_events.accounts.reset import make_reset_token

    user, password = make.user(role="organiser")
    db.session.commit()
    logged_in = app.test_client()
    assert AuthActions(logged_in).login(user.email, password).status_code == 302
    copy = _copy_of(logged_in, app)
    path = f"/login/reset/{make_reset_token(app.config['SECRET_KEY'], user)}"
    data = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert _post(app.test_client(), csrf_token, path, data, path).status_code == 302
    assert _sent_to_login(copy.get("/admin"))
    assert all(login.ended_at is not None for login in _logins(user))


def test_deactivation_ends_the_users_sessions_for_good(app, login_as, csrf_token):
    admin = login_as("admin")
    organiser = login_as("organiser")
    copy = _copy_of(organiser, app)
    user = organiser.user
    path = f"/admin/users/{user.id}"
    form = {"role": "organiser", "centre": str(user.centre_id), "name": user.name}
    assert _post(admin, csrf_token, path, form, path).status_code == 302
    assert _sent_to_login(organiser.get("/admin"))
    # Reactivated, the user logs in again; the old cookie (and its copy) stays dead.
    assert _post(admin, csrf_token, path, form | {"active": "y"}, path).status_code == 302
    db.session.refresh(user)
    assert user.active
    assert _sent_to_login(organiser.get("/admin"))
    assert _sent_to_login(copy.get("/admin"))
    assert admin.get("/admin").status_code == 200


def test_the_cookie_holds_a_random_token_and_the_table_only_its_hash(app, client, make):
    user, password = make.user(role="admin")
    db.session.commit()
    AuthActions(client).login(user.email, password)
    with client.session_transaction() as session:
        token = session["_user_id"]
    (login,) = _logins(user)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert str(user.id) != token and user.email not in token
    assert login.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {login.token_hash, str(login.id)}


def test_a_forged_or_old_style_cookie_is_anonymous(app, make):
    user, _ = make.user(role="admin")
    db.session.commit()
    for value in (str(user.id), f"{user.id}.0123456789abcdef", "x" * 200, "ø" * 43):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = value
        assert _sent_to_login(client.get("/admin")), value


@pytest.fixture
def writes(app):
    """Every INSERT, UPDATE and DELETE the app sends to the database while the test runs."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_page_views_write_nothing_anonymous_or_logged_in(app, client, login_as, make, writes):
    event_id = make.event().id
    organiser = login_as("organiser")
    db.session.commit()
    writes.clear()
    for page in ("/", "/events", f"/events/{event_id}", "/login"):
        assert client.get(page).status_code == 200, page
    for page in ("/", "/admin", "/admin/events"):
        assert organiser.get(page).status_code == 200, page
    assert writes == []
    # Control: the listener does see a write (logging out ends the session).
    AuthActions(organiser).logout()
    assert any("login_session" in statement for statement in writes)


def test_a_write_request_moves_last_seen_on(app, login_as, csrf_token):
    client = login_as("organiser")
    (login,) = _logins(client.user)
    login.last_seen_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    data = {
        "current_password": TEST_PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = _post(client, csrf_token, "/account/password", data, "/account/password")
    assert response.status_code == 302
    db.session.refresh(login)
    assert utcnow() - login.last_seen_at < timedelta(minutes=5)


def test_a_login_is_over_after_its_days_however_active(app, login_as):
    client = login_as("organiser")
    assert client.get("/admin").status_code == 200
    (login,) = _logins(client.user)
    days = app.config["LOGIN_SESSION_DAYS"]
    login.created_at = utcnow() - timedelta(days=days) + timedelta(minutes=5)
    db.session.commit()
    assert client.get("/admin").status_code == 200, "a few minutes left: still logged in"
    login.created_at = utcnow() - timedelta(days=days, minutes=1)
    login.last_seen_at = utcnow()
    db.session.commit()
    assert _sent_to_login(client.get("/admin"))
