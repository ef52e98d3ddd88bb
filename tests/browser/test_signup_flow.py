"""The public sign-up journey in a real browser: find, sign up, ticket, cancel; on a phone."""

import re

import pytest
from sqlalchemy import select

from tests.browser.axe import assert_accessible
from usht_events.core.db import db
from usht_events.registration.models import Registration, RegistrationStatus

pytestmark = pytest.mark.browser

VIEWPORTS = ["page", "phone_page"]
TITLE = "Demensomsorgens ABC – kveldssamling for nye ABC-kontakter i Østfold og Follo"
# A long municipality name, the kind that must not widen a phone page.
LONG_NAME = "Porsanger – Porsáŋgu – Porsanki"


@pytest.fixture
def centre(make):
    """USHT Østfold with part of its region, and municipalities elsewhere for the optgroups."""
    for number in ("3301", "3907", "3205"):
        make.municipality(number)
    make.municipality("5610", name=LONG_NAME, county_number="56", county_name="Finnmark")
    return make.centre("ostfold", name="USHT Østfold", region=("3101", "3105", "3107", "3118"))


@pytest.fixture
def open_event(make, centre):
    """An open event among others, with a threshold and a long description."""
    make.event(title="Webinar: ernæring for eldre", centre=centre)
    event = make.event(
        title=TITLE,
        centre=centre,
        days=2,
        capacity=20,
        min_participants=8,
        summary="To kvelder om personsentrert omsorg, for deg som skal lede en ABC-gruppe.",
        description="Første kveld handler om ABC-permene.\n\nAndre kveld øver vi på refleksjon.",
        target_group="Ansatte i sykehjem og hjemmetjenester.",
        venue="Kulturhuset i Fredrikstad, sal 2",
    )
    db.session.commit()
    return event


@pytest.fixture
def full_event(make, centre):
    """An event whose one seat is taken; newcomers go on the waiting list."""
    event = make.event(title="ProACT-instruktørkurs", centre=centre, capacity=1)
    make.registration(event)
    db.session.commit()
    return event


@pytest.fixture
def confirmed(make, open_event):
    """A confirmed place on the open event."""
    registration = make.registration(open_event, person=make.person(name="Kari Nordmann"))
    db.session.commit()
    return registration


@pytest.fixture
def waitlisted(make, full_event):
    """A place on the full event's waiting list."""
    registration = make.registration(full_event, status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    return registration


def fill_signup_form(page, email: str) -> None:
    """Fill in every required field the way a person would."""
    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-post", exact=True).fill(email)
    municipality = page.get_by_label("Kommune", exact=True)
    assert municipality.evaluate("select => select.querySelectorAll('optgroup').length") >= 2
    municipality.select_option("3107")
    page.get_by_label("Arbeidssted").fill("Fredrikstad sykehjem")
    page.get_by_label("Yrke").select_option(label="Sykepleier")
    page.get_by_label("Jeg samtykker").check()


def not_http_status_errors(page) -> list[str]:
    """Console errors other than Chromium's note of a 4xx answer (a refused form is one)."""
    return [e for e in page.console_errors if not e.startswith("Failed to load resource")]


def stored_statuses() -> list[RegistrationStatus]:
    """What the server stored, read in a fresh transaction (SQLite keeps a reader's snapshot)."""
    db.session.rollback()
    return list(db.session.scalars(select(Registration.status)))


def assert_fits_phone(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_phone_journey_from_calendar_to_ticket_and_cancellation(
    live_server, phone_page, open_event
):
    page = phone_page
    page.goto(live_server + "/")
    page.get_by_text("Søk og filtrer").click()
    search = page.get_by_label("Søk", exact=True)
    search.fill("kveldssamling")
    # Submitted as a phone user does, from the keyboard's search key; the wait is set up
    # first, so a quick navigation cannot slip past it.
    with page.expect_navigation(url=re.compile(r"q=kveldssamling")):
        search.press("Enter")
    assert page.locator(".event-card").count() == 1
    assert_fits_phone(page)

    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/events/{open_event.id}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    fill_signup_form(page, "kari.nordmann@fredrikstad.kommune.no")
    page.get_by_role("button", name="Meld meg på").click()

    page.wait_for_url(re.compile(r"/r/[^/]+$"))
    assert page.get_by_role("heading", name="Du har plass").is_visible()
    manage_url = page.url
    page.get_by_role("link", name="Vis billett").click()
    page.wait_for_url("**/t/*")
    qr = page.locator("figure.ticket__qr")
    assert qr.locator("svg").is_visible()
    assert qr.get_attribute("aria-label") == "QR-kode for innsjekking"
    assert qr.bounding_box()["width"] >= 240, "large enough to scan from a phone"
    assert qr.evaluate("f => getComputedStyle(f).backgroundColor") == "rgb(255, 255, 255)"
    assert_fits_phone(page)

    page.go_back()
    page.wait_for_url(manage_url)
    page.get_by_role("link", name="Meld meg av").click()
    page.wait_for_url("**/cancel")
    assert page.get_by_role("heading", level=1).inner_text() == "Vil du melde deg av?"
    page.get_by_role("button", name="Ja, meld meg av").click()
    page.wait_for_url(manage_url)
    assert page.get_by_role("heading", name="Du er meldt av").is_visible()
    assert page.console_errors == []

    assert stored_statuses() == [RegistrationStatus.CANCELLED]


def test_phone_signup_on_full_event_lands_on_waiting_list(live_server, phone_page, full_event):
    phone_page.goto(f"{live_server}/events/{full_event.id}")
    assert phone_page.get_by_text("Arrangementet er fullt.").is_visible()
    fill_signup_form(phone_page, "ola@sarpsborg.kommune.no")
    phone_page.get_by_role("button", name="Meld meg på venteliste").click()
    phone_page.wait_for_url(re.compile(r"/r/[^/]+$"))
    assert phone_page.get_by_role("heading", name="Nr. 1 på ventelisten").is_visible()
    assert phone_page.get_by_role("link", name="Vis billett").count() == 0
    assert phone_page.console_errors == []


def test_errors_are_summarised_with_links_that_move_focus(live_server, phone_page, open_event):
    page = phone_page
    page.goto(f"{live_server}/events/{open_event.id}")
    page.get_by_label("E-post", exact=True).fill("ikke-en-adresse")
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.get_by_role("heading", name="Skjemaet har feil som må rettes").is_visible()
    assert page.title().startswith("Feil: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    for message, field_id in [
        ("Skriv inn navnet ditt.", "name"),
        ("Skriv inn en gyldig e-postadresse, for eksempel navn@kommune.no.", "email"),
        ("Velg kommunen du jobber i.", "municipality"),
        ("Du må samtykke for å kunne melde deg på.", "consent"),
    ]:
        summary.get_by_role("link", name=message).click()
        assert page.evaluate("document.activeElement.id") == field_id
        field = page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"{field_id}-error" in field.get_attribute("aria-describedby")
    assert page.get_by_label("E-post", exact=True).input_value() == "ikke-en-adresse"
    assert not_http_status_errors(page) == []
    assert stored_statuses() == []


def test_phone_shortcut_leads_to_the_signup_form(live_server, phone_page, open_event):
    phone_page.goto(f"{live_server}/events/{open_event.id}")
    phone_page.get_by_role("link", name="Gå til påmeldingen").click()
    assert phone_page.get_by_role("heading", name="Meld deg på").is_visible()
    assert phone_page.get_by_label("Fullt navn").is_visible()


def test_signup_card_sits_beside_the_description_on_desktop(live_server, page, open_event):
    page.goto(f"{live_server}/events/{open_event.id}")
    about = page.locator(".event-page__about").bounding_box()
    signup = page.locator(".event-page__signup").bounding_box()
    assert signup["x"] > about["x"] + about["width"]
    assert abs(signup["y"] - about["y"]) < 2
    assert not page.get_by_role("link", name="Gå til påmeldingen").is_visible()


def test_signup_card_comes_after_the_description_on_a_phone(live_server, phone_page, open_event):
    phone_page.goto(f"{live_server}/events/{open_event.id}")
    about = phone_page.locator(".event-page__about").bounding_box()
    signup = phone_page.locator(".event-page__signup").bounding_box()
    assert signup["y"] >= about["y"] + about["height"]
    assert signup["width"] == pytest.approx(about["width"], abs=1)


def _calendar(live_server, page, event, confirmed, waitlisted):
    page.goto(live_server + "/?q=demens")


def _event_page(live_server, page, event, confirmed, waitlisted):
    page.goto(f"{live_server}/events/{event.id}")


def _event_page_with_errors(live_server, page, event, confirmed, waitlisted):
    page.goto(f"{live_server}/events/{event.id}")
    page.get_by_label("Jeg samtykker").check()
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()


def _manage_confirmed(live_server, page, event, confirmed, waitlisted):
    page.goto(f"{live_server}/r/{confirmed.token}")
    assert page.get_by_role("heading", name="Du har plass").is_visible()


def _manage_waitlisted(live_server, page, event, confirmed, waitlisted):
    page.goto(f"{live_server}/r/{waitlisted.token}")
    assert page.get_by_role("heading", name="Nr. 1 på ventelisten").is_visible()


def _cancel(live_server, page, event, confirmed, waitlisted):
    page.goto(f"{live_server}/r/{confirmed.token}/cancel")


def _ticket(live_server, page, event, confirmed, waitlisted):
    page.goto(f"{live_server}/t/{confirmed.ticket_token}")
    assert page.locator("figure.ticket__qr svg").is_visible()


PAGES = {
    "calendar": _calendar,
    "event": _event_page,
    "event-with-errors": _event_page_with_errors,
    "manage-confirmed": _manage_confirmed,
    "manage-waitlisted": _manage_waitlisted,
    "cancel": _cancel,
    "ticket": _ticket,
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_journey_pages_are_accessible_and_fit_the_screen(
    request, live_server, open_event, confirmed, waitlisted, viewport, name
):
    page = request.getfixturevalue(viewport)
    PAGES[name](live_server, page, open_event, confirmed, waitlisted)
    assert_accessible(page)
    width = page.viewport_size["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert not_http_status_errors(page) == []


def test_switching_language_after_a_refusal_keeps_what_was_typed(live_server, page, open_event):
    page.goto(f"{live_server}/events/{open_event.id}")
    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-post", exact=True).fill("ikke-en-adresse")
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()
    assert page.title().startswith("Feil: ")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_label("Full name").input_value() == "Kari Nordmann"
    assert page.get_by_label("E-mail", exact=True).input_value() == "ikke-en-adresse"
    assert page.locator("#error-summary").is_visible()
    assert_accessible(page)
    assert stored_statuses() == []
