"""Password-reset links: signed, short-lived, and void once the password has changed."""

import hashlib

from flask import render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.accounts.rules import set_password, user_by_email
from usht_events.accounts.sessions import end_login_sessions
from usht_events.core.db import utcnow
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage, queue_mail

SALT = "usht-events.password-reset"
MAIL_KIND = "password_reset"
SUBJECT = "Lenke for å velge nytt passord"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def password_fingerprint(user: User) -> str:
    """A short digest of the current hash: a new password (new salt) changes it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(secret_key: str, user: User) -> str:
    """A signed token naming the user and their current password."""
    return _serializer(secret_key).dumps(
        {"user": user.id, "fingerprint": password_fingerprint(user)}
    )


def user_for_reset_token(session: DbSession, secret_key: str, token: str, max_age: int) -> User:
    """The active user a token was made for, or `reset_expired` / `reset_invalid`."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise DomainError("reset_expired", "Lenken er utløpt. Be om en ny.") from error
    except BadSignature as error:
        raise DomainError("reset_invalid", "Lenken er ugyldig eller allerede brukt.") from error
    user = session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fingerprint") != password_fingerprint(user):
        raise DomainError("reset_invalid", "Lenken er ugyldig eller allerede brukt.")
    return user


def reset_password(
    session: DbSession, secret_key: str, token: str, max_age: int, password: str
) -> User:
    """Set a new password through a reset link; the link cannot be used again.

    Every login session of the user ends: whoever knew the old password is logged out.
    """
    user = user_for_reset_token(session, secret_key, token, max_age)
    set_password(user, password)
    end_login_sessions(session, user, utcnow())
    return user


def queue_reset_mail(
    session: DbSession, user: User, *, secret_key: str, base_url: str, max_age: int, by_admin=False
) -> OutboxMessage:
    """Write the mail with the reset link to the outbox, in the caller's transaction."""
    context = {
        "lang": "nb",
        "centre": None,
        "subject": SUBJECT,
        "user": user,
        "reset_url": f"{base_url}/login/reset/{make_reset_token(secret_key, user)}",
        "minutes": max_age // 60,
        "by_admin": by_admin,
    }
    return queue_mail(
        session,
        kind=MAIL_KIND,
        to=user.email,
        subject=SUBJECT,
        text=render_template("mail/password_reset.txt", **context),
        html=render_template("mail/password_reset.html", **context),
    )


def request_password_reset(
    session: DbSession, email: str, *, secret_key: str, base_url: str, max_age: int
) -> OutboxMessage | None:
    """Mail a reset link to an active user; say nothing about addresses that have none."""
    user = user_by_email(session, email)
    if user is None or not user.active:
        return None
    return queue_reset_mail(
        session, user, secret_key=secret_key, base_url=base_url, max_age=max_age
    )
