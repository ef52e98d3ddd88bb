"""The pages an organiser and a municipality contact read every week, in English: the
participant list, writing to participants, the check-in desk, the annual report (and its
workbook), rosters and the contact's start page. Only data stays Norwegian."""

import io

import pytest
from openpyxl import load_workbook

from tests.language import norwegian_left
from usht_events.core.db import db
from usht_events.registration.models import RegistrationStatus


@pytest.fixture
def world(app, make):
    make.municipality("3107", name="Fredrikstad")
    centre = make.centre("east", name="USHT East", region=("3107",))
    kind = make.certification_kind("proact", name="ProACT instructor")
    event = make.event(
        title="ProACT instructor course",
        centre=centre,
        focus_area=make.focus_area("dementia", name="Dementia care"),
        capacity=1,
        venue="Town hall",
        certifies_kind=kind,
    )
    seated = make.person(name="Kari Smith", workplace="Home care")
    make.registration(event, seated)
    make.registration(
        event, make.person(name="Ola Jones", workplace="Home care"), RegistrationStatus.WAITLISTED
    )
    make.certification(seated, kind=kind)
    db.session.commit()
    return {"centre": centre, "event": event}


DATA = (
    "Fredrikstad",
    "Indre Østfold",
    "USHT East",
    "ProACT instructor course",
    "ProACT instructor",
    "Dementia care",
    "Town hall",
    "Kari Smith",
    "Ola Jones",
    "Home care",
    "Østfold",  # the county, in the roster
)


def _in_english(client):
    """Choose English first; the page also shows (and so clears) the login's greeting,
    which was written in the language of the login page."""
    client.get("/?lang=en")
    return client


def _english(client, path: str, *more: str) -> str:
    response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert norwegian_left(html, (*DATA, client.user.name, *more)) == [], path
    return html


def test_the_organisers_weekly_pages_are_english(login_as, world):
    organiser = _in_english(login_as("organiser", centre=world["centre"]))
    event_id = world["event"].id
    html = _english(organiser, f"/admin/events/{event_id}/registrations")
    assert "Waiting list" in html or "waiting list" in html
    _english(organiser, f"/admin/events/{event_id}/registrations?q=smith&sort=name")
    _english(organiser, f"/admin/events/{event_id}/message")
    _english(organiser, f"/admin/events/{event_id}/checkin")
    _english(organiser, "/admin/reports/participation")


def test_the_annual_workbook_is_english(login_as, world):
    organiser = login_as("organiser", centre=world["centre"])
    organiser.get("/?lang=en")
    response = organiser.get("/admin/reports/participation.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Key figures",
        "Focus area",
        "Kind of event",
        "Networks and programmes",
    ]
    text = "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    )
    assert "Municipality" in text and "Total" in text
    assert norwegian_left(f"<p>{text}</p>".replace("\n", "</p><p>"), DATA) == []


def test_the_municipality_contacts_pages_are_english(login_as, world):
    contact = _in_english(login_as("municipality", municipalities=("3107",)))
    _english(contact, "/municipalities")
    html = _english(contact, "/municipalities/3107/instructors")
    assert "Valid" in html
