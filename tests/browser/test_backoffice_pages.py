"""Every back-office page an administrator can open passes the accessibility check.

The list of pages is read from the app's URL map, so a new /admin page is checked
without anyone having to remember to add it here.
"""

import re

import pytest

from tests.browser.axe import assert_accessible
from usht_events.catalogue.models import QuestionKind
from usht_events.catalogue.questions import QuestionSpec, add_question
from usht_events.core.db import db
from usht_events.registration.models import RegistrationStatus

pytestmark = pytest.mark.browser

# Pages outside /admin that only logged-in users see.
ACCOUNT_PAGES = ["/account/password"]


@pytest.fixture
def back_office(app, make):
    """A centre with an event, people on it, a failed mail, and an administrator."""
    centre = make.centre("ost", region=("3107", "3101"))
    event = make.event(centre=centre, capacity=1, min_participants=1, title="HHLR-instruktørkurs")
    registration = make.registration(event)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    message = make.failed_mail(event)
    question = add_question(
        db.session, None, event.id, QuestionSpec("Hvilken gruppe?", QuestionKind.SHORT_TEXT)
    )
    kind = make.certification_kind(name="ProACT-instruktør")
    certification = make.certification(
        person=registration.person, kind=kind, event=event, source="event"
    )
    series = make.series(centre=centre)
    admin, password = make.user(role="admin", email="admin@usht.test")
    db.session.commit()
    ids = {
        "event_id": event.id,
        "registration_id": registration.id,
        "person_id": registration.person_id,
        "message_id": message.id,
        "user_id": admin.id,
        "question_id": question.id,
        "certification_id": certification.id,
        "kind_id": kind.id,
        "focus_area_id": event.focus_area_id,
        "series_id": series.id,
        "centre_id": centre.id,
    }
    return ids, password


def _get_pages(app, ids) -> list[str]:
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "GET" not in rule.methods:
            continue
        if rule.rule.endswith((".csv", ".xlsx", ".pdf")) or "extension" in rule.arguments:
            continue  # downloads, not pages
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:int:)?{name}>", str(ids[name]), url)
        pages.append(url)
    return sorted(pages) + ACCOUNT_PAGES


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_every_back_office_page_is_accessible(request, app, live_server, back_office, viewport):
    ids, password = back_office
    page = request.getfixturevalue(viewport)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-post").fill("admin@usht.test")
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server}/admin")
    for path in _get_pages(app, ids):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        if not response.headers["content-type"].startswith("text/html"):
            continue  # JSON and scripts for the pages (the check-in desk's), not pages
        assert_accessible(page)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        viewport_width = page.viewport_size["width"]
        assert width <= viewport_width, f"{path} scrolls sideways: {width} > {viewport_width}"
