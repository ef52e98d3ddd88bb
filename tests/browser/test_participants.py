"""The organiser's participant pages in a real browser: accessible on a desktop and a phone."""

import pytest

from tests.browser.axe import assert_accessible
from usht_events.core.db import db
from usht_events.registration.models import RegistrationStatus

pytestmark = pytest.mark.browser

VIEWPORTS = ["page", "phone_page"]
LONG_WORKPLACE = "Hjemmetjenesten sone nord, Indre Østfold kommune, avdeling for rehabilitering"


@pytest.fixture
def event(make):
    """A full two-day course with a waiting list, long names and needs."""
    centre = make.centre("ostfold", name="USHT Østfold", region=("3107", "3105", "3118"))
    event = make.event(centre=centre, capacity=2, days=2, title="ProACT-instruktørkurs")
    make.registration(
        event,
        make.person(name="Åse Ødegård", phone="912 34 567", workplace=LONG_WORKPLACE),
        needs="Glutenfri kost og rullestoltilgang",
    )
    make.registration(event, make.person(name="Ola Hansen", municipality="3105"))
    make.registration(event, make.person(name="Per Venter"), status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    return event


@pytest.fixture
def log_in(make, event, live_server):
    """Log a page in as an organiser of the event's centre."""
    user, password = make.user(role="organiser", centre=event.centre)
    db.session.commit()
    email = user.email

    def log_in_page(page):
        page.goto(live_server + "/login")
        page.get_by_label("E-post").fill(email)
        page.get_by_label("Passord").fill(password)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_load_state()
        return page

    return log_in_page


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_participant_list_is_accessible(request, live_server, log_in, event, viewport):
    page = log_in(request.getfixturevalue(viewport))
    page.goto(f"{live_server}/admin/events/{event.id}/registrations")
    assert page.get_by_text("Glutenfri kost og rullestoltilgang").is_visible()
    page.locator("details summary").first.click()
    assert_accessible(page)
    _no_horizontal_scroll(page)
    assert page.console_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_add_form_with_errors_is_accessible(request, live_server, log_in, event, viewport):
    page = log_in(request.getfixturevalue(viewport))
    page.goto(f"{live_server}/admin/events/{event.id}/registrations/new")
    page.get_by_role("button", name="Legg til").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("Fullt navn").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    _no_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_attendance_sheet_is_accessible(request, live_server, log_in, event, viewport):
    page = log_in(request.getfixturevalue(viewport))
    page.goto(f"{live_server}/admin/events/{event.id}/attendance-sheet")
    assert page.get_by_role("rowheader", name="Åse Ødegård").is_visible()
    assert_accessible(page)
    _no_horizontal_scroll(page)
    assert page.console_errors == []


def test_attendance_sheet_prints_without_the_site_header(live_server, log_in, event, page):
    log_in(page)
    page.goto(f"{live_server}/admin/events/{event.id}/attendance-sheet")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_text("Tilbake til påmeldingene").is_visible()
    assert page.get_by_role("rowheader", name="Ola Hansen").is_visible()


def test_organiser_adds_a_phone_sign_up(live_server, log_in, event, page):
    log_in(page)
    page.goto(f"{live_server}/admin/events/{event.id}/registrations")
    page.get_by_role("link", name="Legg til deltaker").click()
    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-post", exact=True).fill("kari@example.no")
    page.get_by_label("Kommune", exact=True).select_option("3107")
    page.get_by_label("Arbeidssted").fill("Mysen sykehjem")
    page.get_by_label("Yrke").select_option("nurse")
    page.get_by_label("Personen har samtykket").check()
    page.get_by_role("button", name="Legg til").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kari Nordmann er lagt til: På venteliste.").is_visible()


def _flashes(page) -> list[str]:
    return [
        text.strip()
        for text in page.locator(
            ".flash-messages [role=status], .flash-messages .ds-alert"
        ).all_inner_texts()
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_bulk_actions_on_the_ticked(request, live_server, log_in, event, viewport):
    page = log_in(request.getfixturevalue(viewport))
    page.goto(f"{live_server}/admin/events/{event.id}/registrations")
    count = page.locator("#selection-count")
    # Ticking everyone through the header box, then one off: the count follows.
    page.get_by_label("Velg alle i listen").check()
    assert count.inner_text() == "3 valgt"
    page.get_by_label("Velg Åse Ødegård").uncheck()
    page.get_by_label("Velg Per Venter").uncheck()
    assert count.inner_text() == "1 valgt"
    assert page.get_by_label("Velg alle i listen").evaluate("box => box.indeterminate")
    # Ola gives up his seat with the organiser's reason; Per, waiting, gets it.
    page.get_by_text("Meld av de valgte").click()
    page.get_by_label("Begrunnelse til de valgte").fill("Kurset er flyttet for Sarpsborg.")
    page.get_by_role("button", name="Bekreft avmelding av de valgte").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "1 er meldt av og får begrunnelsen på e-post." in body
    assert "1 fikk plass fra ventelisten og får beskjed på e-post." in body
    # Per now has a seat: giving him one again is refused beside his name.
    page.get_by_label("Velg Per Venter").check()
    page.get_by_label("Søk etter navn").fill("Venter")
    assert page.get_by_role("button", name="Gi plass til de valgte").count() == 0
    page.get_by_role("button", name="Send e-post til de valgte").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Mottaker: 1 valgt").is_visible()
    assert page.get_by_text("Per Venter (bekreftet)").is_visible()
    page.get_by_label("Emne").fill("Velkommen")
    page.get_by_label("Melding").fill("Du har fått plass.")
    assert_accessible(page)
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Send e-posten").click()
    page.wait_for_load_state()
    assert page.get_by_text("E-posten er lagt i kø til 1 mottaker.").is_visible()
    assert page.console_errors == []


def test_search_and_order_from_the_filter(live_server, log_in, event, phone_page):
    page = log_in(phone_page)
    page.goto(f"{live_server}/admin/events/{event.id}/registrations")
    page.get_by_label("Søk etter navn").fill("sarpsborg")
    page.get_by_label("Sorter etter").select_option("name")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("rowheader").all_inner_texts()[0].startswith("Ola Hansen")
    assert page.get_by_text("Alle påmeldinger: 1 av 3 treff").is_visible()
    # On a phone each place is a card with its actions in view.
    button = page.get_by_role("button", name="Send e-posten på nytt til Ola Hansen")
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    assert_accessible(page)
    _no_horizontal_scroll(page)
