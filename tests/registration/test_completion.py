"""Completion: every session, a number of sessions, and the organiser's override either way
with a reason (audited); shown on the participants page and in both exports."""

import pytest
from sqlalchemy import select

from tests.conftest import _csrf_token
from tests.tables import csv_table, xlsx_table
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import completion
from usht_events.registration.models import (
    Attendance,
    CompletionOverride,
    RegistrationStatus,
)


def _attend(registration, sessions):
    for item in sessions:
        db.session.add(Attendance(registration_id=registration.id, session_id=item.id))
    db.session.flush()


def _completions(event):
    return completion.event_completions(db.session, event)


@pytest.fixture
def network(any_app, make):
    """A learning network of four gatherings and four participants."""
    event = make.event(days=4, kind="learning_network", title="Læringsnettverk demens")
    people = [make.registration(event) for _ in range(4)]
    for registration, count in zip(people, (4, 3, 2, 0), strict=True):
        _attend(registration, event.sessions[:count])
    db.session.commit()
    return event, people


def test_every_session_is_the_default(network):
    event, people = network
    done = _completions(event)
    assert [done[r.id].completed for r in people] == [True, False, False, False]
    assert [done[r.id].attended for r in people] == [4, 3, 2, 0]
    assert done[people[0].id].required == 4 and not done[people[0].id].overridden


def test_a_number_of_sessions_is_enough_when_the_event_says_so(network):
    event, people = network
    event.required_sessions = 3
    db.session.commit()
    done = _completions(event)
    assert [done[r.id].completed for r in people] == [True, True, False, False]
    assert done[people[1].id].required == 3


def test_a_requirement_above_the_sessions_asks_for_all_of_them(network):
    event, _people = network
    event.required_sessions = 9
    assert completion.sessions_required(event) == 4


def test_attendance_at_another_event_does_not_count(any_app, make, network):
    event, people = network
    other = make.event(days=1)
    db.session.add(Attendance(registration_id=people[1].id, session_id=other.sessions[0].id))
    db.session.commit()
    assert _completions(event)[people[1].id].attended == 3


def test_waitlisted_and_cancelled_places_never_complete_by_attendance(any_app, make):
    event = make.event(days=1)
    waiting = make.registration(event, status=RegistrationStatus.WAITLISTED)
    cancelled = make.registration(event, status=RegistrationStatus.CANCELLED)
    _attend(waiting, event.sessions)
    _attend(cancelled, event.sessions)
    done = _completions(event)
    assert not done[waiting.id].completed and not done[cancelled.id].completed


def test_override_either_way_with_a_reason_and_back_to_the_attendance(network, make):
    event, people = network
    organiser, _ = make.user("organiser", centre=event.centre)
    absent, present = people[3], people[0]
    result = completion.override_completion(
        db.session, organiser, absent.id, True, "Tok økten digitalt.", utcnow()
    )
    assert result.completed and result.overridden and result.reason == "Tok økten digitalt."
    result = completion.override_completion(
        db.session, organiser, present.id, False, "Gikk etter en time.", utcnow()
    )
    assert not result.completed
    db.session.commit()
    done = _completions(event)
    assert done[absent.id].completed and not done[present.id].completed

    completion.override_completion(db.session, organiser, present.id, None, "", utcnow())
    db.session.commit()
    assert _completions(event)[present.id].completed
    assert db.session.get(CompletionOverride, present.id) is None
    summaries = list(
        db.session.scalars(
            select(AuditEntry.summary)
            .where(AuditEntry.action == "registration.completion")
            .order_by(AuditEntry.id)
        )
    )
    assert len(summaries) == 3
    assert "fullført (overstyrt): Tok økten digitalt." in summaries[0]
    assert "ikke fullført (overstyrt): Gikk etter en time." in summaries[1]
    assert "følger oppmøtet igjen" in summaries[2]


def test_override_needs_a_reason_and_a_confirmed_place(any_app, make, network):
    event, people = network
    with pytest.raises(DomainError) as refused:
        completion.override_completion(db.session, None, people[3].id, True, "  ", utcnow())
    assert refused.value.code == "reason_required" and refused.value.field == "reason"
    waiting = make.registration(event, status=RegistrationStatus.WAITLISTED)
    with pytest.raises(DomainError) as refused:
        completion.override_completion(db.session, None, waiting.id, True, "Kom likevel", utcnow())
    assert refused.value.code == "not_confirmed"


# Pages and exports


@pytest.fixture
def course(app, make):
    event = make.event(days=2, title="HHLR-instruktørkurs")
    kari = make.registration(event, make.person(name="Kari Nordmann"))
    ola = make.registration(event, make.person(name="Ola Hansen"))
    _attend(kari, event.sessions)
    _attend(ola, event.sessions[:1])
    db.session.commit()
    return event, kari, ola


def _post(client, url, data):
    token = _csrf_token(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_participants_page_shows_attendance_and_completion(login_as, course):
    event, _kari, _ola = course
    organiser = login_as("organiser", centre=event.centre)
    page = organiser.get(f"/admin/events/{event.id}/registrations").get_data(as_text=True)
    assert "Møtt på alle 2 øktene" in page
    assert page.count("Fullført: Ja") == 1 and page.count("Fullført: Nei") == 1
    assert page.count("2 av 2") == 1 and page.count("1 av 2") == 1


def test_override_through_the_page_is_shown_and_audited(login_as, course):
    event, _kari, ola = course
    organiser = login_as("organiser", centre=event.centre)
    url = f"/admin/registrations/{ola.id}/completion"
    answer = _post(organiser, url, {"completed": "yes", "reason": "Tok dag 2 med neste kull."})
    assert answer.status_code == 303
    page = organiser.get(answer.location).get_data(as_text=True)
    assert "står nå som fullført (overstyrt)" in page
    assert "overstyrt: Tok dag 2 med neste kull." in page
    refused = _post(organiser, url, {"completed": "no", "reason": ""})
    assert "Skriv hvorfor du overstyrer oppmøtet." in organiser.get(refused.location).get_data(
        as_text=True
    )
    assert _completions(event)[ola.id].completed


def test_another_centre_cannot_override(login_as, make, course):
    event, _kari, ola = course
    stranger = login_as("organiser", centre=make.centre("vest"))
    answer = _post(
        stranger, f"/admin/registrations/{ola.id}/completion", {"completed": "yes", "reason": "x"}
    )
    assert answer.status_code == 404
    assert not _completions(event)[ola.id].completed


def test_both_exports_carry_attendance_and_completion(login_as, course):
    event, kari, _ola = course
    organiser = login_as("organiser", centre=event.centre)
    completion.override_completion(db.session, None, kari.id, False, "Gikk tidlig", utcnow())
    db.session.commit()
    rows = csv_table(organiser.get(f"/admin/events/{event.id}/registrations.csv").data)
    # The day columns of the check-in desk follow; completion sits after the sign-up time.
    at = rows[0].index("Oppmøte")
    assert rows[0][at : at + 2] == ["Oppmøte", "Fullført"]
    by_name = {row[0]: row[at : at + 2] for row in rows[1:]}
    assert by_name == {
        "Kari Nordmann": ["2 av 2", "Nei (overstyrt)"],
        "Ola Hansen": ["1 av 2", "Nei"],
    }
    values = xlsx_table(organiser.get(f"/admin/events/{event.id}/registrations.xlsx").data)
    assert list(values[0][at : at + 2]) == ["Oppmøte", "Fullført"]
    assert {row[0]: list(row[at : at + 2]) for row in values[1:]} == by_name
