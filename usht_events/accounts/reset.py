"""Password-reset links: signed, short-lived, and void once the password has changed."""

import hashlib
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts import errors
from usht_events.accounts.models import User
from usht_events.accounts.rules import set_password, user_by_email
from usht_events.accounts.sessions import end_login_sessions
from usht_events.core.db import utcnow
from usht_events.core.errors import DomainError
from usht_events.core.i18n import N_
from usht_events.core.mail import in_language, render_mail
from usht_events.core.outbox import OutboxMessage, queue_mail, queue_unrendered_mail

SALT = "usht-events.password-reset"
MAIL_KIND = "password_reset"
SUBJECT = N_("Lenke for å velge nytt passord")
# Users have no language of their own yet: back-office staff read Norwegian.
MAIL_LANG = "nb"


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
        raise DomainError(errors.RESET_EXPIRED) from error
    except BadSignature as error:
        raise DomainError(errors.RESET_INVALID) from error
    user = session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fingerprint") != password_fingerprint(user):
        raise DomainError(errors.RESET_INVALID)
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
    subject, text, html = _reset_mail(user, secret_key, base_url, max_age, by_admin)
    return queue_mail(session, kind=MAIL_KIND, to=user.email, subject=subject, text=text, html=html)


def request_password_reset(session: DbSession, email: str, now: datetime) -> int:
    """Queue a reset link for whoever has this address; returns the queued row's id.

    The request does the same work whether or not the address has an account (one
    insert), so neither its answer nor its timing tells who has one. The worker writes
    the mail only for an active user, and drops it otherwise (write_reset_mail).
    """
    return queue_unrendered_mail(session, kind=MAIL_KIND, to=email.strip().lower(), created_at=now)


def write_reset_mail(
    session: DbSession, message: OutboxMessage, *, secret_key: str, base_url: str, max_age: int
) -> None:
    """Write a requested reset mail for an active user, or drop it (core/worker.py)."""
    user = user_by_email(session, message.to_address)
    if user is None or not user.active:
        session.delete(message)
        return
    subject, text, html = _reset_mail(user, secret_key, base_url, max_age)
    message.to_address, message.subject = user.email, subject
    message.body_text, message.body_html = text, html
    message.needs_render = False


def _reset_mail(user: User, secret_key, base_url, max_age, by_admin=False) -> tuple[str, str, str]:
    """Subject, text and HTML of the mail with a fresh reset link."""
    subject = in_language(MAIL_LANG, SUBJECT)
    text, html = render_mail(
        "accounts/mail/password_reset",
        MAIL_LANG,
        centre=None,
        subject=subject,
        user=user,
        reset_url=f"{base_url}/login/reset/{make_reset_token(secret_key, user)}",
        minutes=max_age // 60,
        by_admin=by_admin,
    )
    return subject, text, html
