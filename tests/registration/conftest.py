"""Fixtures of the registration tests."""

import pytest
from sqlalchemy import func, select

from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import signup
from usht_events.registration.models import Profession, Registration

BASE = "http://usht.test"


@pytest.fixture
def sign_up(any_app, make):
    """Sign someone up through the rule (the place alone) and commit, as one request would."""

    def sign_up_as(event, email=None, municipality="3107", now=None, known=True, **fields):
        if known:
            make.municipality(municipality)
        db.session.commit()  # what the test set up exists before the "request" begins
        details = signup.SignUp(
            name=fields.pop("name", "Kari Nordmann"),
            email=email or f"p{utcnow().timestamp()}{id(fields)}@example.no",
            municipality_number=municipality,
            workplace="Hjemmetjenesten",
            profession=Profession.NURSE,
            **fields,
        )
        try:
            result = signup.register(db.session, event.id, details, now or utcnow())
        except DomainError:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return sign_up_as


def count_registrations(**where) -> int:
    """Registrations whose columns have the given values."""
    query = select(func.count(Registration.id))
    for name, value in where.items():
        query = query.where(getattr(Registration, name) == value)
    return db.session.scalar(query)


def emails(n: int) -> list[str]:
    """n distinct e-mail addresses."""
    return [f"person{i}@example.no" for i in range(n)]
