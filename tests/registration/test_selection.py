"""Acting on a selection of participants: cancelling with one reason, giving places from
the waiting list; per person what concerns them, the whole batch or nothing otherwise."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.registration.conftest import BASE
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage
from usht_events.registration import errors, selection
from usht_events.registration.models import Registration, RegistrationStatus

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


@pytest.fixture
def course(any_app, make, sign_up):
    """Two seats: Kari and Ola have them; Per, Siri and Tor wait, in that order."""
    event = make.event(capacity=2)
    people = {
        name: sign_up(event, f"{name.lower()}@example.no", name=name).registration
        for name in ("Kari", "Ola", "Per", "Siri", "Tor")
    }
    organiser = make.user("organiser", centre=event.centre)
    db.session.commit()
    return event, people, organiser


def _statuses(people) -> dict[str, RegistrationStatus]:
    db.session.expire_all()
    return {name: db.session.get(Registration, item.id).status for name, item in people.items()}


def _mails() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)
    )
    return [(kind, to) for kind, to in rows if kind != "confirmation" and kind != "waitlisted"]


def test_cancelling_a_selection_frees_seats_for_those_not_selected(course):
    event, people, organiser = course
    ids = [people["Ola"].id, people["Per"].id]
    outcome = selection.cancel_registrations(
        db.session, event, ids, utcnow(), BASE, organiser, "Kurset er for sykepleiere."
    )
    db.session.commit()
    # Per is cancelled before Ola's seat is freed, so the seat goes to Siri, not to Per.
    assert [item.person.name for item in outcome.done] == ["Per", "Ola"]
    assert [item.person.name for item in outcome.promoted] == ["Siri"]
    assert outcome.refused == []
    assert _statuses(people) == {
        "Kari": CONFIRMED,
        "Ola": CANCELLED,
        "Per": CANCELLED,
        "Siri": CONFIRMED,
        "Tor": WAITLISTED,
    }
    assert _mails() == [
        ("cancelled_by_organiser", "per@example.no"),
        ("cancelled_by_organiser", "ola@example.no"),
        ("promoted", "siri@example.no"),
    ]
    reasons = db.session.scalars(
        select(AuditEntry.summary).where(AuditEntry.action == "registration.cancel")
    ).all()
    assert len(reasons) == 2
    assert all(summary.endswith("Kurset er for sykepleiere.") for summary in reasons)


def test_one_already_cancelled_is_reported_and_the_rest_cancelled(course):
    event, people, organiser = course
    selection.cancel_registrations(
        db.session, event, [people["Tor"].id], utcnow(), BASE, organiser, "Feil kurs"
    )
    db.session.commit()
    outcome = selection.cancel_registrations(
        db.session, event, [people["Tor"].id, people["Siri"].id], utcnow(), BASE, organiser, "X"
    )
    assert [item.person.name for item in outcome.done] == ["Siri"]
    assert [(item.person.name, error.code) for item, error in outcome.refused] == [
        ("Tor", "already_cancelled")
    ]


@pytest.mark.parametrize(
    ("ids", "code"),
    [([], "nothing_selected"), (None, "not_found")],
    ids=["empty", "another-events-place"],
)
def test_a_selection_outside_the_event_writes_nothing(course, make, ids, code):
    event, people, organiser = course
    if ids is None:
        stranger = make.registration(make.event())
        db.session.commit()
        ids = [people["Kari"].id, stranger.id]
    with pytest.raises(DomainError) as refused:
        selection.cancel_registrations(db.session, event, ids, utcnow(), BASE, organiser, "X")
    db.session.rollback()
    assert refused.value.code == code
    assert _statuses(people)["Kari"] == CONFIRMED
    assert _mails() == []


def test_once_the_event_has_started_the_whole_batch_is_refused(course):
    event, people, organiser = course
    after_start = event.starts_at + timedelta(minutes=5)
    ids = [people["Per"].id, people["Ola"].id]
    with pytest.raises(DomainError) as refused:
        selection.cancel_registrations(db.session, event, ids, after_start, BASE, organiser, "X")
    db.session.rollback()
    assert refused.value.error == errors.CHANGE_AFTER_START
    assert _statuses(people)["Per"] == WAITLISTED
    assert _mails() == []


def test_giving_places_goes_in_waiting_list_order_while_seats_last(course):
    event, people, organiser = course
    event.capacity = 3
    db.session.commit()
    ids = [people["Tor"].id, people["Siri"].id, people["Kari"].id]
    outcome = selection.promote_registrations(db.session, event, ids, utcnow(), BASE, organiser)
    db.session.commit()
    assert [item.person.name for item in outcome.done] == ["Siri"]
    assert [(item.person.name, error.error) for item, error in outcome.refused] == [
        ("Kari", errors.NOT_WAITLISTED),
        ("Tor", errors.FULL_RAISE_CAPACITY),
    ]
    assert _statuses(people)["Siri"] == CONFIRMED
    assert _statuses(people)["Per"] == WAITLISTED
    assert _mails() == [("promoted", "siri@example.no")]


def test_a_municipality_without_seats_refuses_only_its_own_people(any_app, make, sign_up):
    event = make.event(capacity=4, seats_per_municipality=1)
    sign_up(event, "f1@example.no", municipality="3107")
    # Fredrikstad's one seat is taken: the second from there waits though seats are free.
    waiting_fredrikstad = sign_up(event, "f2@example.no", municipality="3107").registration
    assert waiting_fredrikstad.status == WAITLISTED
    halden = make.registration(event, make.person(municipality="3101"), status=WAITLISTED)
    organiser = make.user("organiser", centre=event.centre)
    db.session.commit()
    ids = [waiting_fredrikstad.id, halden.id]
    outcome = selection.promote_registrations(db.session, event, ids, utcnow(), BASE, organiser)
    assert outcome.done == [halden]
    assert [error.error for _item, error in outcome.refused] == [errors.MUNICIPALITY_FULL_RAISE_CAP]
