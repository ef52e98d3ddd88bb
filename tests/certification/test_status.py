"""A certification's status on a given day, the same in Python and in SQL on both databases."""

from datetime import date

import pytest
from sqlalchemy import select

from usht_events.certification.models import Certification, CertificationStatus
from usht_events.certification.renewal import add_months, expiry_for
from usht_events.core.db import db, utcnow

VALID, EXPIRING, EXPIRED, REVOKED = (
    CertificationStatus.VALID,
    CertificationStatus.EXPIRING,
    CertificationStatus.EXPIRED,
    CertificationStatus.REVOKED,
)
EXPIRES = date(2027, 6, 1)

# (day, status of a certification expiring on EXPIRES)
DAYS = [
    (date(2026, 1, 1), VALID),
    (date(2027, 3, 2), VALID),  # 91 days before
    (date(2027, 3, 3), EXPIRING),  # 90 days before
    (date(2027, 5, 31), EXPIRING),  # the last valid day
    (EXPIRES, EXPIRED),  # expires_on is the first day it no longer holds
    (date(2030, 1, 1), EXPIRED),
]


@pytest.fixture
def certifications(any_app, make):
    expiring = make.certification(issued_on=date(2025, 6, 1), expires_on=EXPIRES)
    forever = make.certification(issued_on=date(2025, 6, 1), expires_on=None)
    revoked = make.certification(
        issued_on=date(2025, 6, 1), expires_on=EXPIRES, revoked_at=utcnow()
    )
    db.session.commit()
    return expiring, forever, revoked


def _sql_status(certification, day):
    return db.session.scalar(
        select(Certification.status_on(day)).where(Certification.id == certification.id)
    )


def _sql_valid(certification, day):
    return (
        db.session.scalar(
            select(Certification.id).where(
                Certification.id == certification.id, Certification.is_valid_on(day)
            )
        )
        is not None
    )


@pytest.mark.parametrize(("day", "status"), DAYS)
def test_status_on_a_day_in_python_and_sql(certifications, day, status):
    expiring, forever, revoked = certifications
    assert expiring.status_on(day) == status
    assert _sql_status(expiring, day) == status.value
    assert expiring.is_valid_on(day) is (status != EXPIRED)
    assert _sql_valid(expiring, day) is (status != EXPIRED)
    assert forever.status_on(day) == VALID == _sql_status(forever, day)
    assert revoked.status_on(day) == REVOKED == _sql_status(revoked, day)
    assert not revoked.is_valid_on(day) and not _sql_valid(revoked, day)


def test_filtering_by_status_in_sql(certifications):
    expiring, forever, revoked = certifications
    day = date(2027, 4, 1)
    found = {
        status: set(
            db.session.scalars(
                select(Certification.id).where(Certification.status_on(day) == status.value)
            )
        )
        for status in CertificationStatus
    }
    assert found == {
        VALID: {forever.id},
        EXPIRING: {expiring.id},
        EXPIRED: set(),
        REVOKED: {revoked.id},
    }


@pytest.mark.parametrize(
    ("issued", "months", "expires"),
    [
        (date(2026, 3, 14), 24, date(2028, 3, 14)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # the month's last day when shorter
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 5, 5), 36, date(2029, 5, 5)),
    ],
)
def test_expiry_from_the_kinds_validity(make, app, issued, months, expires):
    assert add_months(issued, months) == expires
    assert expiry_for(make.certification_kind("k", validity_months=months), issued) == expires
    assert expiry_for(make.certification_kind("never", validity_months=None), issued) is None
