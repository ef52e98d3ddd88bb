"""The desk over HTTP: the public JSON contract, the pages without JavaScript, the ticket page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.checkin.conftest import build_course
from tests.conftest import AuthActions
from usht_events.checkin.desk import ticket_key
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage
from usht_events.registration.models import Attendance, CheckinMethod, Registration

JSON = {"Accept": "application/json"}


@pytest.fixture
def course(app, make):
    return build_course(make)


@pytest.fixture
def desk(app, course, make):
    """A client logged in as the course's organiser, with the page's CSRF token."""
    user, password = make.user(role="organiser", centre=course.event.centre)
    db.session.commit()
    client = app.test_client()
    assert AuthActions(client).login(user.email, password).status_code == 302
    page = client.get(f"/admin/events/{course.event.id}/checkin").get_data(as_text=True)
    client.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.user = user
    return client


def _post(desk, course, headers=JSON, **data):
    return desk.post(
        f"/admin/events/{course.event.id}/checkin",
        data={"csrf_token": desk.csrf, **data},
        headers=headers,
    )


def _attendances():
    return db.session.scalars(select(Attendance)).all()


def test_each_result_of_the_public_json_contract(desk, course):
    day = course.day_one.id
    token = course.confirmed.ticket_token
    first = _post(desk, course, code=f"http://usht.test/t/{token}", session=day)
    assert first.status_code == 200
    body = first.get_json()
    assert body["result"] == "checked_in"
    assert body["name"] == "Kari Nordmann"
    assert body["municipality"] == "Indre Østfold"
    assert body["message"] == "Sjekket inn: Kari Nordmann, Indre Østfold"
    assert body["session"] == day
    again = _post(desk, course, code=token, session=day).get_json()
    assert again["result"] == "already_checked_in"
    assert again["message"] == f"Allerede sjekket inn kl. {again['time']}"
    assert re.fullmatch(r"\d\d\.\d\d", again["time"])
    answers = {
        "wrong_event": course.elsewhere.ticket_token,
        "cancelled": course.cancelled.ticket_token,
        "waitlisted": course.waitlisted.ticket_token,
        "unknown": "ikke-en-billett",
    }
    for result, code in answers.items():
        answer = _post(desk, course, code=code, session=day).get_json()
        assert answer["result"] == result, answer
    assert len(_attendances()) == 1


def test_the_messages_follow_the_chosen_language(desk, course):
    desk.get("/?lang=en")
    answer = _post(desk, course, code=course.cancelled.ticket_token).get_json()
    assert answer["message"] == "The registration is cancelled"


def test_without_a_session_the_day_running_now_is_used(desk, course):
    answer = _post(desk, course, code=course.confirmed.ticket_token).get_json()
    assert answer["session"] == course.day_one.id


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"code": ""}, 422, "no_code"),
        ({"code": "x", "session": "abc"}, 422, "unknown_session"),
        ({"code": "x", "session": "999999"}, 422, "unknown_session"),
    ],
)
def test_requests_that_cannot_be_answered_say_why_in_json(desk, course, data, status, error):
    response = _post(desk, course, **data)
    assert response.status_code == status
    assert response.get_json()["error"] == error


def test_without_javascript_the_answer_comes_back_as_a_message_on_the_desk(desk, course):
    response = _post(desk, course, headers={}, code=course.confirmed.ticket_code)
    assert response.status_code == 303
    page = desk.get(response.location).get_data(as_text=True)
    assert "Sjekket inn: Kari Nordmann, Indre Østfold" in page
    assert "1</span> av <span" in page


def test_the_name_search_finds_and_checks_in_without_javascript(desk, course):
    page = desk.get(
        f"/admin/events/{course.event.id}/checkin?q=ola&session={course.day_one.id}"
    ).get_data(as_text=True)
    assert "Ola Hansen" in page
    assert "Kari Nordmann</th>" not in page
    response = _post(
        desk, course, headers={}, registration=course.second.id, session=course.day_one.id, q="ola"
    )
    assert response.status_code == 303
    assert "q=ola" in response.location
    (attendance,) = _attendances()
    assert attendance.method == CheckinMethod.SEARCH
    assert attendance.checked_in_by_id == desk.user.id


def test_undo_from_the_desk(desk, course):
    _post(desk, course, code=course.confirmed.ticket_token, session=course.day_one.id)
    response = desk.post(
        f"/admin/events/{course.event.id}/checkin/undo",
        data={
            "csrf_token": desk.csrf,
            "registration": course.confirmed.id,
            "session": course.day_one.id,
        },
    )
    assert response.status_code == 303
    assert _attendances() == []
    assert "Innsjekkingen av Kari Nordmann er angret." in desk.get(response.location).get_data(
        as_text=True
    )
    assert db.session.scalars(select(AuditEntry.action)).all() == ["attendance.undo"]


def test_the_snapshot_and_the_sync_of_queued_scans(desk, course):
    snapshot = desk.get(
        f"/admin/events/{course.event.id}/checkin/snapshot?session={course.day_one.id}"
    )
    assert snapshot.headers["Cache-Control"] == "no-store"
    keys = {key for ticket in snapshot.get_json()["tickets"] for key in ticket["keys"]}
    assert ticket_key(course.confirmed.ticket_token) in keys
    scanned_at = (course.now - timedelta(minutes=7)).isoformat()
    scans = [
        {"id": "a", "code": course.confirmed.ticket_token, "session": course.day_one.id,
         "scanned_at": scanned_at},
        {"id": "b", "code": course.cancelled.ticket_token, "session": course.day_one.id,
         "scanned_at": scanned_at},
        {"id": "c", "code": "x", "session": course.other_event.sessions[0].id,
         "scanned_at": scanned_at},
    ]  # fmt: skip
    response = desk.post(
        f"/admin/events/{course.event.id}/checkin/sync",
        json={"scans": scans},
        headers={"X-CSRFToken": desk.csrf},
    )
    results = {item["id"]: item for item in response.get_json()["results"]}
    assert results["a"]["result"] == "checked_in"
    assert results["b"]["result"] == "cancelled"
    assert results["c"]["error"] == "unknown_session"
    (attendance,) = _attendances()
    assert attendance.checked_in_at == course.now - timedelta(minutes=7)


def test_a_malformed_sync_is_a_json_error(desk, course):
    response = desk.post(
        f"/admin/events/{course.event.id}/checkin/sync",
        json={"scans": [{"id": "a"}]},
        headers={"X-CSRFToken": desk.csrf},
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == "bad_scan"


def test_the_desk_page_allows_the_decoder_and_nothing_else_more(desk, course):
    response = desk.get(f"/admin/events/{course.event.id}/checkin")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert "unsafe-inline" not in policy
    assert "'wasm-unsafe-eval'" not in desk.get("/admin").headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_service_worker_is_served_from_the_events_folder(desk):
    response = desk.get("/admin/events/checkin-sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"


def test_walk_in_over_capacity_from_the_form(desk, course):
    page = desk.get(f"/admin/events/{course.event.id}/checkin/walk-in").get_data(as_text=True)
    form_key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    details = {
        "csrf_token": desk.csrf,
        "form_key": form_key,
        "session": course.day_one.id,
        "name": "Nina Ny",
        "email": "nina@example.no",
        "municipality": "3118",
        "workplace": "Mysen sykehjem",
        "profession": "nurse",
        "consent": "y",
    }
    url = f"/admin/events/{course.event.id}/checkin/walk-in"
    full = desk.post(url, data=details)
    assert full.status_code == 422
    assert "Kryss av for å gi personen plass over kapasiteten." in full.get_data(as_text=True)
    done = desk.post(url, data=details | {"over_capacity": "y"})
    assert done.status_code == 303
    assert "Sjekket inn: Nina Ny" in desk.get(done.location).get_data(as_text=True)
    nina = db.session.scalar(select(Registration).join(Registration.person).where(
        Registration.person.has(email="nina@example.no")
    ))  # fmt: skip
    assert [a.method for a in _attendances()] == [CheckinMethod.WALK_IN]
    assert _attendances()[0].registration_id == nina.id


def test_another_centres_organiser_gets_nothing(app, make, course, login_as):
    other = login_as("organiser")
    assert other.get(f"/admin/events/{course.event.id}/checkin").status_code == 404
    assert other.get(f"/t/{course.confirmed.ticket_token}").status_code == 200


# The ticket page


def test_the_ticket_shows_event_days_name_and_qr_code(client, course):
    page = client.get(f"/t/{course.confirmed.ticket_token}").get_data(as_text=True)
    assert "ProACT" in page and "Kari Nordmann" in page
    assert page.count("<li>") >= 2  # both days
    assert "<svg" in page
    assert "Vis QR-koden" in page
    assert "Sjekk inn" not in page


@pytest.mark.parametrize(
    ("which", "text"),
    [
        ("cancelled", "Denne påmeldingen er avmeldt"),
        ("waitlisted", "Denne påmeldingen står på ventelisten"),
    ],
)
def test_a_cancelled_or_waitlisted_ticket_says_so_without_a_qr_code(client, course, which, text):
    page = client.get(f"/t/{getattr(course, which).ticket_token}").get_data(as_text=True)
    assert text in page
    assert "<svg" not in page
    assert "Vis QR-koden" not in page


@pytest.mark.parametrize("code", ["ABCDEFGHJK", "x" * 22, "nope"])
def test_the_read_out_code_and_guesses_are_not_tickets(client, course, code):
    assert client.get(f"/t/{code}").status_code == 404
    assert client.get(f"/t/{course.confirmed.ticket_code}").status_code == 404


def test_an_organiser_of_the_centre_checks_in_with_one_tap_on_the_ticket(desk, course):
    url = f"/t/{course.confirmed.ticket_token}"
    page = desk.get(url).get_data(as_text=True)
    assert 'name="via" value="ticket"' in page
    assert f'name="session" value="{course.day_one.id}"' in page
    response = _post(
        desk, course, headers={}, code=course.confirmed.ticket_token,
        session=course.day_one.id, via="ticket",
    )  # fmt: skip
    assert response.status_code == 303
    assert response.location.endswith(url)
    after = desk.get(url).get_data(as_text=True)
    assert "Sjekket inn: Kari Nordmann" in after
    assert "Sjekket inn kl." in after
    (attendance,) = _attendances()
    assert attendance.method == CheckinMethod.TICKET_PAGE


def test_no_one_tap_when_no_day_is_running(desk, course):
    course.event.sessions[0].starts_at = course.now + timedelta(days=5)
    course.event.sessions[0].ends_at = course.now + timedelta(days=5, hours=2)
    course.event.sessions[1].starts_at = course.now + timedelta(days=6)
    course.event.sessions[1].ends_at = course.now + timedelta(days=6, hours=2)
    db.session.commit()
    page = desk.get(f"/t/{course.confirmed.ticket_token}").get_data(as_text=True)
    assert "Ingen dag av arrangementet pågår nå" in page
    assert 'name="via"' not in page


def test_a_new_ticket_revokes_the_old_one_and_is_mailed(desk, course):
    old_token, old_code = course.confirmed.ticket_token, course.confirmed.ticket_code
    response = desk.post(
        f"/admin/registrations/{course.confirmed.id}/ticket", data={"csrf_token": desk.csrf}
    )
    assert response.status_code == 303
    db.session.refresh(course.confirmed)
    assert course.confirmed.ticket_token != old_token
    assert course.confirmed.ticket_code != old_code
    assert desk.get(f"/t/{old_token}").status_code == 404
    assert desk.get(f"/t/{course.confirmed.ticket_token}").status_code == 200
    assert _post(desk, course, code=old_token).get_json()["result"] == "unknown"
    assert _post(desk, course, code=old_code).get_json()["result"] == "unknown"
    assert db.session.scalars(select(AuditEntry.action)).all() == ["registration.new_ticket"]
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.registration_id == course.confirmed.id)
    ).all()
    assert mail
    assert _post(desk, course, code=course.confirmed.ticket_token).get_json()["result"] == (
        "checked_in"
    )
