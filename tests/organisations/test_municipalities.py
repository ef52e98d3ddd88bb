"""Loading the municipalities of Norway and setting a centre's region."""

import pytest
from sqlalchemy import func, select

from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.organisations.models import Municipality
from usht_events.organisations.rules import load_municipalities, municipality_rows, set_region


def test_package_ships_all_357_municipalities():
    rows = {row["kommunenummer"]: row for row in municipality_rows()}
    assert len(rows) == 357
    assert rows["3107"]["name"] == "Fredrikstad"


def test_load_municipalities_creates_all_357(any_app):
    counts = load_municipalities(db.session)
    db.session.commit()
    assert (counts.created, counts.updated, counts.unchanged) == (357, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 357
    oslo = db.session.get(Municipality, "0301")
    assert (oslo.name, oslo.county_number, oslo.county_name) == ("Oslo", "03", "Oslo")


def test_load_municipalities_twice_changes_nothing(any_app):
    load_municipalities(db.session)
    db.session.commit()
    counts = load_municipalities(db.session)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 357)
    assert not db.session.dirty and not db.session.new


def test_load_municipalities_corrects_a_municipality_that_differs(app, make):
    make.municipality("3124", name="Feil navn")
    counts = load_municipalities(db.session)
    assert (counts.created, counts.updated) == (356, 1)
    assert db.session.get(Municipality, "3124").name == "Aremark"


def test_load_municipalities_keeps_municipalities_not_in_the_file(app, make):
    make.municipality("9999")
    load_municipalities(db.session)
    assert db.session.get(Municipality, "9999") is not None


def test_set_region_makes_the_region_exactly_the_given_municipalities(app, make):
    centre = make.centre("ostfold", region=("3101", "3103"))
    make.municipality("3105")
    assert set_region(db.session, centre, ["3103", "3105"]) is True
    assert [m.number for m in centre.region] == ["3103", "3105"]


def test_set_region_with_the_same_municipalities_changes_nothing(app, make):
    centre = make.centre("ostfold", region=("3101", "3103"))
    db.session.commit()
    assert set_region(db.session, centre, ["3103", "3101"]) is False
    assert not db.session.dirty


def test_set_region_refuses_an_unknown_municipality(app, make):
    centre = make.centre("ostfold", region=("3101",))
    with pytest.raises(DomainError) as raised:
        set_region(db.session, centre, ["3101", "0000"])
    assert raised.value.code == "unknown_municipality"
    assert raised.value.details["numbers"] == ["0000"]
    assert [m.number for m in centre.region] == ["3101"]
