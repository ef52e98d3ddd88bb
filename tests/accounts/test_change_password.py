"""Changing one's own password at /account/password."""

from tests.conftest import AuthActions
from tests.factories import TEST_PASSWORD
from usht_events.accounts.passwords import verify_password
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db

NEW_PASSWORD = "et helt nytt og langt passord"


def _change(client, csrf_token, current=TEST_PASSWORD, new=NEW_PASSWORD, confirm=None):
    page = client.get("/account/password")
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": confirm or new,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )


def test_change_password_needs_login(app, client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_password_is_changed_with_the_current_one(login_as, csrf_token, auth):
    client = login_as("organiser")
    response = _change(client, csrf_token)
    assert response.status_code == 302
    user = client.user
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.password_hash.startswith("$argon2id$")
    entry = db.session.query(AuditEntry).one()
    assert (entry.user_id, entry.action) == (user.id, "user.change_password")
    assert auth.login(user.email, NEW_PASSWORD).status_code == 302


def test_wrong_current_password_changes_nothing(login_as, csrf_token):
    client = login_as("organiser")
    response = _change(client, csrf_token, current="ikke mitt passord")
    assert response.status_code == 400
    assert "Det nåværende passordet er feil." in response.get_data(as_text=True)
    db.session.refresh(client.user)
    assert verify_password(client.user.password_hash, TEST_PASSWORD)


def test_new_password_shorter_than_the_minimum_is_refused(login_as, csrf_token):
    client = login_as("municipality")
    response = _change(client, csrf_token, new="kort")
    assert response.status_code == 400
    assert "Passordet må ha minst 10 tegn." in response.get_data(as_text=True)


def test_new_password_typed_differently_twice_is_refused(login_as, csrf_token):
    client = login_as("admin")
    response = _change(client, csrf_token, confirm="et annet langt passord")
    assert response.status_code == 400
    assert "Passordene er ikke like." in response.get_data(as_text=True)


def test_nav_links_to_my_account_and_admins_see_users(login_as):
    admin_page = login_as("admin").get("/").get_data(as_text=True)
    organiser_page = login_as("organiser").get("/").get_data(as_text=True)
    assert "Min konto" in admin_page and "/account/password" in admin_page
    assert "/admin/users" in admin_page
    assert "Min konto" in organiser_page
    assert "/admin/users" not in organiser_page


def test_changing_the_password_ends_every_other_session(app, login_as, csrf_token):
    client = login_as("organiser")
    # The same person, logged in on another machine (or someone who learnt the password).
    elsewhere = app.test_client()
    assert AuthActions(elsewhere).login(client.user.email, TEST_PASSWORD).status_code == 302
    assert elsewhere.get("/admin/events").status_code == 200
    assert _change(client, csrf_token).status_code == 302
    assert client.get("/admin/events").status_code == 200
    response = elsewhere.get("/admin/events")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
