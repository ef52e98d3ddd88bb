"""A participant corrects their own details from the link in their mail (/r/<token>/details)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.registration import corrections
from usht_events.registration.corrections import Details
from usht_events.registration.models import Registration, RegistrationStatus

NEW = {
    "name": "Kari Nordmann-Hansen",
    "phone": "+47 912 34 568",
    "workplace": "Gressvik sykehjem",
    "needs": "Laktosefri mat",
}


@pytest.fixture
def kari(make):
    """Kari's confirmed place on a course open to everyone, without seats per municipality."""
    make.municipality("3101")
    person = make.person(name="Kari Nordman", phone="912 34 567", email="kari@example.no")
    registration = make.registration(make.event(title="Kurs i ernæring"), person)
    db.session.commit()
    return registration


def _page(client, registration, path="/details"):
    return client.get(f"/r/{registration.token}{path}").get_data(as_text=True)


def _post(client, registration, **fields):
    page = _page(client, registration)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    # A browser posts the municipality shown as chosen, when the form has the field.
    data = {"csrf_token": token, "municipality": registration.municipality_number, **NEW}
    return client.post(f"/r/{registration.token}/details", data=data | fields)


def _fresh(registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def test_the_manage_page_leads_to_the_form(client, kari):
    page = _page(client, kari, "")
    assert f'href="/r/{kari.token}/details">Endre opplysningene dine</a>' in page


def test_the_form_shows_what_is_stored(client, kari):
    page = _page(client, kari)
    assert 'value="Kari Nordman"' in page
    assert 'value="912 34 567"' in page
    assert 'value="Hjemmetjenesten"' in page
    assert "<title>Endre opplysningene dine: Kurs i ernæring" in page


def test_a_correction_is_saved_and_confirmed_and_nothing_else_changes(client, kari):
    before = (kari.status, kari.token, kari.municipality_number)
    response = _post(client, kari)
    assert response.status_code == 303
    assert response.location == f"/r/{kari.token}"
    page = client.get(response.location).get_data(as_text=True)
    assert "Opplysningene dine er oppdatert. Arrangøren ser de nye opplysningene." in page
    registration = _fresh(kari)
    person = registration.person
    assert (person.name, person.phone) == (NEW["name"], NEW["phone"])
    assert (registration.workplace, registration.needs) == (NEW["workplace"], NEW["needs"])
    assert person.email == "kari@example.no"
    assert (registration.status, registration.token, registration.municipality_number) == before
    assert "Kari Nordmann-Hansen" in page, "the manage page shows the new name"


def test_the_audit_entry_names_the_fields_not_their_values(client, kari):
    _post(client, kari, phone="912 34 567")
    (entry,) = db.session.scalars(select(AuditEntry)).all()
    assert entry.user_id is None and entry.event_id == kari.event_id
    assert entry.action == "registration.self_correct"
    assert entry.summary == (
        f"Deltakeren rettet egne opplysninger på påmelding #{kari.id}"
        f" (person #{kari.person_id}): navn, arbeidssted, behov."
    )
    for value in NEW.values():
        assert value not in entry.summary


def test_the_event_log_says_the_participant_made_it(login_as, client, kari):
    _post(client, kari)
    organiser = login_as("organiser", centre=kari.event.centre)
    log = organiser.get(f"/admin/events/{kari.event_id}/log").get_data(as_text=True)
    assert "Deltakeren selv" in log


def test_nothing_changed_is_said_and_logged_as_nothing(client, kari):
    same = {"name": "Kari Nordman", "phone": "912 34 567", "workplace": "Hjemmetjenesten"}
    response = _post(client, kari, needs="", **same)
    page = client.get(response.location).get_data(as_text=True)
    assert "Ingenting ble endret" in page
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_the_e_mail_address_cannot_be_changed_here(client, kari):
    page = _page(client, kari)
    assert 'name="email"' not in page
    assert "E-postadressen (kari@example.no): den er nøkkelen til påmeldingen din." in page
    _post(client, kari, email="noen.andre@example.no")
    assert _fresh(kari).person.email == "kari@example.no"


def test_bad_input_is_refused_beside_the_field_with_feil_in_the_title(client, kari):
    response = _post(client, kari, name="", phone="ring meg")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Feil: Endre opplysningene dine" in page
    assert re.search(r'id="name-error"[^>]*>\s*Skriv inn navnet ditt\.', page)
    assert 'id="error-summary"' in page
    assert _fresh(kari).person.name == "Kari Nordman"


def test_the_municipality_can_change_where_it_decides_nothing(client, kari):
    assert 'name="municipality"' in _page(client, kari)
    _post(client, kari, municipality="3101")
    assert _fresh(kari).municipality_number == "3101"


def test_the_municipality_cannot_change_where_it_decides_the_seats(client, make):
    make.municipality("3101")
    event = make.event(seats_per_municipality=2)
    registration = make.registration(event, make.person(municipality="3107"))
    db.session.commit()
    page = _page(client, registration)
    assert 'name="municipality"' not in page
    assert "Kommunen (Fredrikstad): hver kommune kan få høyst 2 plasser" in page
    _post(client, registration, municipality="3101")
    assert _fresh(registration).municipality_number == "3107"


def test_the_municipality_cannot_change_where_it_decides_who_may_come(client, make):
    event = make.event(eligible=("3107", "3101"))
    registration = make.registration(event, make.person(municipality="3107"))
    db.session.commit()
    page = _page(client, registration)
    assert 'name="municipality"' not in page
    assert "arrangementet er bare åpent for ansatte i noen kommuner" in page


def test_the_rule_refuses_a_municipality_that_decides_the_seats(any_app, make):
    make.municipality("3101")
    registration = make.registration(
        make.event(seats_per_municipality=1), make.person(municipality="3107")
    )
    details = Details("Kari", "", "Sykehjem", "", municipality_number="3101")
    with pytest.raises(DomainError) as refusal:
        corrections.correct_details(db.session, registration, details, utcnow())
    assert (refusal.value.code, refusal.value.field) == (
        "municipality_not_changeable",
        "municipality",
    )


def test_the_rule_refuses_a_cancelled_place(any_app, make):
    registration = make.registration(make.event(), status=RegistrationStatus.CANCELLED)
    with pytest.raises(DomainError) as refusal:
        corrections.correct_details(db.session, registration, Details("K", "", "S", ""), utcnow())
    assert refusal.value.code == "registration_cancelled"


def test_the_rule_refuses_once_the_event_is_over(any_app, make):
    start = utcnow() - timedelta(days=3)
    registration = make.registration(make.event(starts_at=start, registration_closes_at=None))
    with pytest.raises(DomainError) as refusal:
        corrections.correct_details(db.session, registration, Details("K", "", "S", ""), utcnow())
    assert refusal.value.code == "past"


def test_a_cancelled_place_leads_back_to_the_manage_page(client, make):
    registration = make.registration(make.event(), status=RegistrationStatus.CANCELLED)
    db.session.commit()
    response = client.get(f"/r/{registration.token}/details")
    assert response.status_code == 303
    assert response.location == f"/r/{registration.token}"


def test_the_form_in_english(client, kari):
    page = _page(client, kari, "/details?lang=en")
    assert "Change your details" in page
    assert "What you cannot change here" in page
