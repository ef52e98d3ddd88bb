"""Users with roles, bound to a centre or to municipalities."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.core.db import UTCDateTime, db, enum_column, utcnow
from usht_events.core.i18n import N_
from usht_events.organisations.models import Centre, Municipality


class Role(enum.StrEnum):
    """What a user may do; the scope comes from the bindings."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    MUNICIPALITY = "municipality"

    @property
    def label(self) -> str:
        return {
            "admin": N_("Administrator"),
            "organiser": N_("Arrangør"),
            "municipality": N_("Kommunekontakt"),
        }[self.value]


# The municipalities a municipality contact may see.
user_municipality = Table(
    "user_municipality",
    db.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "municipality_number",
        ForeignKey("municipality.number", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class User(UserMixin, db.Model):
    """Someone who logs in: an administrator, an organiser or a municipality contact."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "role != 'organiser' OR centre_id IS NOT NULL", name="organiser_has_centre"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centre.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    centre: Mapped[Centre | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=user_municipality, order_by=Municipality.name
    )

    # The token of the login session this object came with (accounts/sessions.py); not a
    # column, and set only on the user of the current request.
    login_token = None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_login_token(self) -> str:
        """What the session cookie stores (Flask-Login's id attribute): the login token."""
        if not self.login_token:
            raise RuntimeError("log in through accounts.sessions.start_login_session")
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(db.Model):
    """One login: live until logging out, a new password or deactivation ends it.

    The session cookie carries a random token; only its SHA-256 is stored, so a copy of
    this table logs nobody in.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on by requests that write anyway (accounts/sessions.py), never by a page view.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
