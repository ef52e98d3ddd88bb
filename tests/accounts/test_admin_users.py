"""The administrator's user pages under /admin/users."""

import re

import pytest
from sqlalchemy import select

from usht_events.accounts.models import Role, User
from usht_events.accounts.passwords import verify_password
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage
from usht_events.organisations.models import Municipality
from usht_events.organisations.rules import load_municipalities


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def _post(client, csrf_token, path, data, page_path=None):
    page = client.get(page_path or path)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _actions() -> list[str]:
    return [
        entry.action for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.mark.parametrize(
    "path",
    ["/admin/users", "/admin/users/new", "/admin/users/1"],
)
def test_anonymous_is_sent_to_login_with_next(app, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("role", ["organiser", "municipality"])
def test_other_roles_get_403(login_as, role):
    client = login_as(role)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.get(f"/admin/users/{client.user.id}").status_code == 403


def test_organiser_cannot_post_a_reset_link(login_as, csrf_token):
    client = login_as("organiser")
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(f"/admin/users/{client.user.id}/reset", data={"csrf_token": token})
    assert response.status_code == 403
    assert db.session.scalar(select(OutboxMessage)) is None


def test_every_view_declares_admin_only(app):
    from usht_events.accounts.access import allowed_roles

    views = {
        name: view
        for name, view in app.view_functions.items()
        if name.startswith("accounts_admin.")
    }
    assert set(views) == {
        "accounts_admin.list_users",
        "accounts_admin.new_user",
        "accounts_admin.edit_user",
        "accounts_admin.send_reset",
    }
    assert all(allowed_roles(view) == {Role.ADMIN} for view in views.values())


def test_list_shows_role_bindings_status_and_last_login(admin, make):
    centre = make.centre("ostfold", name="USHT Østfold")
    make.user(role="organiser", email="org@example.no", centre=centre)
    contact, _ = make.user(role="municipality", email="kk@example.no", municipalities=("3107",))
    contact.active = False
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "org@example.no" in page and "USHT Østfold" in page and "Arrangør" in page
    assert "Fredrikstad" in page and "Deaktivert" in page and "Kommunekontakt" in page
    assert "Aldri" in page  # the contact never logged in; the admin did


def test_new_page_groups_all_municipalities_by_county(admin):
    load_municipalities(db.session)
    db.session.commit()
    page = admin.get("/admin/users/new").get_data(as_text=True)
    count = db.session.query(Municipality).count()
    assert count >= 350
    assert len(re.findall(r'type="checkbox" name="municipalities"', page)) == count
    counties = {m.county_name for m in db.session.scalars(select(Municipality))}
    assert page.count('<details class="ds-details"') == len(counties)
    assert "<legend" in page and 'aria-describedby="municipalities-hint' in page


def test_admin_creates_an_organiser_and_a_link_is_mailed(admin, make, csrf_token):
    centre = make.centre("ostfold")
    response = _post(
        admin,
        csrf_token,
        "/admin/users/new",
        {
            "email": "Ny.Arrangor@Example.no",
            "name": "Nora Arrangør",
            "role": "organiser",
            "centre": str(centre.id),
            "send_link": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    user = _user("ny.arrangor@example.no")
    assert (user.role, user.centre_id, user.name) == (Role.ORGANISER, centre.id, "Nora Arrangør")
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.to_address == "ny.arrangor@example.no"
    assert "/login/reset/" in mail.body_text
    assert _actions() == ["user.create", "user.reset_link"]


def test_admin_creates_a_municipality_contact_without_mail(admin, make, csrf_token):
    make.municipality("3107")
    make.municipality("3105")
    response = _post(
        admin,
        csrf_token,
        "/admin/users/new",
        {"email": "kk@example.no", "role": "municipality", "municipalities": ["3107", "3105"]},
    )
    assert response.status_code == 302
    user = _user("kk@example.no")
    assert sorted(m.number for m in user.municipalities) == ["3105", "3107"]
    assert user.centre_id is None
    assert db.session.scalar(select(OutboxMessage)) is None
    assert _actions() == ["user.create"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"role": "organiser"}, "En arrangør må knyttes til et senter."),
        ({"role": "municipality"}, "En kommunekontakt må knyttes til minst én kommune."),
        ({"role": "admin", "email": "ikke-en-adresse"}, "Ugyldig e-postadresse"),
        ({"role": "admin", "email": "ADMIN-EXISTS@example.no"}, "finnes allerede"),
    ],
)
def test_invalid_new_user_is_refused_in_norwegian(admin, make, csrf_token, data, message):
    make.user(role="admin", email="admin-exists@example.no")
    response = _post(admin, csrf_token, "/admin/users/new", {"email": "ny@example.no"} | data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page or 'class="ds-validation-message"' in page
    assert _user("ny@example.no") is None
    assert _actions() == []


def test_admin_changes_role_and_bindings(admin, make, csrf_token):
    make.municipality("3101")
    organiser, _ = make.user(role="organiser", email="org@example.no")
    path = f"/admin/users/{organiser.id}"
    response = _post(
        admin,
        csrf_token,
        path,
        {"name": "Ola", "role": "municipality", "municipalities": ["3101"], "active": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(organiser)
    assert organiser.role == Role.MUNICIPALITY
    assert organiser.centre_id is None
    assert [m.number for m in organiser.municipalities] == ["3101"]
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "user.update"
    assert "org@example.no" in entry.summary and "Kommunekontakt" in entry.summary


def test_edit_page_shows_current_bindings(admin, make):
    contact, _ = make.user(role="municipality", municipalities=("3107",))
    page = admin.get(f"/admin/users/{contact.id}").get_data(as_text=True)
    assert re.search(r'value="3107"\s+id="[^"]+"\s+checked', page)
    assert '<option selected value="municipality">' in page or re.search(
        r'<option[^>]*value="municipality"[^>]*selected|<option selected[^>]*value="municipality"',
        page,
    )
    assert '<details class="ds-details" open>' in page


def test_deactivating_keeps_the_user_and_blocks_login(admin, make, csrf_token, auth):
    user, password = make.user(role="organiser", email="org@example.no")
    response = _post(
        admin,
        csrf_token,
        f"/admin/users/{user.id}",
        {"role": "organiser", "centre": str(user.centre_id)},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.active is False
    assert "user.deactivate" in _actions()
    assert auth.login("org@example.no", password).status_code == 401


def test_deactivated_user_is_logged_out_of_an_open_session(login_as, make, csrf_token):
    organiser = login_as("organiser")
    organiser.user.active = False
    db.session.commit()
    assert organiser.get("/account/password").status_code == 302


def test_admin_cannot_deactivate_or_demote_themselves(admin, csrf_token):
    me = admin.user
    for data in ({"role": "admin"}, {"role": "organiser", "active": "y"}):
        response = _post(admin, csrf_token, f"/admin/users/{me.id}", data)
        assert response.status_code == 400
        assert "Du kan ikke deaktivere deg selv" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.active and me.role == Role.ADMIN
    assert _actions() == []


def test_send_reset_queues_a_link_and_logs_it(admin, make, csrf_token, app):
    user, _ = make.user(role="organiser", email="org@example.no")
    path = f"/admin/users/{user.id}"
    response = _post(admin, csrf_token, f"{path}/reset", {}, page_path=path)
    assert response.status_code == 302
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.to_address == "org@example.no"
    assert "administrator" in mail.body_text
    assert _actions() == ["user.reset_link"]
    # The password is untouched until the link is used.
    db.session.refresh(user)
    from tests.factories import TEST_PASSWORD

    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_send_reset_needs_csrf(admin, make):
    user, _ = make.user(role="organiser")
    assert admin.post(f"/admin/users/{user.id}/reset").status_code == 400
    assert db.session.scalar(select(OutboxMessage)) is None


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/999999").status_code == 404
