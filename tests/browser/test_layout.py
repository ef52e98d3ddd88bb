"""The base layout in a real browser: accessibility, keyboard use, phone width, language."""

import pytest

from tests.browser.axe import assert_accessible
from usht_events.catalogue.models import EventFormat, EventKind
from usht_events.core.db import db

pytestmark = pytest.mark.browser

VIEWPORTS = ["page", "phone_page"]


@pytest.fixture
def a_few_events(make):
    """Three upcoming events of different shapes, committed so the server sees them."""
    ostfold = make.centre("ostfold", name="USHT Østfold", email="usht@indre-ostfold.kommune.no")
    buskerud = make.centre("buskerud", name="USHT Buskerud", email="usht@drammen.kommune.no")
    make.event(
        title="Instruktørkurs i ProACT – praktisk bruk av miljøbehandling i demensomsorgen",
        kind=EventKind.INSTRUCTOR_COURSE,
        centre=ostfold,
        days=2,
        venue="Mysen helsehus, store møtesal",
        summary="To dager for deg som skal lære opp kolleger i egen kommune.",
    )
    make.event(
        title="Webinar: Lindrende behandling i hjemmetjenesten",
        kind=EventKind.WEBINAR,
        centre=buskerud,
        format=EventFormat.DIGITAL,
        venue="",
        capacity=None,
    )
    make.event(title="Demensomsorgens ABC – oppstartsseminar", kind=EventKind.SEMINAR)
    db.session.commit()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_start_page_without_events_is_accessible(request, live_server, viewport):
    page = request.getfixturevalue(viewport)
    page.goto(live_server + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kurs og arrangementer"
    assert page.get_by_text("Ingen kommende arrangementer akkurat nå").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_start_page_with_events_is_accessible(request, live_server, a_few_events, viewport):
    page = request.getfixturevalue(viewport)
    page.goto(live_server + "/")
    assert page.locator(".event-card").count() == 3
    assert page.get_by_text("Digitalt", exact=True).is_visible()
    assert_accessible(page)


def test_start_page_loads_its_styles_and_font_without_csp_violations(live_server, page):
    page.goto(live_server + "/")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Inter')")
    header_background = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert header_background not in ("", "rgba(0, 0, 0, 0)")
    assert page.console_errors == []


def test_skip_link_moves_focus_to_main(live_server, page):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hopp til hovedinnholdet")
    assert skip_link.evaluate("link => link === document.activeElement")
    assert skip_link.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_layout_has_no_horizontal_scroll(live_server, phone_page, a_few_events):
    phone_page.goto(live_server + "/")
    assert phone_page.evaluate("document.scrollingElement.scrollWidth") <= 360


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("/personvern", "nb"),
        ("/tilgjengelighet", "nb"),
        ("/personvern?lang=en", "en"),
        ("/tilgjengelighet?lang=en", "en"),
    ],
)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_legal_pages_are_accessible(request, live_server, path, language, viewport):
    page = request.getfixturevalue(viewport)
    response = page.goto(live_server + path)
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == language
    assert_accessible(page)


def test_error_page_is_accessible(live_server, page):
    response = page.goto(live_server + "/finnes-ikke")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Fant ikke siden"
    assert_accessible(page)


def test_english_switch_shows_english(live_server, page, a_few_events):
    page.goto(live_server + "/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Courses and events"
    assert page.get_by_role("link", name="Log in").is_visible()
    assert_accessible(page)
    page.goto(live_server + "/")
    assert page.evaluate("document.documentElement.lang") == "en", "the choice is remembered"


def test_back_office_menu_collapses_behind_one_button_on_a_phone(live_server, make, phone_page):
    user, password = make.user(role="admin", email="admin@usht.test")
    db.session.commit()
    page = phone_page
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(live_server + "/admin")
    menu = page.get_by_role("button", name="Meny")
    reports = page.get_by_role("link", name="Rapport")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not reports.is_visible()
    # One row of header instead of three: the menu is a button beside the site's name.
    assert page.locator(".site-header").bounding_box()["height"] < 150
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and reports.is_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    assert not reports.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Meny"


def test_back_office_menu_is_a_row_of_links_on_a_desktop(live_server, make, page):
    user, password = make.user(role="admin", email="admin@usht.test")
    db.session.commit()
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(live_server + "/admin")
    assert page.get_by_role("link", name="Rapport").is_visible()
    assert not page.get_by_role("button", name="Meny").is_visible()
