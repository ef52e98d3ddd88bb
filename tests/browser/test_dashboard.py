"""The organiser's dashboard and event log in a real browser: WCAG 2.1 AA at desktop and phone size."""

from datetime import timedelta

import pytest

from tests.browser.axe import assert_accessible
from tests.factories import TEST_PASSWORD
from usht_events.core.audit import record_action
from usht_events.core.db import db, utcnow
from usht_events.registration.models import RegistrationStatus

pytestmark = pytest.mark.browser

VIEWPORTS = ["page", "phone_page"]


@pytest.fixture
def busy_centre(make):
    """An organiser whose centre has something in every section; returns (user, event)."""
    centre = make.centre("ostfold", name="USHT Østfold")
    user, _ = make.user(role="organiser", centre=centre, email="arrangor@usht.test")
    now = utcnow()
    awaiting = make.event(
        title="Instruktørkurs i ProACT – praktisk bruk av miljøbehandling i demensomsorgen",
        centre=centre,
        min_participants=5,
        decision_at=now - timedelta(hours=2),
        auto_decision=True,
    )
    make.registration(awaiting)
    make.registration(awaiting, status=RegistrationStatus.WAITLISTED)
    soon = make.event(
        title="Fagdag om lindrende behandling", centre=centre, starts_at=now + timedelta(days=2)
    )
    make.registration(soon)
    make.event(
        title="Nettverkssamling", centre=centre, min_participants=1, threshold_reached_at=now
    )
    make.failed_mail(
        soon,
        subject="Bekreftelse: Fagdag om lindrende behandling",
        last_error="SMTP 550: 5.1.1 mailbox unavailable",
    )
    record_action(db.session, user, "event.publish", "Publiserte arrangementet.", awaiting.id)
    record_action(db.session, None, "event.auto_confirm", "Bekreftet automatisk.", awaiting.id)
    db.session.commit()
    return user, awaiting


def _log_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_dashboard_is_accessible(request, live_server, busy_centre, viewport):
    page = request.getfixturevalue(viewport)
    user, _ = busy_centre
    _log_in(page, live_server, user.email)
    page.goto(live_server + "/admin")
    assert page.get_by_role("heading", level=1).inner_text() == "Oversikt"
    for heading in ("Venter på beslutning (1)", "E-post som ikke kom fram (1)", "Denne uken (1)"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert_accessible(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_cancel_step_is_accessible(request, live_server, busy_centre, viewport):
    page = request.getfixturevalue(viewport)
    user, event = busy_centre
    _log_in(page, live_server, user.email)
    page.goto(live_server + "/admin")
    page.get_by_role("button", name=f"Avlys {event.title}").click()
    reason = page.get_by_label("Begrunnelse til deltakerne")
    assert reason.input_value() == "For få påmeldte (1 av 5)"
    assert_accessible(page)
    reason.fill("")
    page.get_by_role("button", name="Ja, avlys arrangementet").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_event_log_is_accessible(request, live_server, busy_centre, viewport):
    page = request.getfixturevalue(viewport)
    user, event = busy_centre
    _log_in(page, live_server, user.email)
    page.goto(live_server + f"/admin/events/{event.id}/log")
    assert page.get_by_role("heading", level=1).inner_text() == "Endringslogg"
    assert page.get_by_text("Bekreftet automatisk.").is_visible()
    assert_accessible(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]


def test_failed_mail_page_is_accessible_on_a_phone(live_server, busy_centre, phone_page):
    user, _ = busy_centre
    _log_in(phone_page, live_server, user.email)
    phone_page.goto(live_server + "/admin/mail/failed")
    assert phone_page.get_by_text("SMTP 550: 5.1.1 mailbox unavailable").is_visible()
    assert_accessible(phone_page)
