"""One test per sign-up rule, on SQLite and PostgreSQL, asserting the domain error's code."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from usht_events.catalogue.models import EventStatus
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import rules
from usht_events.registration.models import (
    Person,
    Profession,
    Registration,
    RegistrationStatus,
)


@pytest.fixture
def sign_up(any_app, make):
    """Sign someone up through the rule and commit, as one request would."""

    def sign_up_as(event, email=None, municipality="3107", now=None, known=True, **fields):
        if known:
            make.municipality(municipality)
        db.session.commit()  # what the test set up exists before the "request" begins
        signup = rules.SignUp(
            name=fields.pop("name", "Kari Nordmann"),
            email=email or f"p{utcnow().timestamp()}{id(fields)}@example.no",
            municipality_number=municipality,
            workplace="Hjemmetjenesten",
            profession=Profession.NURSE,
            **fields,
        )
        try:
            result = rules.register(db.session, event.id, signup, now or utcnow())
        except DomainError:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return sign_up_as


def _count(**where) -> int:
    query = select(func.count(Registration.id))
    for name, value in where.items():
        query = query.where(getattr(Registration, name) == value)
    return db.session.scalar(query)


def _emails(n):
    return [f"person{i}@example.no" for i in range(n)]


def test_sign_up_within_capacity_is_confirmed(sign_up, make):
    event = make.event(capacity=2)
    result = sign_up(event, "kari@example.no")
    assert result.created
    assert result.registration.status == RegistrationStatus.CONFIRMED


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
    assert _count(event_id=event.id) == 1
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
    assert _count(event_id=event.id) == 0


def test_registration_for_started_event_is_refused_with_past(sign_up, make):
    event = make.event(
        starts_at=utcnow() - timedelta(hours=1),
        registration_opens_at=utcnow() - timedelta(days=9),
        registration_closes_at=None,
    )
    with pytest.raises(DomainError) as refused:
        sign_up(event)
    assert refused.value.code == "past"


def test_registration_for_cancelled_event_is_refused_with_cancelled(sign_up, make):
    event = make.event(status=EventStatus.CANCELLED)
    with pytest.raises(DomainError) as refused:
        sign_up(event)
    assert refused.value.code == "cancelled"


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
    assert _count(event_id=event.id) == 1


def test_resubmitted_form_returns_the_same_registration(sign_up, make):
    event = make.event()
    first = sign_up(event, "kari@example.no", idempotency_key="form-123")
    again = sign_up(event, "kari@example.no", idempotency_key="form-123")
    assert again.registration.id == first.registration.id
    assert not again.created
    assert not again.existing
    assert _count(event_id=event.id) == 1


def test_signing_up_again_does_not_rewrite_the_persons_details(sign_up, make):
    event, other_event = make.event(), make.event()
    sign_up(event, "kari@example.no", name="Kari Nordmann")
    sign_up(other_event, "kari@example.no", name="Noen Andre")
    person = db.session.scalar(select(Person).where(Person.email == "kari@example.no"))
    assert person.name == "Kari Nordmann"


def test_seats_per_municipality_caps_each_municipality(sign_up, make):
    event = make.event(capacity=10, seats_per_municipality=2)
    statuses = [
        sign_up(event, email, municipality="3107").registration.status for email in _emails(3)
    ]
    assert statuses == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    other = sign_up(event, "halden@example.no", municipality="3101")
    assert other.registration.status == RegistrationStatus.CONFIRMED


def test_cancelling_a_confirmed_place_promotes_the_earliest_waitlisted(sign_up, make):
    event = make.event(capacity=1)
    confirmed = sign_up(event, "a@example.no").registration
    first_waiting = sign_up(event, "b@example.no").registration
    sign_up(event, "c@example.no")
    promoted = rules.cancel(db.session, confirmed, utcnow())
    db.session.commit()
    assert [registration.id for registration in promoted] == [first_waiting.id]
    assert first_waiting.status == RegistrationStatus.CONFIRMED


def test_promotion_skips_waitlisted_who_do_not_fit_their_municipality_cap(sign_up, make):
    event = make.event(capacity=3, seats_per_municipality=1)
    fredrikstad = sign_up(event, "f1@example.no", municipality="3107").registration
    sign_up(event, "h1@example.no", municipality="3101")
    sign_up(event, "s1@example.no", municipality="3105")
    waiting_fredrikstad = sign_up(event, "f2@example.no", municipality="3107").registration
    waiting_halden = sign_up(event, "h2@example.no", municipality="3101").registration
    halden_confirmed = db.session.scalar(
        select(Registration).where(
            Registration.municipality_number == "3101",
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    promoted = rules.cancel(db.session, halden_confirmed, utcnow())
    db.session.commit()
    assert promoted == [waiting_halden]
    assert waiting_fredrikstad.status == RegistrationStatus.WAITLISTED
    assert fredrikstad.status == RegistrationStatus.CONFIRMED


def test_cancelling_a_waitlisted_place_promotes_nobody(sign_up, make):
    event = make.event(capacity=1)
    sign_up(event, "a@example.no")
    waiting = sign_up(event, "b@example.no").registration
    assert rules.cancel(db.session, waiting, utcnow()) == []
    assert waiting.status == RegistrationStatus.CANCELLED


def test_cancelling_twice_is_refused_with_already_cancelled(sign_up, make):
    event = make.event()
    registration = sign_up(event).registration
    rules.cancel(db.session, registration, utcnow())
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        rules.cancel(db.session, registration, utcnow())
    assert refused.value.code == "already_cancelled"


def test_cancelled_person_can_sign_up_again(sign_up, make):
    event = make.event()
    first = sign_up(event, "kari@example.no").registration
    rules.cancel(db.session, first, utcnow())
    db.session.commit()
    again = sign_up(event, "kari@example.no")
    assert again.created
    assert again.registration.id != first.id


def test_raising_capacity_promotes_from_the_waitlist_in_order(sign_up, make):
    event = make.event(capacity=1)
    sign_up(event, "a@example.no")
    waiting = [sign_up(event, email).registration for email in _emails(3)]
    promoted = rules.change_capacity(db.session, event.id, 3, None, utcnow())
    db.session.commit()
    assert promoted == waiting[:2]
    assert waiting[2].status == RegistrationStatus.WAITLISTED


def test_capacity_below_confirmed_count_is_refused(sign_up, make):
    event = make.event(capacity=3)
    for email in _emails(2):
        sign_up(event, email)
    with pytest.raises(DomainError) as refused:
        rules.change_capacity(db.session, event.id, 1, None, utcnow())
    assert refused.value.code == "capacity_below_confirmed"


def test_waitlist_position_follows_sign_up_order(sign_up, make):
    event = make.event(capacity=1)
    sign_up(event, "a@example.no")
    waiting = [sign_up(event, email).registration for email in _emails(3)]
    assert [rules.waitlist_position(db.session, r) for r in waiting] == [1, 2, 3]


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


def test_counts_for_events_counts_confirmed_and_waitlisted(sign_up, make):
    event = make.event(capacity=1)
    empty = make.event()
    sign_up(event, "a@example.no")
    sign_up(event, "b@example.no")
    counts = rules.counts_for_events(db.session, [event.id, empty.id])
    assert counts[event.id] == rules.Counts(confirmed=1, waitlisted=1)
    assert counts[empty.id] == rules.Counts()
