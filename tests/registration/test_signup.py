"""One test per sign-up rule, on SQLite and PostgreSQL, asserting the domain error's code."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.registration.conftest import count_registrations, emails
from usht_events.catalogue.models import EventStatus
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration.models import Person, RegistrationStatus


def test_sign_up_within_capacity_is_confirmed(sign_up, make):
    event = make.event(capacity=2)
    result = sign_up(event, "kari@example.no")
    assert result.created
    assert result.registration.status == RegistrationStatus.CONFIRMED


def test_registration_for_cancelled_event_is_refused_with_cancelled(sign_up, make):
    event = make.event(status=EventStatus.CANCELLED)
    with pytest.raises(DomainError) as refused:
        sign_up(event)
    assert refused.value.code == "event_cancelled"


def test_unknown_municipality_is_refused_with_unknown_municipality(sign_up, make):
    event = make.event()
    with pytest.raises(DomainError) as refused:
        sign_up(event, municipality="9999", known=False)
    assert refused.value.code == "unknown_municipality"


def test_full_event_puts_newcomer_on_waitlist(sign_up, make):
    event = make.event(capacity=1)
    sign_up(event, "first@example.no")
    result = sign_up(event, "second@example.no")
    assert result.registration.status == RegistrationStatus.WAITLISTED


def test_full_event_without_waitlist_refuses_with_full(sign_up, make):
    event = make.event(capacity=1, waitlist_enabled=False)
    sign_up(event, "first@example.no")
    with pytest.raises(DomainError) as refused:
        sign_up(event, "second@example.no")
    assert refused.value.code == "full"
    assert count_registrations(event_id=event.id) == 1
    assert db.session.scalar(select(Person).where(Person.email == "second@example.no")) is None


def test_registration_before_window_opens_is_refused_with_not_yet_open(sign_up, make):
    event = make.event(registration_opens_at=utcnow() + timedelta(days=1))
    with pytest.raises(DomainError) as refused:
        sign_up(event)
    assert refused.value.code == "not_yet_open"


def test_registration_after_deadline_is_refused_with_closed(sign_up, make):
    event = make.event(registration_closes_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(DomainError) as refused:
        sign_up(event)
    assert refused.value.code == "closed"
    assert count_registrations(event_id=event.id) == 0


def test_registration_for_started_event_is_refused_with_past(sign_up, make):
    event = make.event(
        starts_at=utcnow() - timedelta(hours=1),
        registration_opens_at=utcnow() - timedelta(days=9),
        registration_closes_at=None,
    )
    with pytest.raises(DomainError) as refused:
        sign_up(event)
    assert refused.value.code == "past"


def test_registration_for_draft_event_is_refused_as_not_found(sign_up, make):
    event = make.event(status=EventStatus.DRAFT)
    with pytest.raises(DomainError) as refused:
        sign_up(event)
    assert refused.value.code == "not_found"


def test_municipality_outside_eligible_list_is_refused_with_not_eligible(sign_up, make):
    event = make.event(eligible=("3101", "3105"))
    with pytest.raises(DomainError) as refused:
        sign_up(event, municipality="3107")
    assert refused.value.code == "not_eligible"
    assert sign_up(event, municipality="3105").registration.is_active


def test_signing_up_again_returns_the_existing_registration(sign_up, make):
    event = make.event()
    first = sign_up(event, "kari@example.no")
    again = sign_up(event, "KARI@example.no".lower())
    assert not again.created
    assert again.existing
    assert again.registration.id == first.registration.id
    assert count_registrations(event_id=event.id) == 1


def test_resubmitted_form_returns_the_same_registration(sign_up, make):
    event = make.event()
    first = sign_up(event, "kari@example.no", idempotency_key="form-123")
    again = sign_up(event, "kari@example.no", idempotency_key="form-123")
    assert again.registration.id == first.registration.id
    assert not again.created
    assert not again.existing
    assert count_registrations(event_id=event.id) == 1


def test_signing_up_again_does_not_rewrite_the_persons_details(sign_up, make):
    event, other_event = make.event(), make.event()
    sign_up(event, "kari@example.no", name="Kari Nordmann")
    sign_up(other_event, "kari@example.no", name="Noen Andre")
    person = db.session.scalar(select(Person).where(Person.email == "kari@example.no"))
    assert person.name == "Kari Nordmann"


def test_seats_per_municipality_caps_each_municipality(sign_up, make):
    event = make.event(capacity=10, seats_per_municipality=2)
    statuses = [
        sign_up(event, email, municipality="3107").registration.status for email in emails(3)
    ]
    assert statuses == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    other = sign_up(event, "halden@example.no", municipality="3101")
    assert other.registration.status == RegistrationStatus.CONFIRMED


def test_threshold_is_recorded_once_when_minimum_is_first_reached(sign_up, make):
    event = make.event(capacity=10, min_participants=2)
    sign_up(event, "a@example.no")
    assert event.threshold_reached_at is None
    sign_up(event, "b@example.no")
    db.session.refresh(event)
    reached = event.threshold_reached_at
    assert reached is not None
    sign_up(event, "c@example.no")
    db.session.refresh(event)
    assert event.threshold_reached_at == reached
