"""Login sessions kept on the server, so logging out ends a session for every copy of its cookie.

The session cookie holds a random token naming one `LoginSession` row (by its SHA-256);
Flask-Login's user loader accepts the cookie only while that row is live. Logging out ends
the row; a new password ends the user's other rows; deactivation ends all of them; and a
login is over `LOGIN_SESSION_DAYS` after it began, however active.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Flask, current_app, g, request
from sqlalchemy import select, update
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import LoginSession, User
from usht_events.core.db import db, utcnow
from usht_events.core.extensions import login_manager

# 32 random bytes: 256 bits, far beyond guessing.
TOKEN_BYTES = 32
# last_seen_at is moved on at most this often, and only by requests that write anyway.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def token_hash(token: str) -> str:
    """What the table stores of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(session: DbSession, user: User, now: datetime) -> str:
    """Record a new login for the user; return its token, which `user.login_token` holds too."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LoginSession(token_hash=token_hash(token), user=user, created_at=now, last_seen_at=now)
    )
    user.login_token = token
    return token


def live_login_session(
    session: DbSession, token: str, now: datetime | None = None, max_age: timedelta | None = None
) -> LoginSession | None:
    """The live login session this token names, for an active user; None for anything else.

    With `max_age`, a login started longer ago than that is over too, however active.
    """
    if not isinstance(token, str) or not token or len(token) > 64 or not token.isascii():
        return None
    query = (
        select(LoginSession)
        .join(LoginSession.user)
        .where(
            LoginSession.token_hash == token_hash(token),
            LoginSession.ended_at.is_(None),
            User.active.is_(True),
        )
    )
    if max_age is not None:
        query = query.where(LoginSession.created_at > (now or utcnow()) - max_age)
    return session.scalar(query)


def end_login_session(session: DbSession, token: str, now: datetime) -> None:
    """End the login session this token names (logging out); nothing if it is not live."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_login_sessions(
    session: DbSession, user: User, now: datetime, *, keep: int | None = None
) -> None:
    """End every live login session of the user, except the one with id `keep`."""
    statement = (
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    if keep is not None:
        statement = statement.where(LoginSession.id != keep)
    session.execute(statement)


def current_login_session_id() -> int | None:
    """The id of the login session the current request came with, once its user is loaded."""
    return g.get("login_session_id")


def init_app(app: Flask) -> None:
    """Make Flask-Login keep the token in the cookie and load users through live sessions."""
    # login_user() stores what this method returns: the token, never the user's id.
    login_manager.id_attribute = "get_login_token"
    login_manager.user_loader(load_user)


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the user of a live login session, or None (anonymous)."""
    if g.get("database_unavailable"):
        # core/unavailable.py draws the 503 page as for a visitor; nobody is logged out.
        return None
    now = utcnow()
    max_age = timedelta(days=current_app.config["LOGIN_SESSION_DAYS"])
    login = live_login_session(db.session, token, now, max_age)
    if login is None:
        return None
    g.login_session_id = login.id
    if request.method in WRITE_METHODS and now - login.last_seen_at >= LAST_SEEN_RESOLUTION:
        # Written with the request's own changes; page views (reads) never write.
        login.last_seen_at = now
    login.user.login_token = token
    return login.user
