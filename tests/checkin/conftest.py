"""Fixtures of the check-in tests: a two-day course with people in every state."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from usht_events.core.db import db, utcnow
from usht_events.registration.models import Registration, RegistrationStatus

BASE = "http://usht.test"


@dataclass
class Course:
    """A full two-day course (today and tomorrow), its organiser, a place in each state."""

    event: object
    other_event: object
    organiser: object
    confirmed: Registration
    second: Registration
    waitlisted: Registration
    cancelled: Registration
    elsewhere: Registration
    now: object

    @property
    def day_one(self):
        return self.event.sessions[0]

    @property
    def day_two(self):
        return self.event.sessions[1]


@pytest.fixture
def course(any_app, make) -> Course:
    """Day one started an hour ago; the organiser belongs to the event's centre."""
    return build_course(make)


@pytest.fixture
def pg_course(pg_app, make) -> Course:
    """The same course on PostgreSQL only."""
    return build_course(make)


def build_course(make) -> Course:
    """The course, committed."""
    now = utcnow().replace(microsecond=0)
    centre = make.centre("ostfold", name="USHT Østfold", region=("3118", "3107"))
    event = make.event(
        centre=centre, starts_at=now - timedelta(hours=1), days=2, capacity=2, title="ProACT"
    )
    other = make.event(centre=centre, title="Et annet kurs")
    organiser, _ = make.user(role="organiser", centre=centre)
    kari = make.person(name="Kari Nordmann", municipality="3118", email="kari@example.no")
    course = Course(
        event=event,
        other_event=other,
        organiser=organiser,
        confirmed=make.registration(event, kari),
        second=make.registration(event, make.person(name="Ola Hansen")),
        waitlisted=make.registration(
            event, make.person(name="Per Venter"), status=RegistrationStatus.WAITLISTED
        ),
        cancelled=make.registration(
            event, make.person(name="Eva Avmeldt"), status=RegistrationStatus.CANCELLED
        ),
        elsewhere=make.registration(other, make.person(name="Nils Annet")),
        now=now,
    )
    db.session.commit()
    return course
