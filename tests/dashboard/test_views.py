"""The organiser's overview under /admin: sections, decisions, failed mail, the event log."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from usht_events.accounts.models import Role
from usht_events.catalogue.models import EventStatus
from usht_events.core.audit import AuditEntry, record_action
from usht_events.core.db import db, utcnow
from usht_events.core.outbox import OutboxMessage, OutboxStatus
from usht_events.registration.models import RegistrationStatus


@pytest.fixture
def ostfold(make):
    return make.centre("ostfold", name="USHT Østfold")


@pytest.fixture
def buskerud(make):
    return make.centre("buskerud", name="USHT Buskerud")


@pytest.fixture
def organiser(login_as, ostfold):
    """An organiser of USHT Østfold, logged in."""
    return login_as("organiser", centre=ostfold)


@pytest.fixture
def due_event(make, ostfold):
    """A published event needing 3 participants whose decision time passed an hour ago."""

    def build(title: str, confirmed: int = 0, **fields):
        values = {
            "title": title,
            "centre": ostfold,
            "min_participants": 3,
            "decision_at": utcnow() - timedelta(hours=1),
        }
        event = make.event(**(values | fields))
        for _ in range(confirmed):
            make.registration(event)
        return event

    return build


def _post(client, csrf_token, path: str, data: dict | None = None):
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def _section(html: str, heading_id: str) -> str:
    """The HTML of the dashboard section labelled by the given heading."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


def _mails(kind: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def _actions() -> list[tuple[str, int | None, int | None]]:
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(entry.action, entry.user_id, entry.event_id) for entry in entries]


# Access


@pytest.mark.parametrize("path", ["/admin", "/admin/mail/failed", "/admin/events/1/log"])
def test_anonymous_is_sent_to_login(app, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_municipality_contact_gets_403(login_as, csrf_token, due_event, make):
    event = due_event("Kurs i Østfold")
    message = make.failed_mail(event)
    client = login_as("municipality")
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/mail/failed").status_code == 403
    assert client.get(f"/admin/events/{event.id}/log").status_code == 403
    decision = _post(
        client, csrf_token, f"/admin/events/{event.id}/decision", {"decision": "confirm"}
    )
    assert decision.status_code == 403
    assert _post(client, csrf_token, f"/admin/mail/{message.id}/retry").status_code == 403
    assert event.status == EventStatus.PUBLISHED


def test_every_view_admits_administrators_and_organisers(app):
    from usht_events.accounts.access import allowed_roles

    views = {
        name: view for name, view in app.view_functions.items() if name.startswith("dashboard.")
    }
    assert set(views) == {
        "dashboard.index",
        "dashboard.failed_mail",
        "dashboard.retry_mail",
        "dashboard.event_log",
    }
    assert all(allowed_roles(view) == {Role.ADMIN, Role.ORGANISER} for view in views.values())


# Sections


def test_awaiting_lists_due_events_of_the_organisers_centre_only(
    organiser, make, due_event, buskerud
):
    due_event("Kurs som venter", confirmed=1)
    due_event("Kurs som ikke er due ennå", decision_at=utcnow() + timedelta(days=1))
    due_event("Kurs som er bekreftet", status=EventStatus.CONFIRMED)
    due_event("Kurs i Buskerud", centre=buskerud)
    html = organiser.get("/admin").get_data(as_text=True)
    awaiting = _section(html, "awaiting-heading")
    assert "Kurs som venter" in awaiting
    assert "1 påmeldt (minst 3)" in awaiting
    for title in ("Kurs som ikke er due ennå", "Kurs som er bekreftet"):
        assert title not in awaiting
    assert "Kurs i Buskerud" not in html


def test_this_week_lists_events_with_a_session_in_the_next_seven_days(
    organiser, make, ostfold, buskerud
):
    soon = utcnow() + timedelta(days=3)
    event = make.event(title="Fagdag på torsdag", centre=ostfold, starts_at=soon)
    make.registration(event)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    make.event(title="Kurs om to uker", centre=ostfold)
    make.event(title="Avlyst fagdag", centre=ostfold, starts_at=soon, status=EventStatus.CANCELLED)
    make.event(title="Fagdag i Buskerud", centre=buskerud, starts_at=soon)
    html = organiser.get("/admin").get_data(as_text=True)
    week = _section(html, "week-heading")
    assert "Fagdag på torsdag" in week
    assert "1 påmeldt, 25 plasser, 1 på venteliste" in week
    for title in ("Kurs om to uker", "Avlyst fagdag", "Fagdag i Buskerud"):
        assert title not in week


def test_reached_minimum_lists_events_that_reached_it_recently(organiser, make, ostfold, buskerud):
    now = utcnow()
    make.event(
        title="Nådde i går",
        centre=ostfold,
        min_participants=3,
        threshold_reached_at=now - timedelta(days=1),
    )
    make.event(
        title="Nådde i fjor",
        centre=ostfold,
        min_participants=3,
        threshold_reached_at=now - timedelta(days=300),
    )
    make.event(
        title="Nådde i Buskerud", centre=buskerud, min_participants=3, threshold_reached_at=now
    )
    reached = _section(organiser.get("/admin").get_data(as_text=True), "reached-heading")
    assert "Nådde i går" in reached
    assert "Nådde i fjor" not in reached
    assert "Nådde i Buskerud" not in reached


def test_failed_mail_lists_only_mail_of_the_organisers_events(organiser, due_event, buskerud, make):
    make.failed_mail(due_event("Kurs i Østfold"), subject="Bekreftelse: Kurs i Østfold")
    make.failed_mail(
        due_event("Kurs i Buskerud", centre=buskerud), subject="Bekreftelse: Kurs i Buskerud"
    )
    make.failed_mail(None, subject="Nytt passord")
    for path in ("/admin", "/admin/mail/failed"):
        html = organiser.get(path).get_data(as_text=True)
        assert "Bekreftelse: Kurs i Østfold" in html
        assert "SMTP 550: mailbox unavailable" in html
        assert "Kurs i Buskerud" not in html
        assert "Nytt passord" not in html


def test_administrator_sees_every_centre_and_every_failed_mail(login_as, due_event, buskerud, make):
    due_event("Kurs i Østfold")
    due_event("Kurs i Buskerud", centre=buskerud)
    make.failed_mail(None, subject="Nytt passord")
    html = login_as("admin").get("/admin").get_data(as_text=True)
    assert "Kurs i Østfold" in html
    assert "Kurs i Buskerud" in html
    assert "Nytt passord" in html


# Decisions


def test_confirming_tells_the_confirmed_participants(organiser, csrf_token, make, due_event):
    event = due_event("Kurs", confirmed=3)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    response = _post(
        organiser, csrf_token, f"/admin/events/{event.id}/decision", {"decision": "confirm"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin"
    assert event.status == EventStatus.CONFIRMED
    assert len(_mails("threshold_reached")) == 3
    assert _actions() == [("event.confirm", organiser.user.id, event.id)]
    flashed = "«Kurs» gjennomføres. 3 påmeldte får beskjed på e-post."
    assert flashed in organiser.get("/admin").get_data(as_text=True)


def test_cancel_asks_for_a_reason_first(organiser, csrf_token, due_event):
    event = due_event("Kurs", confirmed=1)
    response = _post(
        organiser, csrf_token, f"/admin/events/{event.id}/decision", {"decision": "cancel"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Avlyse Kurs?" in html
    assert "For få påmeldte (1 av 3)" in html
    assert event.status == EventStatus.PUBLISHED
    assert _actions() == []


def test_cancelling_tells_every_active_registration(organiser, csrf_token, make, due_event):
    event = due_event("Kurs", confirmed=2)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    make.registration(event, status=RegistrationStatus.CANCELLED)
    data = {"decision": "cancel", "reason": "For få påmeldte, vi prøver igjen i høst."}
    response = _post(organiser, csrf_token, f"/admin/events/{event.id}/decision", data)
    assert response.status_code == 302
    assert event.status == EventStatus.CANCELLED
    mails = _mails("event_cancelled")
    assert len(mails) == 3
    assert "vi prøver igjen i høst" in mails[0].body_text
    assert _mails("threshold_reached") == []
    assert _actions() == [("event.cancel", organiser.user.id, event.id)]


def test_cancelling_without_a_reason_is_refused(organiser, csrf_token, due_event):
    event = due_event("Kurs", confirmed=1)
    data = {"decision": "cancel", "reason": "  "}
    response = _post(organiser, csrf_token, f"/admin/events/{event.id}/decision", data)
    assert response.status_code == 400
    assert "Skriv hvorfor arrangementet avlyses" in response.get_data(as_text=True)
    assert event.status == EventStatus.PUBLISHED


def test_deciding_twice_is_refused_with_a_message(organiser, csrf_token, due_event):
    event = due_event("Kurs", confirmed=3, status=EventStatus.CONFIRMED)
    data = {"decision": "cancel", "reason": "Likevel ikke"}
    response = _post(organiser, csrf_token, f"/admin/events/{event.id}/decision", data)
    assert response.status_code == 302
    assert event.status == EventStatus.CONFIRMED
    assert _mails("event_cancelled") == []
    assert "venter ikke på en beslutning" in organiser.get("/admin").get_data(as_text=True)


def test_unknown_decision_is_a_bad_request(organiser, csrf_token, due_event):
    event = due_event("Kurs")
    response = _post(
        organiser, csrf_token, f"/admin/events/{event.id}/decision", {"decision": "maybe"}
    )
    assert response.status_code == 400
    assert event.status == EventStatus.PUBLISHED


def test_other_centres_event_is_not_found(organiser, csrf_token, due_event, buskerud):
    event = due_event("Kurs i Buskerud", confirmed=1, centre=buskerud)
    path = f"/admin/events/{event.id}/decision"
    assert _post(organiser, csrf_token, path, {"decision": "confirm"}).status_code == 404
    assert _post(organiser, csrf_token, path, {"decision": "cancel"}).status_code == 404
    assert organiser.get(f"/admin/events/{event.id}/log").status_code == 404
    assert event.status == EventStatus.PUBLISHED


# Failed mail


def test_retry_puts_a_failed_mail_back_in_the_queue(organiser, csrf_token, due_event, make):
    event = due_event("Kurs")
    message = make.failed_mail(event)
    response = _post(organiser, csrf_token, f"/admin/mail/{message.id}/retry", {"from": "failed"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/mail/failed"
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert _actions() == [("mail.retry", organiser.user.id, event.id)]


def test_retrying_a_mail_that_has_not_failed_changes_nothing(
    organiser, csrf_token, due_event, make
):
    message = make.failed_mail(due_event("Kurs"))
    message.status = OutboxStatus.SENT
    response = _post(organiser, csrf_token, f"/admin/mail/{message.id}/retry")
    assert response.status_code == 302
    assert message.status == OutboxStatus.SENT
    assert _actions() == []


def test_other_centres_mail_is_not_found(organiser, csrf_token, due_event, buskerud, make):
    theirs = make.failed_mail(due_event("Kurs i Buskerud", centre=buskerud))
    no_event = make.failed_mail(None)
    for message in (theirs, no_event):
        assert _post(organiser, csrf_token, f"/admin/mail/{message.id}/retry").status_code == 404
        assert message.status == OutboxStatus.FAILED
    assert _post(organiser, csrf_token, "/admin/mail/999999/retry").status_code == 404


def test_administrator_may_retry_any_mail(login_as, csrf_token, make):
    message = make.failed_mail(None)
    admin = login_as("admin")
    assert _post(admin, csrf_token, f"/admin/mail/{message.id}/retry").status_code == 302
    assert message.status == OutboxStatus.PENDING


# Event log


def test_event_log_lists_the_events_entries_newest_first_in_oslo_time(organiser, due_event):
    event = due_event("Kurs")
    other = due_event("Annet kurs")
    first = record_action(
        db.session, organiser.user, "event.publish", "Publiserte kurset.", event.id
    )
    first.created_at = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    second = record_action(
        db.session, None, "event.auto_confirm", "Bekreftet automatisk.", event.id
    )
    second.created_at = datetime(2026, 7, 2, 7, 30, tzinfo=UTC)
    record_action(db.session, organiser.user, "event.publish", "Publiserte det andre.", other.id)
    html = organiser.get(f"/admin/events/{event.id}/log").get_data(as_text=True)
    assert html.index("Bekreftet automatisk.") < html.index("Publiserte kurset.")
    assert "Publiserte det andre." not in html
    assert "onsdag 1. juli 2026, kl. 12.00" in html  # 10.00 UTC is 12.00 in Oslo in summer
    assert "torsdag 2. juli 2026, kl. 09.30" in html
    assert "Automatisk" in html
    assert organiser.user.email in html


def test_decisions_appear_in_the_event_log(organiser, csrf_token, due_event):
    event = due_event("Kurs", confirmed=3)
    _post(organiser, csrf_token, f"/admin/events/{event.id}/decision", {"decision": "confirm"})
    html = organiser.get(f"/admin/events/{event.id}/log").get_data(as_text=True)
    assert "Bekreftet at arrangementet gjennomføres (3 påmeldte)." in html
    assert re.search(r"kl\. \d\d\.\d\d", html)


# The work surface


def test_coming_events_table_shows_fill_deadline_decision_and_flags(organiser, make, ostfold):
    now = utcnow()
    risky = make.event(
        title="ABC-seminar",
        centre=ostfold,
        capacity=40,
        min_participants=25,
        decision_at=now + timedelta(days=3),
        registration_closes_at=now + timedelta(days=2),
    )
    for _ in range(12):
        make.registration(risky)
    full = make.event(title="HHLR-instruktørkurs", centre=ostfold, capacity=2)
    make.registration(full)
    make.registration(full)
    make.registration(full, status=RegistrationStatus.WAITLISTED)
    make.event(title="Utkast til fagdag", centre=ostfold, status=EventStatus.DRAFT)
    make.event(title="Ferdig kurs", centre=ostfold, starts_at=now - timedelta(days=3))
    html = organiser.get("/admin").get_data(as_text=True)
    table = _section(html, "coming-heading")
    row = _row(table, "ABC-seminar")
    assert "12 / 40 (minst 25)" in row
    assert 'low="25"' in row and 'value="12"' in row and 'max="40"' in row
    assert "Under minimum" in row
    assert f"/admin/events/{risky.id}/registrations" in row
    assert f"/admin/events/{risky.id}/edit" in row
    full_row = _row(table, "HHLR-instruktørkurs")
    assert "Fullt" in full_row and "<td>1</td>" in full_row
    assert "Utkast" in _row(table, "Utkast til fagdag")
    assert "Ferdig kurs" not in table


def test_at_risk_lists_events_below_minimum_with_the_decision_near(organiser, make, ostfold):
    now = utcnow()
    make.event(
        title="Nær beslutning",
        centre=ostfold,
        min_participants=10,
        decision_at=now + timedelta(days=2),
    )
    make.event(
        title="Langt unna",
        centre=ostfold,
        min_participants=10,
        decision_at=now + timedelta(days=30),
    )
    enough = make.event(
        title="Nok påmeldte", centre=ostfold, min_participants=1, decision_at=now + timedelta(1)
    )
    make.registration(enough)
    html = organiser.get("/admin").get_data(as_text=True)
    risk = _section(html, "risk-heading")
    assert "Nær beslutning" in risk
    assert "10 påmeldinger" in risk  # still needed
    assert "Langt unna" not in risk and "Nok påmeldte" not in risk
    assert re.search(r'figure__number">1</span> <span class="figure__label">under minimum', html)


def test_figures_count_sign_ups_of_the_last_seven_days_in_scope(organiser, make, ostfold, buskerud):
    now = utcnow()
    event = make.event(centre=ostfold)
    make.registration(event, created_at=now - timedelta(days=1))
    make.registration(event, created_at=now - timedelta(days=8))
    make.registration(make.event(centre=buskerud), created_at=now - timedelta(days=1))
    html = organiser.get("/admin").get_data(as_text=True)
    assert re.search(r'figure__number">1</span> <span class="figure__label">påmeldinger', html)


def _row(html: str, title: str) -> str:
    start = html.index(title)
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]
