"""Centres, municipalities and regions."""

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from usht_events.core.db import db

# The municipalities a centre serves (its region).
centre_municipality = Table(
    "centre_municipality",
    db.metadata,
    Column("centre_id", ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "municipality_number",
        ForeignKey("municipality.number", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Municipality(db.Model):
    """A Norwegian municipality, keyed by its four-digit kommunenummer."""

    __tablename__ = "municipality"

    number: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    county_number: Mapped[str] = mapped_column(String(2))
    county_name: Mapped[str] = mapped_column(String(80))

    def __repr__(self) -> str:
        return f"<Municipality {self.number} {self.name}>"


class Centre(db.Model):
    """A development centre (USHT), hosted by one municipality and serving a region."""

    __tablename__ = "centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    host_municipality_number: Mapped[str] = mapped_column(ForeignKey("municipality.number"))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(200), default="")

    host_municipality: Mapped[Municipality] = relationship()
    region: Mapped[list[Municipality]] = relationship(
        secondary=centre_municipality, order_by=Municipality.name
    )

    def __repr__(self) -> str:
        return f"<Centre {self.slug}>"
