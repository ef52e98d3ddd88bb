"""Users with roles, bound to a centre or to municipalities."""

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.core.db import UTCDateTime, db, enum_column, utcnow
from usht_events.organisations.models import Centre, Municipality


class Role(enum.StrEnum):
    """What a user may do; the scope comes from the bindings."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    MUNICIPALITY = "municipality"

    @property
    def label(self) -> str:
        return {
            "admin": "Administrator",
            "organiser": "Arrangør",
            "municipality": "Kommunekontakt",
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

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def password_stamp(self) -> str:
        """Changes whenever the password does (each argon2 hash has a fresh salt)."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """What the login session stores: the id and the password stamp.

        A session made before the password changed names an old stamp, and the user
        loader refuses it: changing or resetting the password logs out every other session.
        """
        return f"{self.id}.{self.password_stamp}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
