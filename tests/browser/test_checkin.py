"""The check-in desk in Chromium: a fake camera that shows a real ticket's QR code, the
control run with Chromium's own test pattern, a decoder that does not load, a desk that
loses its network, keyboard use, and the accessibility of the desk and the ticket page.
"""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.axe import assert_accessible
from tests.browser.conftest import new_page
from tests.browser.y4m import frame_with, write_y4m
from usht_events.core.db import db, utcnow
from usht_events.core.qr import qr_png
from usht_events.registration.models import Attendance, RegistrationStatus
from usht_events.registration.tickets import ticket_url

pytestmark = pytest.mark.browser

VIEWPORTS = ["page", "phone_page"]
# Long enough for the camera to start and the decoder to read many frames.
SCAN_TIMEOUT_MS = 30_000


@pytest.fixture
def course(make):
    """Day one of two started an hour ago; three confirmed people and one cancelled."""
    now = utcnow().replace(microsecond=0)
    centre = make.centre("ostfold", name="USHT Østfold", region=("3118", "3107"))
    event = make.event(centre=centre, starts_at=now - timedelta(hours=1), days=2, title="ProACT")
    people = [
        make.registration(event, make.person(name=name, municipality=number))
        for name, number in (
            ("Kari Nordmann", "3118"),
            ("Ola Hansen", "3107"),
            ("Åse Ødegård", "3118"),
        )
    ]
    make.registration(event, make.person(name="Eva Avmeldt"), status=RegistrationStatus.CANCELLED)
    organiser, password = make.user(role="organiser", centre=centre)
    db.session.commit()
    return {"event": event, "people": people, "email": organiser.email, "password": password}


def _log_in(page, live_server, course):
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(course["email"])
    page.get_by_label("Passord").fill(course["password"])
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()


def _desk(page, live_server, course):
    _log_in(page, live_server, course)
    page.goto(f"{live_server}/admin/events/{course['event'].id}/checkin")
    expect(page.locator("#snapshot-status")).to_contain_text("Deltakerlisten", timeout=15_000)
    return page


def _ticket_frame(live_server, registration) -> Image.Image:
    """The QR code exactly as the ticket carries it, on a camera frame."""
    png = qr_png(ticket_url(live_server, registration.ticket_token))
    return frame_with(Image.open(io.BytesIO(png)))


def _wait_until(page, predicate: str, seconds: float = 30) -> None:
    """Poll a function in the page (wait_for_function would need 'unsafe-eval' in the CSP)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(predicate):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {predicate}")


def _attendances():
    # A fresh read: the test's own transaction would otherwise keep its old snapshot.
    db.session.rollback()
    return db.session.scalars(select(Attendance).order_by(Attendance.checked_in_at)).all()


def test_the_camera_reads_a_real_ticket_and_checks_the_person_in(
    camera_browser, live_server, course, tmp_path
):
    kari = course["people"][0]
    video = write_y4m(tmp_path / "ticket.y4m", [_ticket_frame(live_server, kari)])
    context, page = new_page(camera_browser(video), phone=True)
    _desk(page, live_server, course)
    posts = []
    page.on(
        "request",
        lambda request: (
            request.method == "POST"
            and request.url.endswith("/checkin")
            and posts.append(request.url)
        ),
    )
    page.get_by_role("button", name="Start kamera").click()
    answer = page.locator("#scan-answer")
    expect(answer).to_contain_text(
        "Sjekket inn: Kari Nordmann, Indre Østfold", timeout=SCAN_TIMEOUT_MS
    )
    assert answer.get_attribute("data-result") == "checked_in"
    expect(page.locator("[data-count='checked_in']")).to_have_text("1")
    (attendance,) = _attendances()
    assert attendance.registration_id == kari.id
    assert attendance.session_id == course["event"].sessions[0].id
    # The ticket stays in view, read many times a second: it is posted once.
    page.wait_for_timeout(1500)
    assert len(posts) == 1
    assert len(_attendances()) == 1
    assert page.locator("#scanner-error").is_hidden()
    assert page.console_errors == []
    context.close()


def test_the_fake_pattern_decodes_nothing_and_shows_no_error(camera_browser, live_server, course):
    context, page = new_page(camera_browser(None))
    _desk(page, live_server, course)
    page.get_by_role("button", name="Start kamera").click()
    _wait_until(page, "() => document.getElementById('camera').currentTime > 3")
    assert page.locator("#scan-answer").inner_text() == ""
    assert page.locator("#scanner-error").is_hidden()
    assert page.get_by_role("button", name="Stopp kamera").is_visible()
    assert _attendances() == []
    assert page.console_errors == []
    context.close()


def test_a_decoder_that_does_not_load_shows_a_scanner_error(camera_browser, live_server, course):
    context, page = new_page(camera_browser(None))
    context.route("**/zxing_reader.wasm", lambda route: route.abort())
    _desk(page, live_server, course)
    page.get_by_role("button", name="Start kamera").click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Skanneren kunne ikke lastes", timeout=SCAN_TIMEOUT_MS)
    assert page.get_by_role("button", name="Start kamera").is_enabled()
    context.close()


def test_offline_scans_are_sent_when_the_network_is_back(
    camera_browser, live_server, course, tmp_path
):
    """Three tickets scanned offline, one cancelled on the server meanwhile."""
    kari, ola, aase = course["people"]
    frames = [_ticket_frame(live_server, person) for person in (kari, ola, aase)]
    video = write_y4m(tmp_path / "three.y4m", frames, fps=1)
    context, page = new_page(camera_browser(video))
    _desk(page, live_server, course)
    # Ready to lose the network: the page and its files are kept by the service worker.
    _wait_until(page, "() => navigator.serviceWorker.controller !== null")

    offline_from = utcnow()
    context.set_offline(True)
    expect(page.locator("#network-status")).to_contain_text("Frakoblet")
    page.get_by_role("button", name="Start kamera").click()
    expect(page.locator("#network-status")).to_have_text(
        "Frakoblet – 3 skanninger venter", timeout=SCAN_TIMEOUT_MS
    )
    page.get_by_role("button", name="Stopp kamera").click()
    assert _attendances() == []

    # Meanwhile, at the office: Åse's place is cancelled.
    aase.status = RegistrationStatus.CANCELLED
    db.session.commit()
    online_at = utcnow()
    context.set_offline(False)

    report = page.locator("#sync-report")
    expect(report).to_contain_text("Åse Ødegård", timeout=SCAN_TIMEOUT_MS)
    expect(report).to_contain_text("Påmeldingen er avmeldt")
    expect(page.locator("#network-status")).to_have_text("Tilkoblet")
    attendances = _attendances()
    assert {a.registration_id for a in attendances} == {kari.id, ola.id}
    for attendance in attendances:
        assert offline_from <= attendance.checked_in_at <= online_at
    assert "Kari" not in report.inner_text()
    context.close()


def test_the_desk_opens_again_offline_from_its_service_worker(browser, live_server, course):
    context, page = new_page(browser)
    _desk(page, live_server, course)
    _wait_until(page, "() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="ProACT")).to_be_visible()
    expect(page.locator("#network-status")).to_contain_text("Frakoblet")
    page.get_by_label("Kode eller lenke fra billetten").fill(course["people"][1].ticket_code)
    page.get_by_label("Kode eller lenke fra billetten").press("Enter")
    expect(page.locator("#scan-answer")).to_contain_text("Sjekket inn: Ola Hansen")
    expect(page.locator("#network-status")).to_have_text("Frakoblet – 1 skanninger venter")
    context.set_offline(False)
    expect(page.locator("#scan-answer")).to_have_text("1 skanninger er sendt.", timeout=15_000)
    assert [a.registration_id for a in _attendances()] == [course["people"][1].id]
    context.close()


def test_the_desk_works_by_keyboard_through_the_name_search(page, live_server, course):
    _desk(page, live_server, course)
    page.get_by_label("Navn, e-post eller arbeidssted").focus()
    page.keyboard.type("ødegård")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="Treff for «ødegård»: 1")).to_be_visible()
    button = page.get_by_role("button", name="Sjekk inn Åse Ødegård")
    for _ in range(60):
        if button.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    assert button.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Sjekket inn: Åse Ødegård, Indre Østfold")).to_be_visible()
    assert [a.registration_id for a in _attendances()] == [course["people"][2].id]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_desk_is_accessible(request, live_server, course, viewport):
    page = request.getfixturevalue(viewport)
    _desk(page, live_server, course)
    page.get_by_label("Navn, e-post eller arbeidssted").fill("o")
    page.get_by_role("button", name="Søk", exact=True).click()
    page.wait_for_load_state()
    page.locator("details.checkin-missing summary").click()
    page.get_by_label("Kode eller lenke fra billetten").fill(course["people"][0].ticket_code)
    page.get_by_role("button", name="Sjekk inn", exact=True).click()
    expect(page.locator("#scan-answer")).to_contain_text("Sjekket inn")
    assert_accessible(page)
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.console_errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_organisers_ticket_page_is_accessible(request, live_server, course, viewport):
    page = request.getfixturevalue(viewport)
    _log_in(page, live_server, course)
    page.goto(f"{live_server}/t/{course['people'][0].ticket_token}")
    page.get_by_role("button", name=re.compile("Sjekk inn")).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Sjekket inn: Kari Nordmann, Indre Østfold")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_walk_in_form_is_accessible(request, live_server, course, viewport):
    page = request.getfixturevalue(viewport)
    _log_in(page, live_server, course)
    page.goto(f"{live_server}/admin/events/{course['event'].id}/checkin/walk-in")
    page.get_by_role("button", name="Registrer og sjekk inn").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    assert_accessible(page)


def test_logging_out_drops_what_the_desk_kept_in_the_browser(browser, live_server, course):
    context, page = new_page(browser)
    _desk(page, live_server, course)
    _wait_until(page, "() => navigator.serviceWorker.controller !== null")
    kept = "async () => (await indexedDB.databases()).map(d => d.name)"
    assert "usht-checkin" in page.evaluate(kept)
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Du er logget ut.")).to_be_visible()
    assert "usht-checkin" not in page.evaluate(kept)
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    assert (
        page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    )
    context.close()
