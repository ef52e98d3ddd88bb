"""Walk-ins: registered at the door by the sign-up rules and checked in at once."""

import pytest
from sqlalchemy import select

from tests.checkin.conftest import BASE
from usht_events.checkin.scanning import ScanResult
from usht_events.checkin.walk_in import register_walk_in
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage
from usht_events.registration.models import (
    Attendance,
    CheckinMethod,
    Profession,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from usht_events.registration.signup import SignUp


def _walk_in(course, email="ny@example.no", municipality="3107", **options):
    signup = SignUp(
        name="Nina Ny",
        email=email,
        municipality_number=municipality,
        workplace="Mysen sykehjem",
        profession=Profession.NURSE,
        source=RegistrationSource.WALK_IN,
    )
    try:
        outcome = register_walk_in(
            db.session, course.event, signup, course.now, BASE, course.organiser,
            session_id=course.day_one.id, **options,
        )  # fmt: skip
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return outcome


def _registrations(email):
    return db.session.scalars(
        select(Registration).join(Registration.person).where(Registration.person.has(email=email))
    ).all()


def test_a_walk_in_with_a_free_seat_is_confirmed_checked_in_and_mailed(course, make):
    course.event.capacity = 10
    db.session.commit()
    outcome = _walk_in(course)
    assert outcome.result == ScanResult.CHECKED_IN
    (registration,) = _registrations("ny@example.no")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.source == RegistrationSource.WALK_IN
    (attendance,) = db.session.scalars(
        select(Attendance).where(Attendance.registration_id == registration.id)
    ).all()
    assert attendance.method == CheckinMethod.WALK_IN
    assert attendance.checked_in_by_id == course.organiser.id
    assert db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    ).all()
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert entry.action == "registration.add"
    assert "ved døren" in entry.summary


def test_a_full_event_refuses_a_walk_in_unless_the_organiser_chooses_to_go_over(course):
    with pytest.raises(DomainError) as refusal:
        _walk_in(course)
    assert refusal.value.code == "full"
    assert refusal.value.field == "over_capacity"
    assert _registrations("ny@example.no") == []
    assert db.session.scalars(select(OutboxMessage)).all() == []

    outcome = _walk_in(course, over_capacity=True)
    assert outcome.result == ScanResult.CHECKED_IN
    confirmed = db.session.scalars(
        select(Registration).where(
            Registration.event_id == course.event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    assert len(confirmed) == course.event.capacity + 1
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert entry.action == "registration.add_over_capacity"
    assert "Over kapasiteten på 2 plasser" in entry.summary


def test_going_over_capacity_keeps_the_seats_per_municipality(course):
    course.event.capacity = 10
    course.event.seats_per_municipality = 1
    db.session.commit()
    with pytest.raises(DomainError) as refusal:
        _walk_in(course, municipality="3107", over_capacity=True)
    assert refusal.value.code == "municipality_full"
    assert _registrations("ny@example.no") == []


def test_a_walk_in_keeps_the_eligibility_rule(course, make):
    make.municipality("3301")
    course.event.eligible_municipalities = [make.municipality("3118")]
    course.event.capacity = 10
    db.session.commit()
    with pytest.raises(DomainError) as refusal:
        _walk_in(course, municipality="3301", over_capacity=True)
    assert refusal.value.code == "not_eligible"


def test_someone_with_a_place_already_is_not_registered_twice(course):
    with pytest.raises(DomainError) as refusal:
        _walk_in(course, email="kari@example.no", over_capacity=True)
    assert refusal.value.code == "already_registered"
