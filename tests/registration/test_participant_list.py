"""The participant list as an organiser works it: search, order, the minimum and decision,
and actions on the people ticked, over HTTP."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import _csrf_token
from usht_events.core.db import db, utcnow
from usht_events.core.outbox import OutboxMessage
from usht_events.registration.models import Registration, RegistrationStatus

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


@pytest.fixture
def world(app, make):
    """An ABC seminar of three seats that runs at 5: Kari, Ola and Åse have seats (signed up
    in that order), Per and Siri wait."""
    centre = make.centre("ostfold", name="USHT Østfold", region=("3107", "3105"))
    event = make.event(
        centre=centre,
        capacity=3,
        min_participants=3,
        decision_at=utcnow() + timedelta(days=7),
        auto_decision=True,
        title="Demensomsorgens ABC",
    )
    start = utcnow() - timedelta(days=3)
    people = {}
    for number, (name, status, municipality, phone) in enumerate(
        [
            ("Kari Nordmann", CONFIRMED, "3107", "912 34 567"),
            ("Ola Hansen", CONFIRMED, "3105", ""),
            ("Åse Ødegård", CONFIRMED, "3107", ""),
            ("Per Venter", WAITLISTED, "3105", ""),
            ("Siri Venter", WAITLISTED, "3107", ""),
        ]
    ):
        person = make.person(name=name, phone=phone, municipality=municipality)
        people[name.split()[0]] = make.registration(
            event, person, status=status, created_at=start + timedelta(hours=number)
        )
    db.session.commit()
    return event, people


@pytest.fixture
def organiser(login_as, world):
    return login_as("organiser", centre=world[0].centre)


def _names(page: str) -> list[str]:
    return re.findall(
        r'<th scope="row" class="participants-table__person">\s*<a [^>]+>([^<]+)</a>', page
    )


def _page(client, event, **query) -> str:
    response = client.get(f"/admin/events/{event.id}/registrations", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _select(client, event, action, names, people, **fields):
    token = _csrf_token(
        client.get(f"/admin/events/{event.id}/registrations").get_data(as_text=True)
    )
    data = {"csrf_token": token, "action": action, "registration": [people[n].id for n in names]}
    return client.post(f"/admin/events/{event.id}/registrations/selection", data=data | fields)


def _statuses(people) -> dict[str, RegistrationStatus]:
    db.session.expire_all()
    return {name: db.session.get(Registration, item.id).status for name, item in people.items()}


def test_search_finds_by_any_visible_detail_and_says_how_many(organiser, world):
    event, _people = world
    assert _names(_page(organiser, event, q="venter")) == ["Per Venter", "Siri Venter"]
    assert _names(_page(organiser, event, q="912 34")) == ["Kari Nordmann"]
    sarpsborg = _page(organiser, event, q="SARPSBORG")
    assert _names(sarpsborg) == ["Ola Hansen", "Per Venter"]
    assert "2 av 5 treff" in sarpsborg
    nothing = _page(organiser, event, q="Bodø")
    assert "Ingen treff på «Bodø»." in nothing


@pytest.mark.parametrize(
    ("order", "names"),
    [
        ("status", ["Kari Nordmann", "Ola Hansen", "Åse Ødegård", "Per Venter", "Siri Venter"]),
        ("name", ["Kari Nordmann", "Ola Hansen", "Per Venter", "Siri Venter", "Åse Ødegård"]),
        ("signed_up", ["Siri Venter", "Per Venter", "Åse Ødegård", "Ola Hansen", "Kari Nordmann"]),
        (
            "municipality",
            ["Kari Nordmann", "Åse Ødegård", "Siri Venter", "Ola Hansen", "Per Venter"],
        ),
    ],
)
def test_the_list_reads_in_the_order_asked_for(organiser, world, order, names):
    assert _names(_page(organiser, world[0], sort=order)) == names


def test_a_search_too_long_is_refused_with_400_and_the_list_shown(organiser, world):
    response = organiser.get(
        f"/admin/events/{world[0].id}/registrations", query_string={"q": "x" * 101}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="q-error">Søket er for langt.' in page
    assert len(_names(page)) == 5


def test_the_minimum_and_the_decision_are_shown(organiser, world):
    event, people = world
    page = _page(organiser, event)
    assert "<dt>Minimum</dt><dd>3</dd>" in page
    assert "Beslutning om gjennomføring" in page and "(tas automatisk)" in page
    assert re.search(r"<dt>Status for minimum</dt><dd>Nådd</dd>", page)
    db.session.get(Registration, people["Ola"].id).status = CANCELLED
    db.session.commit()
    assert re.search(
        r"<dt>Status for minimum</dt><dd>1 påmelding mangler</dd>", _page(organiser, event)
    )


def test_cancelling_the_ticked_mails_each_their_reason(organiser, world):
    event, people = world
    response = _select(organiser, event, "cancel", ["Ola", "Per"], people, reason="Feil målgruppe.")
    assert response.status_code == 303
    assert _statuses(people) == {
        "Kari": CONFIRMED,
        "Ola": CANCELLED,
        "Åse": CONFIRMED,
        "Per": CANCELLED,
        "Siri": CONFIRMED,
    }
    page = organiser.get(response.location).get_data(as_text=True)
    assert "2 er meldt av og får begrunnelsen på e-post." in page
    assert "1 fikk plass fra ventelisten og får beskjed på e-post." in page
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "cancelled_by_organiser")
    ).all()
    assert len(mails) == 2 and all("Feil målgruppe." in mail.body_text for mail in mails)


def test_cancelling_the_ticked_without_a_reason_changes_nothing(organiser, world):
    event, people = world
    response = _select(organiser, event, "cancel", ["Ola"], people, reason="  ")
    page = organiser.get(response.location).get_data(as_text=True)
    assert "Skriv en begrunnelse til de valgte" in page
    assert _statuses(people)["Ola"] == CONFIRMED


def test_giving_places_to_the_ticked_reports_those_without_a_seat(organiser, world):
    event, people = world
    event.capacity = 4
    db.session.commit()
    response = _select(organiser, event, "promote", ["Siri", "Per"], people)
    page = organiser.get(response.location).get_data(as_text=True)
    assert "1 har fått plass og får beskjed på e-post." in page
    assert "Siri Venter: Alle 4 plassene er tatt." in page
    assert _statuses(people)["Per"] == CONFIRMED and _statuses(people)["Siri"] == WAITLISTED


def test_messaging_the_ticked_goes_to_them_only(organiser, world):
    event, people = world
    response = _select(organiser, event, "message", ["Kari", "Siri"], people)
    assert response.status_code == 303
    form = organiser.get(response.location)
    page = form.get_data(as_text=True)
    assert "Kari Nordmann" in page and "Siri Venter" in page and "Ola Hansen" not in page
    data = {
        "csrf_token": _csrf_token(page),
        "registration": [people["Kari"].id, people["Siri"].id],
        "subject": "Husk matpakke",
        "body": "Ta med lunsj.",
    }
    sent = organiser.post(f"/admin/events/{event.id}/message", data=data)
    assert sent.status_code == 303
    rows = db.session.execute(
        select(OutboxMessage.registration_id).where(OutboxMessage.kind == "message")
    ).scalars()
    assert sorted(rows) == sorted([people["Kari"].id, people["Siri"].id])


@pytest.mark.parametrize("value", ["abc", "0", str(2**31), "-1"])
def test_a_forged_selection_is_a_400_and_changes_nothing(organiser, world, value):
    event, people = world
    token = _csrf_token(
        organiser.get(f"/admin/events/{event.id}/registrations").get_data(as_text=True)
    )
    data = {"csrf_token": token, "action": "promote", "registration": [people["Per"].id, value]}
    response = organiser.post(f"/admin/events/{event.id}/registrations/selection", data=data)
    assert response.status_code == 400
    assert _statuses(people)["Per"] == WAITLISTED


def test_another_events_place_in_the_selection_is_refused(organiser, world, make):
    event, people = world
    stranger = make.registration(make.event(centre=event.centre), status=WAITLISTED)
    db.session.commit()
    token = _csrf_token(
        organiser.get(f"/admin/events/{event.id}/registrations").get_data(as_text=True)
    )
    data = {
        "csrf_token": token,
        "action": "promote",
        "registration": [people["Per"].id, stranger.id],
    }
    response = organiser.post(f"/admin/events/{event.id}/registrations/selection", data=data)
    assert "Påmeldingen finnes ikke." in organiser.get(response.location).get_data(as_text=True)
    assert _statuses(people)["Per"] == WAITLISTED
    assert (
        organiser.get(f"/admin/events/{event.id}/message?registration={stranger.id}").status_code
        == 404
    )


def test_nothing_ticked_is_explained(organiser, world):
    event, people = world
    response = _select(organiser, event, "promote", [], people)
    assert "Velg minst én deltaker i listen først." in organiser.get(response.location).get_data(
        as_text=True
    )
