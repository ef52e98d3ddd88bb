"""The organiser's event editor in a real browser: a two-day course through the form, and
the list, the form with errors and the import preview without WCAG violations."""

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from tests.browser.axe import assert_accessible
from tests.factories import TEST_PASSWORD
from usht_events.catalogue.models import Event, EventStatus
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo
from usht_events.registration.models import RegistrationStatus

pytestmark = pytest.mark.browser

YEAR = utcnow().year + 1
DAY_ONE = date(YEAR, 9, 14)


@pytest.fixture
def organiser(make):
    """An organiser at USHT Østfold, with a region, a focus area and a network."""
    make.focus_area("leve-hele-livet", "Leve hele livet")
    make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    centre = make.centre("ostfold", name="USHT Østfold", region=("3101", "3105", "3107"))
    make.series(centre, name="Kompetansenettverk ProACT-instruktører")
    user, _ = make.user(role="organiser", centre=centre, email="arrangor@usht.test")
    db.session.commit()
    return user


def log_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()


def fill_day(page, index: int, day: date, start: str, end: str) -> None:
    page.locator(f"#sessions-{index}-day").fill(day.isoformat())
    page.locator(f"#sessions-{index}-start_time").fill(start)
    page.locator(f"#sessions-{index}-end_time").fill(end)


def test_organiser_creates_a_two_day_course_with_legg_til_dag(live_server, page, organiser):
    log_in(page, live_server, organiser.email)
    page.goto(live_server + "/admin/events/new")
    page.get_by_label("Tittel").fill("ProACT-instruktørkurs")
    page.get_by_label("Type").select_option(label="Instruktørkurs")
    page.get_by_label("Satsningsområde").select_option(label="Leve hele livet")
    page.get_by_label("Sted", exact=True).fill("Mysen helsehus")
    fill_day(page, 0, DAY_ONE, "09:00", "15:30")
    page.get_by_role("button", name="Legg til dag").click()
    page.locator("#sessions-1-day").wait_for()
    assert page.get_by_label("Tittel").input_value() == "ProACT-instruktørkurs"
    fill_day(page, 1, DAY_ONE + timedelta(days=1), "09:00", "15:00")
    page.get_by_label("Kapasitet").fill("16")
    page.get_by_label("Bare ansatte i kommunene").check()
    page.get_by_text("Østfold", exact=True).click()
    page.get_by_label("Halden").check()
    page.get_by_role("button", name="Lagre som utkast").click()
    page.wait_for_url(re.compile(r"/admin/events/\d+/edit$"))
    assert page.get_by_text("lagret som utkast").is_visible()
    assert page.console_errors == []

    db.session.rollback()
    event = db.session.scalar(select(Event))
    assert event.status == EventStatus.DRAFT and event.capacity == 16
    starts = [to_oslo(item.starts_at) for item in event.sessions]
    assert [(s.date(), s.time()) for s in starts] == [
        (DAY_ONE, time(9)),
        (DAY_ONE + timedelta(days=1), time(9)),
    ]
    assert [m.name for m in event.eligible_municipalities] == ["Halden"]


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_list_page_is_accessible(live_server, request, make, organiser, viewport):
    page = request.getfixturevalue(viewport)
    event = make.event(centre=organiser.centre, title="Demensomsorgens ABC", capacity=20)
    make.registration(event)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    make.event(centre=organiser.centre, status=EventStatus.DRAFT, title="Fagdag ernæring")
    db.session.commit()
    log_in(page, live_server, organiser.email)
    page.goto(live_server + "/admin/events")
    assert page.get_by_role("link", name="Demensomsorgens ABC", exact=True).is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_form_with_errors_is_accessible(live_server, request, organiser, viewport):
    page = request.getfixturevalue(viewport)
    log_in(page, live_server, organiser.email)
    page.goto(live_server + "/admin/events/new")
    fill_day(page, 0, DAY_ONE, "15:00", "09:00")
    page.get_by_label("Kapasitet").fill("5")
    page.get_by_label("Minste antall deltakere").fill("8")
    page.get_by_role("button", name="Lagre som utkast").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Skriv inn en tittel." in summary.inner_text()
    assert_accessible(page)


def test_edit_page_of_an_event_is_accessible(live_server, page, make, organiser):
    event = make.event(centre=organiser.centre, days=2, eligible=("3101",))
    db.session.commit()
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/admin/events/{event.id}/edit")
    assert (
        page.get_by_role("link", name="Påmeldte")
        .get_attribute("href")
        .endswith(f"/admin/events/{event.id}/registrations")
    )
    assert_accessible(page)


def test_import_preview_is_accessible(live_server, page, organiser, tmp_path):
    rows = [
        "ref;centre;title;kind;focus_area;starts_at;ends_at;venue;capacity",
        f"A;ostfold;HHLR-instruktørkurs;kurs;leve-hele-livet;{YEAR}-09-14T09:00;{YEAR}-09-14T15:00;Mysen;12",
        f"B;ostfold;Fagdag demens;fagdag;leve-hele-livet;{YEAR}-10-01T09:00;{YEAR}-10-01T15:00;Sarpsborg;80",
    ]
    programme = tmp_path / "program.csv"
    programme.write_text("\n".join(rows), encoding="utf-8")
    log_in(page, live_server, organiser.email)
    page.goto(live_server + "/admin/events/import")
    assert_accessible(page)
    page.get_by_label("Fil med programmet").set_input_files(programme)
    page.get_by_role("button", name="Kontroller filen").click()
    page.get_by_role("button", name="Importer 2 arrangementer").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Importer 2 arrangementer").click()
    page.wait_for_url("**/admin/events")
    assert page.get_by_role("link", name="Fagdag demens", exact=True).is_visible()
