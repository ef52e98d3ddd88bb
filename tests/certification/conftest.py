"""Fixtures of the certification tests: a two-day course that certifies, now over."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from usht_events.catalogue.models import CertificationKind, Event
from usht_events.core.db import db, utcnow
from usht_events.registration.models import Attendance, Registration, RegistrationStatus

BASE = "http://usht.test"


@dataclass
class Course:
    """A finished two-day ProACT course of centre «ost» with four participants."""

    event: Event
    kind: CertificationKind
    full: Registration  # came both days
    half: Registration  # came the first day only
    absent: Registration  # never came
    waiting: Registration  # on the waiting list


def attend(registration: Registration, *sessions) -> None:
    """Check the registration in at these sessions of its event (as check-in would)."""
    for item in sessions or registration.event.sessions:
        db.session.add(Attendance(registration_id=registration.id, session_id=item.id))
    db.session.flush()


@pytest.fixture
def course(any_app, make) -> Course:
    """The course on SQLite and on PostgreSQL in turn (for rules)."""
    return make_course(make)


@pytest.fixture
def sqlite_course(app, make) -> Course:
    """The course on SQLite (for pages, which the logged-in test clients use)."""
    return make_course(make)


def make_course(make) -> Course:
    """Build the course."""
    kind = make.certification_kind(
        "proact-instruktor", validity_months=24, name="ProACT-instruktør"
    )
    centre = make.centre("ost", region=("3107", "3101"), name="USHT Østfold")
    start = (utcnow() - timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    event = make.event(
        centre=centre,
        starts_at=start,
        days=2,
        title="ProACT-instruktørkurs",
        certifies_kind=kind,
        registration_opens_at=start - timedelta(days=40),
        registration_closes_at=start - timedelta(days=1),
    )
    full = make.registration(event, person=make.person(name="Kari Nordmann"))
    half = make.registration(event, person=make.person(name="Ola Halvdag", municipality="3101"))
    absent = make.registration(event, person=make.person(name="Per Borte"))
    waiting = make.registration(
        event, person=make.person(name="Vera Venter"), status=RegistrationStatus.WAITLISTED
    )
    attend(full)
    attend(half, event.sessions[0])
    db.session.commit()
    return Course(event, kind, full, half, absent, waiting)
