"""The participant's pages in English: with `?lang=en` nothing Norwegian is left but data.

Data stays in the language it was written in (a municipality's name, the organiser's own
title), so the test's data is named in English or passed as data; every other word on the
page comes from the catalogue.
"""

import re

import pytest
from sqlalchemy import func, select

from tests.language import norwegian_left
from usht_events.core.db import db
from usht_events.registration.models import Registration, RegistrationStatus


@pytest.fixture
def world(app, make):
    make.municipality("3107", name="Fredrikstad")
    make.municipality("3101", name="Halden")
    centre = make.centre("east", name="USHT East", region=("3107", "3101"))
    focus = make.focus_area("palliative-care", name="Palliative care")
    event = make.event(
        title="Palliative care day",
        centre=centre,
        focus_area=focus,
        capacity=2,
        seats_per_municipality=1,
        min_participants=2,
        venue="Town hall",
    )
    person = make.person(name="Kari Smith", workplace="Home care")
    seated = make.registration(event, person)
    waiting = make.registration(
        event, make.person(name="Ola Jones", workplace="Home care"), RegistrationStatus.WAITLISTED
    )
    db.session.commit()
    return {"event": event, "seated": seated, "waiting": waiting}


DATA = (
    "Fredrikstad",
    "Halden",
    "Indre Østfold",
    "USHT East",
    "Palliative care",
    "Town hall",
    "Kari Smith",
)


def _english(client, url: str) -> str:
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_calendar_and_its_filters_are_english(client, world):
    html = _english(client, "/?q=care&kind=course")
    assert "Focus area" in html and "All municipalities" in html
    assert norwegian_left(html, DATA) == []


def test_a_refused_date_filter_is_explained_in_english(client, world):
    html = client.get("/?from=12.03.2026&lang=en").get_data(as_text=True)
    assert "YYYY-MM-DD" in html
    assert norwegian_left(html, DATA) == []


def test_the_event_page_is_english(client, world):
    html = _english(client, f"/events/{world['event'].id}")
    assert norwegian_left(html, DATA) == []


def test_the_manage_pages_are_english(client, world):
    for registration in (world["seated"], world["waiting"]):
        token = registration.token
        for url in (f"/r/{token}", f"/r/{token}/cancel", f"/r/{token}/details"):
            assert norwegian_left(_english(client, url), (*DATA, "Ola Jones")) == [], url


def test_the_ticket_is_english(client, world):
    html = _english(client, f"/t/{world['seated'].ticket_token}")
    assert norwegian_left(html, DATA) == []


def test_a_refused_sign_up_is_explained_in_english(client, world):
    event_id = world["event"].id
    page = _english(client, f"/events/{event_id}")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/events/{event_id}?lang=en",
        data={"csrf_token": csrf, "form_key": key, "email": "not an address"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a valid e-mail address" in html
    # The example address keeps its Norwegian domain, as addresses here have.
    assert norwegian_left(html, (*DATA, "name@kommune.no")) == []


def test_the_language_switch_keeps_the_calendars_filters(client, world):
    page = client.get("/?q=care&kind=course&from=2026-01-01").get_data(as_text=True)
    assert 'href="/?q=care&amp;kind=course&amp;from=2026-01-01&amp;lang=en"' in page
    english = client.get("/?q=care&kind=course&lang=en").get_data(as_text=True)
    assert 'href="/?q=care&amp;kind=course&amp;lang=nb"' in english


def test_switching_language_after_a_refused_sign_up_keeps_what_was_typed(client, world):
    event_id = world["event"].id
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    typed = {"csrf_token": csrf, "form_key": key, "name": "Siri Berg", "email": "not an address"}
    refused = client.post(f"/events/{event_id}", data=typed)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    # The switch is a button that posts the form back, not a link that would drop it.
    assert re.search(
        r'<button class="ds-link site-nav__button" type="submit" form="signup-form" '
        rf'formaction="/events/{event_id}\?lang=en" formnovalidate name="switch_language"',
        html,
    )
    switched = client.post(f"/events/{event_id}?lang=en", data=typed | {"switch_language": "1"})
    assert switched.status_code == 200
    html = switched.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert 'value="Siri Berg"' in html and 'value="not an address"' in html
    assert "Enter a valid e-mail address" in html
    assert db.session.scalar(select(func.count(Registration.id))) == 2, "nothing signed up"
    # Back on a plain page, the switch is a link again.
    assert f'href="/events/{event_id}?lang=nb"' in client.get(f"/events/{event_id}").get_data(
        as_text=True
    )
