"""Rules for municipalities and the region a centre serves."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.core.errors import DomainError
from usht_events.organisations import errors
from usht_events.organisations.models import Centre, Municipality

MUNICIPALITIES_FILE = "kommuner.csv"


@dataclass(frozen=True)
class LoadCounts:
    """What `load_municipalities` did."""

    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def municipality_rows() -> list[dict[str, str]]:
    """The municipalities of Norway as shipped with the package (kommuner.csv)."""
    text = resources.files("usht_events.organisations").joinpath("data", MUNICIPALITIES_FILE)
    return list(csv.DictReader(io.StringIO(text.read_text(encoding="utf-8"))))


def load_municipalities(session: DbSession) -> LoadCounts:
    """Insert or update every municipality of Norway; rows that already match are left alone."""
    existing = {m.number: m for m in session.scalars(select(Municipality))}
    rows = municipality_rows()
    created = updated = 0
    for row in rows:
        values = {
            "name": row["name"],
            "county_number": row["county_number"],
            "county_name": row["county_name"],
        }
        municipality = existing.get(row["kommunenummer"])
        if municipality is None:
            session.add(Municipality(number=row["kommunenummer"], **values))
            created += 1
        elif assign_changed(municipality, values):
            updated += 1
    session.flush()
    return LoadCounts(created, updated, len(rows) - created - updated)


def assign_changed(obj: object, values: dict) -> bool:
    """Set the attributes that differ; True when any did (so unchanged rows get no UPDATE)."""
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    for name, value in changed.items():
        setattr(obj, name, value)
    return bool(changed)


def municipalities_by_number(session: DbSession, numbers: Iterable[str]) -> list[Municipality]:
    """The municipalities with these numbers, in the given order, or `unknown_municipality`."""
    numbers = [number.strip().zfill(4) for number in numbers]
    found = {
        m.number: m
        for m in session.scalars(select(Municipality).where(Municipality.number.in_(numbers)))
    }
    missing = [number for number in numbers if number not in found]
    if missing:
        raise DomainError(errors.UNKNOWN_MUNICIPALITIES, numbers=missing, listed=", ".join(missing))
    return [found[number] for number in numbers]


def set_region(session: DbSession, centre: Centre, numbers: Iterable[str]) -> bool:
    """Make the centre's region exactly these municipalities; True when it changed."""
    wanted = municipalities_by_number(session, numbers)
    if {m.number for m in centre.region} == {m.number for m in wanted}:
        return False
    centre.region = wanted
    return True
