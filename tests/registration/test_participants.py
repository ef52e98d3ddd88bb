"""The organiser's participant rules (adding by hand, cancelling, moving up, resending,
messages), one rule per test, without HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from usht_events.catalogue.models import EventStatus
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage
from usht_events.registration import participants, places, signup, waitlist
from usht_events.registration.models import (
    Profession,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from usht_events.registration.participants import Audience
from usht_events.registration.signup import SignUp

BASE = "http://usht.test"
CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


@pytest.fixture
def ctx(app):
    """Mails are rendered inside a request context, as the views do."""
    with app.test_request_context():
        yield


@pytest.fixture
def organiser(make):
    """An organiser at Østfold; Fredrikstad exists for the sign-ups."""
    make.municipality("3107")
    user, _ = make.user(role="organiser", centre=make.centre("ostfold"))
    return user


def _signup(email="kari@example.no", municipality="3107", key=None) -> SignUp:
    return SignUp(
        name="Kari Nordmann",
        email=email,
        municipality_number=municipality,
        workplace="Mysen sykehjem",
        profession=Profession.NURSE,
        idempotency_key=key,
        source=RegistrationSource.ORGANISER,
    )


def _kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _add(user, event, details=None, now=None):
    now = now or utcnow()
    return signup.sign_up(db.session, event.id, details or _signup(), now, BASE, actor=user)


def test_status_counts_include_every_status(app, make):
    event = make.event()
    make.registration(event)
    make.registration(event, status=CANCELLED)
    assert participants.status_counts(db.session, event.id) == {
        CONFIRMED: 1,
        WAITLISTED: 0,
        CANCELLED: 1,
    }


def test_municipality_counts_leave_out_cancelled_places(app, make):
    event = make.event()
    make.registration(event, make.person(municipality="3107"))
    make.registration(event, make.person(municipality="3107"), status=WAITLISTED)
    make.registration(event, make.person(municipality="3101"), status=CANCELLED)
    (fredrikstad,) = participants.municipality_counts(db.session, event.id)
    assert (fredrikstad.name, fredrikstad.confirmed, fredrikstad.waitlisted) == (
        "Fredrikstad",
        1,
        1,
    )


def test_waitlist_positions_follow_signup_order(app, make):
    event = make.event()
    now = utcnow()
    later = make.registration(event, status=WAITLISTED, created_at=now)
    first = make.registration(event, status=WAITLISTED, created_at=now - timedelta(hours=1))
    assert places.waitlist_positions(db.session, event.id) == {first.id: 1, later.id: 2}


def test_names_sort_in_norwegian_order():
    names = ["Åse", "Ødegård", "ærlig", "Zorro", "anna"]
    assert sorted(names, key=participants.sort_key) == ["anna", "Zorro", "ærlig", "Ødegård", "Åse"]


def test_add_by_hand_after_the_deadline_gives_a_place(ctx, make, organiser):
    event = make.event(centre=organiser.centre)
    event.registration_closes_at = utcnow() - timedelta(hours=1)
    result = _add(organiser, event)
    assert result.registration.status == CONFIRMED
    assert result.registration.source == RegistrationSource.ORGANISER
    assert _kinds() == ["confirmation"]
    assert _actions() == ["registration.add"]


def test_add_by_hand_that_reaches_the_minimum_tells_the_confirmed(ctx, make, organiser):
    event = make.event(min_participants=2)
    make.registration(event)
    _add(organiser, event)
    assert event.threshold_reached_at is not None
    assert sorted(_kinds()) == ["confirmation", "threshold_reached", "threshold_reached"]


def test_add_by_hand_to_a_full_event_goes_on_the_waiting_list(ctx, make, organiser):
    event = make.event(capacity=1)
    make.registration(event)
    assert _add(organiser, event).registration.status == WAITLISTED
    assert _kinds() == ["waitlisted"]


def test_add_by_hand_never_goes_beyond_capacity_without_a_waiting_list(ctx, make, organiser):
    event = make.event(capacity=1, waitlist_enabled=False)
    make.registration(event)
    with pytest.raises(DomainError) as error:
        _add(organiser, event)
    assert error.value.code == "full"
    assert "Øk kapasiteten" in error.value.message


def test_add_by_hand_holds_capacity_on_both_databases(any_app, make):
    make.municipality("3107")
    user, _ = make.user(role="admin")
    event = make.event(capacity=1, waitlist_enabled=False)
    with any_app.test_request_context():
        assert _add(user, event).registration.status == CONFIRMED
        with pytest.raises(DomainError) as error:
            _add(user, event, _signup(email="ola@example.no"))
    assert error.value.code == "full"
    assert participants.status_counts(db.session, event.id)[CONFIRMED] == 1


def test_add_by_hand_respects_seats_per_municipality(ctx, make, organiser):
    event = make.event(capacity=10, seats_per_municipality=1)
    make.registration(event, make.person(municipality="3107"))
    assert _add(organiser, event).registration.status == WAITLISTED


@pytest.mark.parametrize("status", [EventStatus.CANCELLED])
def test_add_by_hand_refuses_a_cancelled_event(ctx, make, organiser, status):
    with pytest.raises(DomainError) as error:
        _add(organiser, make.event(status=status))
    assert error.value.code == "event_cancelled"


def test_add_by_hand_refuses_an_event_that_is_over(ctx, make, organiser):
    event = make.event(starts_at=utcnow() - timedelta(days=2))
    with pytest.raises(DomainError) as error:
        _add(organiser, event)
    assert error.value.code == "past"


def test_add_by_hand_is_allowed_while_the_event_runs(ctx, make, organiser):
    event = make.event(starts_at=utcnow() - timedelta(hours=1), days=2)
    assert _add(organiser, event).created


def test_add_by_hand_refuses_someone_already_registered(ctx, make, organiser):
    event = make.event()
    make.registration(event, make.person(email="kari@example.no"))
    with pytest.raises(DomainError) as error:
        _add(organiser, event)
    assert error.value.code == "already_registered"


def test_add_by_hand_respects_eligibility(ctx, make, organiser):
    event = make.event(eligible=("3101",))
    with pytest.raises(DomainError) as error:
        _add(organiser, event)
    assert error.value.code == "not_eligible"


def test_add_by_hand_resubmitted_form_finds_the_first_registration(ctx, make, organiser):
    event = make.event()
    first = _add(organiser, event, _signup(key="k" * 24))
    again = _add(organiser, event, _signup(key="k" * 24))
    assert (again.registration.id, again.created) == (first.registration.id, False)
    assert _kinds() == ["confirmation"]


def test_promote_by_hand_without_a_free_seat_says_to_raise_the_capacity(ctx, make, organiser):
    event = make.event(capacity=1)
    make.registration(event)
    waiting = make.registration(event, status=WAITLISTED)
    with pytest.raises(DomainError) as error:
        waitlist.promote_registration(db.session, waiting, utcnow(), BASE, actor=organiser)
    assert error.value.code == "full"
    assert "Øk kapasiteten" in error.value.message
    assert waiting.status == WAITLISTED


def test_promote_by_hand_when_the_municipality_is_full_says_so(ctx, make, organiser):
    event = make.event(capacity=5, seats_per_municipality=1)
    make.registration(event, make.person(municipality="3107"))
    waiting = make.registration(event, make.person(municipality="3107"), status=WAITLISTED)
    with pytest.raises(DomainError) as error:
        waitlist.promote_registration(db.session, waiting, utcnow(), BASE, actor=organiser)
    assert error.value.code == "municipality_full"


def test_promote_by_hand_gives_a_free_seat_and_tells_the_person(ctx, make, organiser):
    event = make.event(capacity=2)
    make.registration(event)
    waiting = make.registration(event, status=WAITLISTED)
    waitlist.promote_registration(db.session, waiting, utcnow(), BASE, actor=organiser)
    assert waiting.status == CONFIRMED
    assert waiting.confirmed_at is not None
    assert _kinds() == ["promoted"]
    assert _actions() == ["registration.promote"]


def test_promote_by_hand_takes_only_waitlisted_places(ctx, make, organiser):
    confirmed = make.registration(make.event())
    with pytest.raises(DomainError) as error:
        waitlist.promote_registration(db.session, confirmed, utcnow(), BASE, actor=organiser)
    assert error.value.code == "not_waitlisted"


def test_cancel_by_hand_moves_the_next_one_up_and_tells_both(ctx, make, organiser):
    event = make.event(capacity=1)
    confirmed = make.registration(event)
    waiting = make.registration(event, status=WAITLISTED)
    promoted = waitlist.cancel_registration(
        db.session, confirmed, utcnow(), BASE, actor=organiser, reason="Kurset er flyttet."
    )
    assert promoted == [waiting]
    assert (confirmed.status, waiting.status) == (CANCELLED, CONFIRMED)
    assert _kinds() == ["cancelled_by_organiser", "promoted"]
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert entry.action == "registration.cancel"
    assert f"#{waiting.id}" in entry.summary
    assert entry.summary.endswith("Begrunnelse: Kurset er flyttet.")
    assert confirmed.person.name not in entry.summary


def test_cancel_by_hand_needs_a_reason(ctx, make, organiser):
    registration = make.registration(make.event())
    with pytest.raises(DomainError) as error:
        waitlist.cancel_registration(db.session, registration, utcnow(), BASE, actor=organiser)
    assert (error.value.code, error.value.field) == ("reason_missing", "reason")
    assert registration.status == CONFIRMED


@pytest.mark.parametrize(
    ("status", "kind"), [(CONFIRMED, "confirmation"), (WAITLISTED, "waitlisted")]
)
def test_resend_confirmation_sends_the_mail_for_the_status(ctx, make, organiser, status, kind):
    registration = make.registration(make.event(), status=status)
    participants.resend_confirmation(db.session, organiser, registration, BASE, utcnow())
    assert _kinds() == [kind]
    assert _actions() == ["registration.resend"]


def test_resend_confirmation_refuses_a_cancelled_place(ctx, make, organiser):
    registration = make.registration(make.event(), status=CANCELLED)
    with pytest.raises(DomainError) as error:
        participants.resend_confirmation(db.session, organiser, registration, BASE, utcnow())
    assert error.value.code == "registration_cancelled"


@pytest.fixture
def audiences(make):
    """Two confirmed, one waitlisted, one cancelled and one anonymised confirmed."""
    event = make.event()
    for _ in range(2):
        make.registration(event)
    make.registration(event, status=WAITLISTED)
    make.registration(event, status=CANCELLED)
    make.registration(event, make.person(anonymised_at=utcnow()))
    return event


@pytest.mark.parametrize(
    ("audience", "count"), [(Audience.ALL, 3), (Audience.CONFIRMED, 2), (Audience.WAITLISTED, 1)]
)
def test_message_recipients_are_the_active_ones_of_the_audience(app, audiences, audience, count):
    assert len(participants.message_recipients(db.session, audiences.id, audience)) == count


def test_queue_message_writes_one_mail_per_recipient_with_their_own_link(ctx, audiences, organiser):
    messages = participants.queue_message(
        db.session,
        organiser,
        audiences,
        Audience.ALL,
        "Husk\nmatpakke",
        "Ta med mat.",
        BASE,
        utcnow(),
    )
    assert len(messages) == 3
    assert {message.kind for message in messages} == {"message"}
    assert len({message.to_address for message in messages}) == 3
    assert messages[0].subject == "Husk matpakke"
    tokens = {r.id: r.token for r in db.session.scalars(select(Registration))}
    for message in messages:
        assert "Ta med mat." in message.body_text
        assert f"/r/{tokens[message.registration_id]}" in message.body_text
    assert _actions() == ["event.message"]


def test_queue_message_to_nobody_is_refused(ctx, make, organiser):
    with pytest.raises(DomainError) as error:
        participants.queue_message(
            db.session, organiser, make.event(), Audience.ALL, "Emne", "Tekst", BASE, utcnow()
        )
    assert error.value.code == "no_recipients"


def test_message_body_is_escaped_in_the_html_mail(ctx, audiences, organiser):
    (message, *_) = participants.queue_message(
        db.session, organiser, audiences, Audience.ALL, "Emne", "<b>fet</b>", BASE, utcnow()
    )
    assert "&lt;b&gt;fet&lt;/b&gt;" in message.body_html


def test_message_keeps_its_paragraphs_and_lists_as_on_the_event_page(ctx, audiences, organiser):
    body = "Husk:\n\n- matpakke\n- **innesko**"
    (message, *_) = participants.queue_message(
        db.session, organiser, audiences, Audience.ALL, "Emne", body, BASE, utcnow()
    )
    assert "<ul>\n<li>matpakke</li>\n<li><strong>innesko</strong></li>\n</ul>" in message.body_html
    assert body in message.body_text
