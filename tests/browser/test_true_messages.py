"""What the tester saw, measured in Chromium: a refused sign-up's focus, title and address, the
multi-day card, words at 360 px, the filter panel on a phone; and the pages this work
touched, accessible at phone and desktop width."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.test_signup_flow import fill_signup_form, not_http_status_errors
from usht_events.core.db import db
from usht_events.core.timezones import OSLO
from usht_events.registration.models import RegistrationStatus

pytestmark = pytest.mark.browser

VIEWPORTS = ["page", "phone_page"]
MONTHS = "januar februar mars april mai juni juli august september oktober november desember"
# Real words of the demo programme and the statements, up to 20 letters: they must fit a
# 360 px line whole. Longer ones are hyphenated where the browser knows bokmål.
LONG_WORDS = "Kompetansenettverk velferdsteknologi sikkerhetsstandarden opplæringsprogrammet"

# Words (runs without spaces) of the matching elements that the browser split across lines
# without a hyphen of ours (a soft hyphen is one).
SPLIT_WORDS = """(selector) => {
  const split = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        if (match[0].includes("\\u00ad")) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


def _first_of_a_month_ahead() -> datetime:
    """The 10th of a month at least 40 days ahead, 09.00 in Oslo: two days in one month."""
    ahead = datetime.now(OSLO) + timedelta(days=40)
    return datetime(ahead.year, ahead.month, 10, 9, tzinfo=OSLO).astimezone(UTC)


@pytest.fixture
def capped(make):
    """Ten seats, two per municipality, no waiting list; Fredrikstad's two are taken."""
    for number in ("3301", "3907"):
        make.municipality(number)
    centre = make.centre("ostfold", name="USHT Østfold", region=("3101", "3105", "3107", "3118"))
    event = make.event(
        title="ProACT-instruktørkurs",
        centre=centre,
        capacity=10,
        seats_per_municipality=2,
        waitlist_enabled=False,
    )
    for _ in range(2):
        make.registration(event, make.person(municipality="3107"))
    db.session.commit()
    return event


def test_a_refused_sign_up_focuses_its_reason_and_stays_at_the_event_page(
    live_server, phone_page, capped
):
    page = phone_page
    page.goto(f"{live_server}/events/{capped.id}")
    fill_signup_form(page, "tredje@fredrikstad.kommune.no")
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server}/events/{capped.id}"
    assert page.title().startswith("Feil: ProACT-instruktørkurs")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    focused = page.evaluate("document.activeElement.innerText")
    assert "Plassene for Fredrikstad er tatt (høyst 2 per kommune)" in focused
    assert "Arrangementet er fullt" not in page.content()
    assert page.get_by_label("Fullt navn").input_value() == "Kari Nordmann"
    assert_accessible(page)

    # Switching language there shows the event page again in English, with what was
    # typed (the form is posted back, not signed up): not a 405, nothing lost.
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="English").click()
    assert navigation.value.status == 200
    assert page.url == f"{live_server}/events/{capped.id}?lang=en"
    assert page.get_by_role("heading", name="Sign up").is_visible()
    assert page.get_by_label("Full name").input_value() == "Kari Nordmann"


def test_reloading_the_old_sign_up_address_shows_the_event(live_server, page, capped):
    response = page.goto(f"{live_server}/events/{capped.id}/register?lang=en")
    assert response.status == 200
    assert page.url == f"{live_server}/events/{capped.id}?lang=en"


@pytest.mark.parametrize("lang, prefix", [("nb", "Feil: "), ("en", "Error: ")])
def test_form_errors_take_the_focus_and_the_title(live_server, page, capped, lang, prefix):
    page.goto(f"{live_server}/events/{capped.id}?lang={lang}")
    page.locator("button.ds-button[type=submit]").click()
    page.wait_for_load_state()
    assert page.title().startswith(prefix)
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert not_http_status_errors(page) == []


def test_a_multi_day_card_reads_naturally(live_server, phone_page, make):
    start = _first_of_a_month_ahead()
    make.event(title="Todagers kurs", starts_at=start, days=2)
    db.session.commit()
    phone_page.goto(live_server + "/")
    when = phone_page.locator(".event-card__facts dd").first.inner_text()
    local = start.astimezone(OSLO)
    month = MONTHS.split()[local.month - 1]
    assert when == f"10.–11. {month} {local.year} (2 dager)"
    phone_page.goto(live_server + "/?lang=en")
    english = phone_page.locator(".event-card__facts dd").first.inner_text()
    assert re.fullmatch(rf"10–11 [A-Z][a-z]+ {local.year} \(2 days\)", english), english


@pytest.fixture
def long_titles(make):
    centre = make.centre("ostfold", name="USHT Østfold")
    event = make.event(title=LONG_WORDS, centre=centre, summary=LONG_WORDS)
    make.event(title=f"Lunsjwebinarer om {LONG_WORDS}", centre=centre, days=2)
    db.session.commit()
    return event


def test_long_norwegian_words_are_not_broken_at_360_px(live_server, phone_page, long_titles):
    page = phone_page
    page.goto(f"{live_server}/events/{long_titles.id}")
    assert page.evaluate(SPLIT_WORDS, "h1, .event-page__summary") == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    # Where a word is longer than the line, bokmål pages let the browser hyphenate it.
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).hyphens") == "auto"
    page.goto(live_server + "/")
    assert page.evaluate(SPLIT_WORDS, ".event-card__title, .event-card__summary") == []
    for path in ("/personvern", "/tilgjengelighet"):
        page.goto(live_server + path)
        assert page.evaluate(SPLIT_WORDS, "h1, h2") == [], path
    page.goto(live_server + "/?lang=en")
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).hyphens") == "manual"


def test_after_a_search_on_a_phone_the_results_come_first(live_server, phone_page, make):
    centre = make.centre("ostfold", name="USHT Østfold")
    for number in range(3):
        make.event(title=f"Demensomsorgens ABC {number}", centre=centre, days=2)
    db.session.commit()
    page = phone_page
    page.goto(live_server + "/?q=Demensomsorgens&centre=ostfold")
    summary = page.locator(".calendar-filter > summary")
    assert " ".join(summary.inner_text().split()) == "Søk og filtrer (2 filtre i bruk)"
    assert page.locator(".calendar-filter").get_attribute("open") is None
    # The tester saw the first result 1,300 px down; it must be on the first screen.
    first = page.locator(".event-card").first.bounding_box()
    assert first["y"] < 740
    summary.click()
    page.get_by_label("Søk", exact=True).wait_for()
    form = page.locator(".calendar-filter__form").bounding_box()
    assert form["height"] < 720, "the open panel is shorter than the phone's screen"
    dates = [page.locator(f"#{name}").bounding_box() for name in ("from", "to")]
    assert dates[0]["y"] == dates[1]["y"], "the two dates side by side"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert_accessible(page)


def test_filter_errors_open_the_panel(live_server, phone_page):
    phone_page.goto(live_server + "/?from=2027-05-01&to=2027-04-01")
    assert phone_page.locator(".calendar-filter").get_attribute("open") is not None


@pytest.fixture
def journey(make, capped):
    """A place waiting for Fredrikstad's seats, a confirmed place with someone behind it."""
    capped.waitlist_enabled = True
    waiting = make.registration(
        capped, make.person(municipality="3107"), status=RegistrationStatus.WAITLISTED
    )
    confirmed = make.registration(capped, make.person(name="Kari Nordmann", municipality="3101"))
    db.session.commit()
    return {"event": capped, "waiting": waiting, "confirmed": confirmed}


def _manage_waiting(live_server, page, journey):
    page.goto(f"{live_server}/r/{journey['waiting'].token}")
    assert page.get_by_role("heading", name="Nr. 1 på ventelisten for Fredrikstad").is_visible()


def _cancel(live_server, page, journey):
    page.goto(f"{live_server}/r/{journey['confirmed'].token}/cancel")
    assert page.locator("#who-gets-the-place").is_visible()


def _details(live_server, page, journey):
    page.goto(f"{live_server}/r/{journey['waiting'].token}/details")
    assert page.get_by_text("Kommunen (Fredrikstad): hver kommune kan få høyst 2").is_visible()


def _details_with_errors(live_server, page, journey):
    page.goto(f"{live_server}/r/{journey['confirmed'].token}/details")
    page.get_by_label("Fullt navn").fill("")
    page.get_by_role("button", name="Lagre endringene").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Feil: Endre opplysningene dine")


def _already_registered(live_server, page, journey):
    page.goto(f"{live_server}/events/{journey['event'].id}")
    fill_signup_form(page, journey["confirmed"].person.email)
    page.get_by_label("Kommune", exact=True).select_option("3101")
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Sjekk e-posten din").is_visible()


def _ticket_waitlisted(live_server, page, journey):
    registration = journey["waiting"]
    page.goto(f"{live_server}/t/{registration.ticket_token}")
    assert not page.get_by_text("Vis QR-koden når du kommer").is_visible()


def _event_refused(live_server, page, journey):
    journey["event"].waitlist_enabled = False
    db.session.commit()
    page.goto(f"{live_server}/events/{journey['event'].id}")
    fill_signup_form(page, "tredje@fredrikstad.kommune.no")
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "error-summary"


def _calendar_filtered(live_server, page, journey):
    page.goto(f"{live_server}/?q=ProACT&centre=ostfold")
    page.locator(".calendar-filter > summary").click()
    page.get_by_label("Søk", exact=True).wait_for()


PAGES = {
    "event-refused": _event_refused,
    "calendar-filtered": _calendar_filtered,
    "manage-waiting-for-municipality": _manage_waiting,
    "cancel": _cancel,
    "details": _details,
    "details-with-errors": _details_with_errors,
    "already-registered": _already_registered,
    "ticket-waitlisted": _ticket_waitlisted,
}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_touched_pages_are_accessible_and_fit(request, live_server, journey, viewport, name):
    page = request.getfixturevalue(viewport)
    PAGES[name](live_server, page, journey)
    assert_accessible(page)
    width = page.viewport_size["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


def test_a_participant_corrects_their_name_on_a_phone(live_server, phone_page, journey):
    page = phone_page
    page.goto(f"{live_server}/r/{journey['confirmed'].token}")
    page.get_by_role("link", name="Endre opplysningene dine").click()
    page.get_by_label("Fullt navn").fill("Kari Nordmann-Hansen")
    page.get_by_role("button", name="Lagre endringene").click()
    page.wait_for_url(f"{live_server}/r/{journey['confirmed'].token}")
    assert page.get_by_text("Opplysningene dine er oppdatert.").is_visible()
    assert page.get_by_text("Påmeldingen er bekreftet for Kari Nordmann-Hansen.").is_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_organiser_cancels_with_a_reason(request, live_server, make, journey, viewport):
    page = request.getfixturevalue(viewport)
    user, password = make.user(role="organiser", centre=journey["event"].centre)
    db.session.commit()
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/admin/events/{journey['event'].id}/registrations")
    page.get_by_text("Meld av Kari Nordmann").click()
    reason = page.get_by_label("Begrunnelse til Kari Nordmann")
    reason.fill("Du ringte og meldte forfall.")
    assert_accessible(page)
    page.get_by_role("button", name="Bekreft avmelding av Kari Nordmann").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kari Nordmann er meldt av og får begrunnelsen på e-post.").is_visible()
