"""Cancelling, promotion from the waiting list, the caps and the counts, on both databases."""

import pytest
from sqlalchemy import select

from tests.registration.conftest import BASE, emails
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import places, waitlist
from usht_events.registration.models import Registration, RegistrationStatus


def test_cancelling_a_confirmed_place_promotes_the_earliest_waitlisted(sign_up, make):
    event = make.event(capacity=1)
    confirmed = sign_up(event, "a@example.no").registration
    first_waiting = sign_up(event, "b@example.no").registration
    sign_up(event, "c@example.no")
    promoted = waitlist.cancel_registration(db.session, confirmed, utcnow(), BASE)
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
    promoted = waitlist.cancel_registration(db.session, halden_confirmed, utcnow(), BASE)
    db.session.commit()
    assert promoted == [waiting_halden]
    assert waiting_fredrikstad.status == RegistrationStatus.WAITLISTED
    assert fredrikstad.status == RegistrationStatus.CONFIRMED


def test_cancelling_a_waitlisted_place_promotes_nobody(sign_up, make):
    event = make.event(capacity=1)
    sign_up(event, "a@example.no")
    waiting = sign_up(event, "b@example.no").registration
    assert waitlist.cancel_registration(db.session, waiting, utcnow(), BASE) == []
    assert waiting.status == RegistrationStatus.CANCELLED


def test_cancelling_twice_is_refused_with_already_cancelled(sign_up, make):
    event = make.event()
    registration = sign_up(event).registration
    waitlist.cancel_registration(db.session, registration, utcnow(), BASE)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        waitlist.cancel_registration(db.session, registration, utcnow(), BASE)
    assert refused.value.code == "already_cancelled"


def test_cancelled_person_can_sign_up_again(sign_up, make):
    event = make.event()
    first = sign_up(event, "kari@example.no").registration
    waitlist.cancel_registration(db.session, first, utcnow(), BASE)
    db.session.commit()
    again = sign_up(event, "kari@example.no")
    assert again.created
    assert again.registration.id != first.id


def test_raising_capacity_promotes_from_the_waitlist_in_order(sign_up, make):
    event = make.event(capacity=1)
    sign_up(event, "a@example.no")
    waiting = [sign_up(event, email).registration for email in emails(3)]
    promoted = waitlist.change_capacity(db.session, event.id, 3, None, utcnow(), BASE)
    db.session.commit()
    assert promoted == waiting[:2]
    assert waiting[2].status == RegistrationStatus.WAITLISTED


def test_capacity_below_confirmed_count_is_refused(sign_up, make):
    event = make.event(capacity=3)
    for email in emails(2):
        sign_up(event, email)
    with pytest.raises(DomainError) as refused:
        waitlist.change_capacity(db.session, event.id, 1, None, utcnow(), BASE)
    assert refused.value.code == "capacity_below_confirmed"


def test_waitlist_position_follows_sign_up_order(sign_up, make):
    event = make.event(capacity=1)
    sign_up(event, "a@example.no")
    waiting = [sign_up(event, email).registration for email in emails(3)]
    assert [places.waitlist_position(db.session, r) for r in waiting] == [1, 2, 3]


def test_counts_for_events_counts_confirmed_and_waitlisted(sign_up, make):
    event = make.event(capacity=1)
    empty = make.event()
    sign_up(event, "a@example.no")
    sign_up(event, "b@example.no")
    counts = places.counts_for_events(db.session, [event.id, empty.id])
    assert counts[event.id] == places.Counts(confirmed=1, waitlisted=1)
    assert counts[empty.id] == places.Counts()
