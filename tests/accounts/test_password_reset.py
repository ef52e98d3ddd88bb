"""Password reset by e-mail: signed, short-lived, single use, and no account enumeration."""

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import event, func, select

from tests.conftest import AuthActions
from tests.factories import TEST_PASSWORD
from usht_events.accounts import reset
from usht_events.accounts.passwords import verify_password
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage
from usht_events.core.worker import write_pending_mail

NEW_PASSWORD = "et helt nytt og langt passord"


def _token(app, user) -> str:
    return reset.make_reset_token(app.config["SECRET_KEY"], user)


def _set_password(client, csrf_token, token, password=NEW_PASSWORD, confirm=None):
    page = client.get(f"/login/reset/{token}")
    return client.post(
        f"/login/reset/{token}",
        data={
            "new_password": password,
            "confirm_password": confirm or password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )


def _outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def _worker_writes_the_mail(app) -> None:
    """What the worker's pass does first: write the mails queued without content."""
    write_pending_mail(db.session, utcnow(), app.config, limit=50)
    db.session.commit()


def _ask_for_link(client, csrf_token, email):
    page = client.get("/login/reset")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/login/reset", data={"email": email, "csrf_token": token})


def test_asking_for_a_link_queues_a_mail_with_a_working_link(app, client, make, csrf_token):
    user, _ = make.user(role="organiser", email="kari@example.no")
    response = _ask_for_link(client, csrf_token, "Kari@Example.no")
    assert response.status_code == 200
    _worker_writes_the_mail(app)
    mail = db.session.scalar(select(OutboxMessage))
    assert (mail.kind, mail.to_address) == ("password_reset", "kari@example.no")
    link = next(word for word in mail.body_text.split() if "/login/reset/" in word)
    assert link.startswith("http://usht.test/login/reset/")
    assert link in mail.body_html
    token = link.rsplit("/", 1)[1]
    assert reset.user_for_reset_token(db.session, app.config["SECRET_KEY"], token, 60) == user


def test_unknown_address_gets_the_same_page_and_no_mail(app, client, make, csrf_token):
    make.user(role="organiser", email="kari@example.no")
    known = _ask_for_link(client, csrf_token, "kari@example.no").get_data(as_text=True)
    unknown = _ask_for_link(client, csrf_token, "ingen@example.no").get_data(as_text=True)
    _worker_writes_the_mail(app)
    assert _outbox_count() == 1
    assert _neutral(known, "kari@example.no") == _neutral(unknown, "ingen@example.no")


def test_known_and_unknown_addresses_cost_the_request_the_same_work(app, client, make, csrf_token):
    """The same statements run whether or not the address has an account: no timing tells."""
    make.user(role="organiser", email="kari@example.no")
    db.session.commit()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        _ask_for_link(client, csrf_token, "kari@example.no")
        known, statements[:] = list(statements), []
        _ask_for_link(client, csrf_token, "ingen@example.no")
        unknown = list(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert known == unknown
    assert any(s.startswith("INSERT INTO outbox_message") for s in known)
    queued = db.session.scalars(select(OutboxMessage.needs_render)).all()
    assert queued == [True, True]  # both wait for the worker, which drops the unknown one


def _neutral(page: str, email: str) -> str:
    # CSRF tokens carry a timestamp; everything else must be the same.
    return re.sub(r'(csrf[_-]token"[^>]*(value|content)=")[^"]+', r"\1", page).replace(email, "X")


def test_deactivated_user_gets_no_mail(app, client, make, csrf_token):
    user, _ = make.user(role="admin", email="gammel@example.no")
    user.active = False
    assert _ask_for_link(client, csrf_token, "gammel@example.no").status_code == 200
    _worker_writes_the_mail(app)
    assert _outbox_count() == 0


def test_link_sets_a_new_password_once(app, client, make, csrf_token):
    user, _ = make.user(role="organiser")
    token = _token(app, user)
    response = _set_password(client, csrf_token, token)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert not verify_password(user.password_hash, TEST_PASSWORD)


def test_second_use_of_a_link_is_refused(app, client, make, csrf_token):
    user, _ = make.user(role="organiser")
    token = _token(app, user)
    _set_password(client, csrf_token, token)
    again = client.get(f"/login/reset/{token}")
    assert again.status_code == 400
    assert "ugyldig eller allerede brukt" in again.get_data(as_text=True)
    with pytest.raises(DomainError) as refused:
        reset.reset_password(db.session, app.config["SECRET_KEY"], token, 3600, "x" * 12)
    assert refused.value.code == "reset_invalid"


def test_expired_link_is_refused(app, client, make, monkeypatch):
    user, _ = make.user(role="organiser")
    an_hour_and_a_second_ago = int(time.time()) - 3601
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: an_hour_and_a_second_ago)
    token = _token(app, user)
    monkeypatch.undo()
    response = client.get(f"/login/reset/{token}")
    assert response.status_code == 400
    assert "utløpt" in response.get_data(as_text=True)
    with pytest.raises(DomainError) as refused:
        reset.user_for_reset_token(db.session, app.config["SECRET_KEY"], token, 3600)
    assert refused.value.code == "reset_expired"


def test_link_is_valid_until_its_max_age(app, make):
    user, _ = make.user(role="organiser")
    token = _token(app, user)
    assert reset.user_for_reset_token(db.session, app.config["SECRET_KEY"], token, 3600) == user
    with pytest.raises(DomainError, match="utløpt"):
        reset.user_for_reset_token(db.session, app.config["SECRET_KEY"], token, -1)


def test_tampered_link_is_refused(app, client, make):
    user, _ = make.user(role="organiser")
    other, _ = make.user(role="admin")
    token = _token(app, user)
    payload, rest = token.split(".", 1)
    forged = reset._serializer("not the secret key").dumps(
        {"user": other.id, "fingerprint": reset.password_fingerprint(other)}
    )
    for bad in (payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + rest, forged):
        assert client.get(f"/login/reset/{bad}").status_code == 400
        with pytest.raises(DomainError) as refused:
            reset.user_for_reset_token(db.session, app.config["SECRET_KEY"], bad, 3600)
        assert refused.value.code == "reset_invalid"


def test_link_for_a_deactivated_user_is_refused(app, client, make):
    user, _ = make.user(role="organiser")
    token = _token(app, user)
    user.active = False
    assert client.get(f"/login/reset/{token}").status_code == 400


def test_new_password_must_be_long_enough_and_typed_twice(app, client, make, csrf_token):
    user, _ = make.user(role="organiser")
    token = _token(app, user)
    short = _set_password(client, csrf_token, token, password="kort")
    assert short.status_code == 400
    assert "minst 10 tegn" in short.get_data(as_text=True)
    mismatch = _set_password(client, csrf_token, token, confirm="noe helt annet her")
    assert "Passordene er ikke like." in mismatch.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_reset_page_sends_no_referrer(app, client, make):
    user, _ = make.user(role="organiser")
    response = client.get(f"/login/reset/{_token(app, user)}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_login_page_links_to_reset(app, client):
    assert "/login/reset" in client.get("/login").get_data(as_text=True)


def test_reset_ends_every_session_of_the_account(app, client, make, csrf_token):
    user, password = make.user(role="organiser")
    db.session.commit()
    logged_in = app.test_client()
    assert AuthActions(logged_in).login(user.email, password).status_code == 302
    assert logged_in.get("/admin/events").status_code == 200
    assert _set_password(client, csrf_token, _token(app, user)).status_code == 302
    assert logged_in.get("/admin/events").status_code == 302
