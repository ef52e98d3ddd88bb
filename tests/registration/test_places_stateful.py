"""A hypothesis state machine over sign-up, cancel and cap changes, checking the invariants
after every step."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import delete, select

from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import places, signup, waitlist
from usht_events.registration.models import (
    Person,
    Profession,
    Registration,
    RegistrationStatus,
)

MUNICIPALITIES = ("3101", "3105", "3107")
EMAILS = [f"p{i}@example.no" for i in range(10)]
BASE = "http://usht.test"


class SignUpMachine(RuleBasedStateMachine):
    """Random sequences of what participants and organisers do to one event."""

    make = None  # set by the test before the machine runs

    @initialize(
        capacity=st.integers(1, 5),
        per_municipality=st.none() | st.integers(1, 3),
        waitlist=st.booleans(),
    )
    def create_event(self, capacity, per_municipality, waitlist):
        db.session.rollback()
        db.session.execute(delete(Registration))
        db.session.execute(delete(Person))
        self.clock = utcnow()
        self.event = self.make.event(
            capacity=capacity,
            seats_per_municipality=per_municipality,
            waitlist_enabled=waitlist,
            starts_at=self.clock + timedelta(days=30),
            registration_closes_at=self.clock + timedelta(days=29),
        )
        for number in MUNICIPALITIES:
            self.make.municipality(number)
        db.session.commit()
        self.ever_waitlisted: set[int] = set()

    def _tick(self):
        self.clock += timedelta(seconds=1)
        return self.clock

    @rule(email=st.sampled_from(EMAILS), municipality=st.sampled_from(MUNICIPALITIES))
    def sign_up(self, email, municipality):
        details = signup.SignUp(
            name="Test",
            email=email,
            municipality_number=municipality,
            workplace="Sykehjem",
            profession=Profession.NURSE,
        )
        try:
            result = signup.register(db.session, self.event.id, details, self._tick())
        except DomainError as error:
            db.session.rollback()
            assert not self.event.waitlist_enabled
            # "Full" only when the event is; otherwise the refusal names the municipality.
            confirmed, here = places.confirmed_counts(db.session, self.event.id, municipality)
            if places.has_room(self.event, confirmed):
                assert error.code == "municipality_full"
                assert here >= self.event.seats_per_municipality
            else:
                assert error.code == "full"
            return
        db.session.commit()
        if result.registration.status == RegistrationStatus.WAITLISTED:
            self.ever_waitlisted.add(result.registration.id)

    @rule(data=st.data())
    def cancel(self, data):
        active = self._registrations(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        if not active:
            return
        registration = data.draw(st.sampled_from(active))
        waitlist.cancel_registration(db.session, registration, self._tick(), BASE)
        db.session.commit()

    @rule(capacity=st.integers(1, 8))
    def change_capacity(self, capacity):
        self._change(capacity, self.event.seats_per_municipality)

    @rule(per_municipality=st.none() | st.integers(1, 4))
    def change_seats_per_municipality(self, per_municipality):
        self._change(self.event.capacity, per_municipality)

    def _change(self, capacity, per_municipality):
        try:
            waitlist.change_capacity(
                db.session, self.event.id, capacity, per_municipality, self._tick(), BASE
            )
        except DomainError as error:
            db.session.rollback()
            assert error.code == "capacity_below_confirmed"
            return
        db.session.commit()

    def _registrations(self, *statuses):
        return list(
            db.session.scalars(
                select(Registration)
                .where(Registration.event_id == self.event.id, Registration.status.in_(statuses))
                .order_by(Registration.created_at, Registration.id)
            )
        )

    @invariant()
    def confirmed_never_exceed_capacity(self):
        confirmed = self._registrations(RegistrationStatus.CONFIRMED)
        assert len(confirmed) <= self.event.capacity

    @invariant()
    def confirmed_per_municipality_never_exceed_its_cap(self):
        cap = self.event.seats_per_municipality
        if cap is None:
            return
        for number in MUNICIPALITIES:
            confirmed = self._registrations(RegistrationStatus.CONFIRMED)
            assert sum(r.municipality_number == number for r in confirmed) <= cap

    @invariant()
    def nobody_waits_while_a_seat_they_fit_is_free(self):
        for waiting in self._registrations(RegistrationStatus.WAITLISTED):
            assert not places.has_seat_for(db.session, self.event, waiting.municipality_number)

    @invariant()
    def waiting_list_is_served_in_sign_up_order(self):
        waiting = self._registrations(RegistrationStatus.WAITLISTED)
        assert places.waiting_list(db.session, self.event.id) == waiting
        promoted = [
            r
            for r in self._registrations(RegistrationStatus.CONFIRMED)
            if r.id in self.ever_waitlisted
        ]
        # Within a municipality nobody who signed up later was promoted past someone waiting.
        for still_waiting in waiting:
            assert not any(
                r.municipality_number == still_waiting.municipality_number
                and r.created_at > still_waiting.created_at
                for r in promoted
            )

    @invariant()
    def one_active_registration_per_person(self):
        active = self._registrations(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        people = [r.person_id for r in active]
        assert len(people) == len(set(people))


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_sign_up_invariants_hold_after_every_step(database, request, make):
    request.getfixturevalue("app" if database == "sqlite" else "pg_app")
    SignUpMachine.make = make
    SignUpMachine.TestCase.settings = settings(
        max_examples=60 if database == "sqlite" else 30,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    SignUpMachine.TestCase().runTest()
