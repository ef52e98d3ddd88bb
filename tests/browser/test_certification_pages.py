"""The pages municipality contacts and participants see of certification pass the
accessibility check on a desktop and a phone: the roster, the contact's start page, the
verification page and a participant's own certificates."""

from datetime import timedelta

import pytest

from tests.browser.axe import assert_accessible
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo
from usht_events.registration.models import Attendance

pytestmark = pytest.mark.browser


@pytest.fixture
def municipality(app, make):
    """Fredrikstad with certified people of two kinds, staff on a course, a contact."""
    today = to_oslo(utcnow()).date()
    centre = make.centre("ost", region=("3107",), name="USHT Østfold")
    proact = make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    hhlr = make.certification_kind("hhlr-instruktor", name="HHLR-instruktør")
    for number, (kind, days) in enumerate([(proact, 400), (proact, 30), (hhlr, -5), (hhlr, None)]):
        expires = today + timedelta(days=days) if days is not None else None
        make.certification(
            person=make.person(name=f"Instruktør {number}", workplace="Fredrikstad sykehjem"),
            kind=kind,
            issued_on=today - timedelta(days=500),
            expires_on=expires,
        )
    revoked = make.certification(person=make.person(name="Trukket Tilbake"), kind=proact)
    revoked.revoked_at = utcnow()
    start = utcnow() - timedelta(days=1)
    held = make.event(
        centre=centre,
        title="HHLR-instruktørkurs",
        certifies_kind=hhlr,
        starts_at=start,
        registration_opens_at=start - timedelta(days=30),
        registration_closes_at=start - timedelta(hours=2),
    )
    registration = make.registration(held, make.person(name="Kari Nordmann"))
    db.session.add(Attendance(registration_id=registration.id, session_id=held.sessions[0].id))
    certification = make.certification(
        person=registration.person, kind=hhlr, event=held, source="event"
    )
    make.event(centre=centre, title="ProACT-instruktørkurs", certifies_kind=proact)
    contact, password = make.user(
        "municipality", municipalities=("3107",), email="kontakt@fredrikstad.no"
    )
    db.session.commit()
    return contact, password, registration, certification


def _log_in(page, live_server, email, password):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_the_contacts_pages_are_accessible(request, live_server, municipality, viewport):
    contact, password, *_ = municipality
    page = request.getfixturevalue(viewport)
    _log_in(page, live_server, contact.email, password)
    page.wait_for_url(f"{live_server}/municipalities")
    assert page.get_by_role("heading", name="Utløper innen 90 dager").is_visible()
    assert_accessible(page)
    for path in (
        "/municipalities/3107/instructors",
        "/municipalities/3107/instructors?status=expiring&sort=expires",
        "/municipalities/3107/instructors?lang=en",
    ):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        assert_accessible(page)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{path} scrolls sideways"


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_the_public_certification_pages_are_accessible(
    request, live_server, municipality, viewport
):
    *_, registration, certification = municipality
    page = request.getfixturevalue(viewport)
    for path in (
        f"/verify/{certification.verification_code}",
        "/verify/UKJENTKODE",
        f"/r/{registration.token}",
        f"/r/{registration.token}/certificates",
    ):
        page.goto(f"{live_server}{path}")
        assert_accessible(page)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{path} scrolls sideways"
