"""The certification pages over HTTP: certify from the preview, one certification and its
revocation, and the municipality contact's start page (where they land after logging in)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.certification.conftest import attend
from tests.conftest import _csrf_token
from usht_events.certification.models import Certification
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo
from usht_events.registration.models import RegistrationStatus


def _post(client, url, data=None):
    token = _csrf_token(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _count() -> int:
    return db.session.scalar(select(func.count(Certification.id)))


def test_the_organiser_sees_the_preview_and_certifies_once(login_as, sqlite_course):
    organiser = login_as("organiser", centre=sqlite_course.event.centre)
    url = f"/admin/events/{sqlite_course.event.id}/certify"
    participants = organiser.get(f"/admin/events/{sqlite_course.event.id}/registrations")
    assert f'href="{url}"' in participants.get_data(as_text=True)
    preview = organiser.get(url).get_data(as_text=True)
    assert "Blir godkjent (1)" in preview and "Blir ikke godkjent (3)" in preview
    assert "Har møtt på 1 av 2 økter; kravet er 2." in preview
    assert "Godkjenn 1 som ProACT-instruktør" in preview
    answer = _post(organiser, url)
    assert answer.status_code == 303 and _count() == 1
    page = organiser.get(answer.location).get_data(as_text=True)
    assert "1 deltakere er godkjent som ProACT-instruktør." in page
    assert "Allerede godkjent (1)" in page and "Godkjenn 1 som" not in page
    again = _post(organiser, url)
    assert "Ingen deltakere har fullført" in organiser.get(again.location).get_data(as_text=True)
    assert _count() == 1


def test_another_centre_and_contacts_cannot_certify(login_as, make, sqlite_course):
    url = f"/admin/events/{sqlite_course.event.id}/certify"
    assert _post(login_as("organiser", centre=make.centre("vest")), url).status_code == 404
    assert _post(login_as("municipality"), url).status_code == 403
    assert _count() == 0


def test_revoking_with_a_reason(login_as, sqlite_course):
    organiser = login_as("organiser", centre=sqlite_course.event.centre)
    _post(organiser, f"/admin/events/{sqlite_course.event.id}/certify")
    certification = db.session.scalar(select(Certification))
    url = f"/admin/certifications/{certification.id}"
    page = organiser.get(url).get_data(as_text=True)
    assert "Kari Nordmann" in page and certification.verification_code in page
    assert organiser.get(f"{url}/certificate.pdf").mimetype == "application/pdf"
    refused = _post(organiser, f"{url}/revoke", {"reason": ""})
    assert refused.status_code == 422 and "Skriv hvorfor godkjenningen tilbakekalles." in (
        refused.get_data(as_text=True)
    )
    answer = _post(organiser, f"{url}/revoke", {"reason": "Feil person godkjent"})
    assert answer.status_code == 303
    db.session.refresh(certification)
    assert certification.revoked_reason == "Feil person godkjent"
    assert "Tilbakekalt" in organiser.get(url).get_data(as_text=True)
    assert organiser.get(f"{url}/certificate.pdf").status_code == 404
    again = _post(organiser, f"{url}/revoke", {"reason": "Igjen"})
    assert "allerede tilbakekalt" in organiser.get(again.location).get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["event.certify", "certification.revoke"]


def test_an_organiser_manages_the_imported_certifications_of_their_region(login_as, make, app):
    centre = make.centre("ost", region=("3107",))
    here = make.certification(person=make.person(municipality="3107"))
    elsewhere = make.certification(person=make.person(municipality="3301"))
    db.session.commit()
    organiser = login_as("organiser", centre=centre)
    assert organiser.get(f"/admin/certifications/{here.id}").status_code == 200
    assert organiser.get(f"/admin/certifications/{elsewhere.id}").status_code == 404
    assert (
        _post(
            organiser, f"/admin/certifications/{elsewhere.id}/revoke", {"reason": "x"}
        ).status_code
        == 404
    )


# The municipality contact's start page


@pytest.fixture
def municipality(app, make):
    """Fredrikstad: a roster, a certification expiring soon, staff on this year's course."""
    today = to_oslo(utcnow()).date()
    centre = make.centre("ost", region=("3107",))
    kind = make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    make.certification(
        person=make.person(name="Anne Lenge"), kind=kind, expires_on=today + timedelta(days=500)
    )
    make.certification(
        person=make.person(name="Bjørn Snart"), kind=kind, expires_on=today + timedelta(days=30)
    )
    make.certification(
        person=make.person(name="Gro Halden", municipality="3101"),
        kind=kind,
        expires_on=today + timedelta(days=30),
    )
    start = max(utcnow() - timedelta(days=2), utcnow().replace(month=1, day=2, hour=8))
    held = make.event(
        centre=centre,
        title="Fagdag demens",
        starts_at=start,
        registration_opens_at=start - timedelta(days=30),
        registration_closes_at=start - timedelta(hours=1),
    )
    kari = make.registration(held, make.person(name="Kari Fredrikstad"))
    make.registration(held, make.person(name="Ola Fredrikstad"))
    make.registration(held, make.person(name="Per Venter"), status=RegistrationStatus.WAITLISTED)
    make.registration(held, make.person(name="Lise Halden", municipality="3101"))
    attend(kari)
    make.event(centre=centre, title="Åpent webinar")
    make.event(centre=centre, title="Bare for Halden", eligible=("3101",))
    make.event(centre=centre, title="For Fredrikstad", eligible=("3107",))
    db.session.commit()
    return held


def test_a_contact_lands_on_their_start_page(app, auth, make, municipality):
    user, password = make.user(
        "municipality", municipalities=("3107",), email="leder@fredrikstad.no"
    )
    db.session.commit()
    answer = auth.login(user.email, password)
    assert answer.status_code == 302 and answer.location.endswith("/municipalities")


def test_the_start_page_shows_rosters_expiring_staff_and_upcoming_events(login_as, municipality):
    contact = login_as("municipality", municipalities=("3107",))
    page = contact.get("/municipalities")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'href="/municipalities/3107/instructors"' in html
    expiring = html.split('id="expiring-heading"')[1].split("</section>")[0]
    assert (
        "Bjørn Snart" in expiring and "Anne Lenge" not in expiring and "Gro Halden" not in expiring
    )
    staff = html.split('id="participation-heading"')[1].split("</section>")[0]
    assert "Fagdag demens" in staff
    assert "<td>2</td>\n          <td>1</td>\n          <td>1</td>" in staff
    assert "Kari Fredrikstad" not in staff  # counts, not names
    upcoming = html.split('id="upcoming-heading"')[1].split("</section>")[0]
    assert "Åpent webinar" in upcoming and "For Fredrikstad" in upcoming
    assert "Bare for Halden" not in upcoming


def test_the_start_page_is_the_contacts_own(login_as, municipality):
    assert login_as("organiser").get("/municipalities").status_code == 403
    assert login_as("admin").get("/municipalities").status_code == 403
