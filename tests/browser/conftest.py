"""Browser fixtures: the app served on a free local port, and Debian's Chromium via Playwright."""

import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 in a background thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright():
    """Playwright, started once: the sync API allows one per thread."""
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright):
    """One headless Chromium for the whole run."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


def _page(browser, **options):
    context = browser.new_context(locale="nb-NO", **options)
    page = context.new_page()
    # Console errors, CSP violations among them, for tests that assert there are none.
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return context, page


@pytest.fixture
def page(browser):
    """A desktop-sized page in a fresh browser context."""
    context, page = _page(browser, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (360 x 740, touch) in a fresh browser context."""
    context, page = _page(browser, **PHONE)
    yield page
    context.close()


FAKE_CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture
def camera_browser(playwright):
    """Launch a Chromium whose camera plays a .y4m file (or, with None, the fake pattern).

    Camera permission is granted without asking. Each launch has its own file, so this is a
    browser per test, closed at the end.
    """
    launched = []

    def launch(video: Path | None):
        args = [*CHROMIUM_ARGS, *FAKE_CAMERA_ARGS]
        if video is not None:
            args.append(f"--use-file-for-fake-video-capture={Path(video).resolve()}")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        launched.append(chromium)
        return chromium

    yield launch
    for chromium in launched:
        chromium.close()


def new_page(browser, phone: bool = False):
    """A page in a fresh context of the given browser, collecting console errors."""
    return _page(browser, **(PHONE if phone else {"viewport": {"width": 1280, "height": 900}}))
