"""Fixtures the catalogue's import tests share."""

import pytest

from usht_events.core.db import db


@pytest.fixture
def centres(make):
    """The centres, focus areas and certification kinds the files refer to."""
    make.centre("ostfold", email="usht-ostfold@example.no")
    make.centre("vestfold")
    make.focus_area("pasientsikkerhet", "Pasientsikkerhet og kvalitetsforbedring")
    make.focus_area("velferdsteknologi", "Velferdsteknologi")
    make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    db.session.commit()
