"""Signing up through the public form, and the manage link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from usht_events.core.db import db, utcnow
from usht_events.registration.models import Person, Registration, RegistrationStatus


def _form_fields(html: str) -> dict:
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', html)
    assert token and key, "the page has no sign-up form"
    return {"csrf_token": token.group(1), "form_key": key.group(1)}


def _valid(**overrides) -> dict:
    data = {
        "name": "Kari Nordmann",
        "email": "kari@example.no",
        "phone": "912 34 567",
        "municipality": "3107",
        "workplace": "Gressvik sykehjem",
        "profession": "nurse",
        "needs": "",
        "consent": "y",
    }
    return data | overrides


@pytest.fixture
def event(app, make):
    make.municipality("3107")
    make.municipality("3101")
    event = make.event(title="ProACT instruktørkurs", capacity=1)
    db.session.commit()
    return event


@pytest.fixture
def post_sign_up(client):
    """Load the event page, fill in the form and post it, as a browser would."""

    def post(event_id, **overrides):
        page = client.get(f"/events/{event_id}")
        assert page.status_code == 200
        data = _form_fields(page.get_data(as_text=True)) | _valid(**overrides)
        return client.post(f"/events/{event_id}/register", data=data)

    return post


def _registrations() -> int:
    return db.session.scalar(select(func.count(Registration.id)))


def _people() -> int:
    # The person is written before the event's lock is taken: a refusal must roll it back.
    return db.session.scalar(select(func.count(Person.id)))


def test_sign_up_redirects_to_manage_page_showing_the_place(client, event, post_sign_up):
    response = post_sign_up(event.id)
    assert response.status_code == 303
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32}", response.location)
    page = client.get(response.location).get_data(as_text=True)
    assert "Du har plass" in page
    assert "/t/" in page and f"/events/{event.id}.ics" in page


def test_sign_up_on_full_event_shows_waiting_list_place(client, event, post_sign_up):
    post_sign_up(event.id, email="first@example.no")
    response = post_sign_up(event.id, email="second@example.no")
    page = client.get(response.location).get_data(as_text=True)
    assert "Nr. 1 på ventelisten" in page
    assert "/t/" not in page


def test_full_event_without_waitlist_says_fullt_and_stores_nothing(make, client, post_sign_up):
    event = make.event(capacity=1, waitlist_enabled=False)
    make.municipality("3107")
    db.session.commit()
    page = client.get(f"/events/{event.id}")
    data = _form_fields(page.get_data(as_text=True))
    post_sign_up(event.id, email="first@example.no")
    response = client.post(f"/events/{event.id}/register", data=data | _valid(email="b@example.no"))
    assert response.status_code == 409
    assert "Arrangementet er fullt." in response.get_data(as_text=True)
    assert _registrations() == 1 and _people() == 1


@pytest.mark.parametrize(
    "lang, message",
    [("nb", "Påmeldingsfristen er ute."), ("en", "The registration deadline has passed.")],
)
def test_closed_registration_is_refused_with_409(make, client, lang, message):
    make.municipality("3107")
    event = make.event()
    db.session.commit()
    data = _form_fields(client.get(f"/events/{event.id}?lang={lang}").get_data(as_text=True))
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/events/{event.id}/register", data=data | _valid())
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert _registrations() == 0 and _people() == 0


def test_not_eligible_municipality_is_refused_with_403(make, client):
    make.municipality("3107")
    event = make.event(eligible=("3101",))
    db.session.commit()
    data = _form_fields(client.get(f"/events/{event.id}").get_data(as_text=True))
    event.eligible_municipalities = []
    db.session.commit()
    # The eligibility list changes between loading the form and posting it.
    event.eligible_municipalities = [make.municipality("3101")]
    db.session.commit()
    response = client.post(f"/events/{event.id}/register", data=data | _valid())
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    # Beside the municipality field, which now offers only the eligible ones.
    assert re.search(r'id="municipality-error"[^>]*>\s*Arrangementet er ikke åpent', page)
    assert 'value="3107"' not in page
    assert _registrations() == 0 and _people() == 0


@pytest.mark.parametrize("number", ["9999", "x" * 5000, "31\x0007", "<script>"])
def test_unknown_municipality_is_explained_beside_the_field(event, post_sign_up, number):
    response = post_sign_up(event.id, municipality=number)
    assert response.status_code == 422
    assert "Velg en kommune fra listen." in response.get_data(as_text=True)
    assert _registrations() == 0 and _people() == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "Skriv inn navnet ditt."),
        ({"email": "ikke-en-adresse"}, "Skriv inn en gyldig e-postadresse"),
        ({"municipality": ""}, "Velg kommunen du jobber i."),
        ({"profession": ""}, "Velg yrket ditt."),
        ({"consent": ""}, "Du må samtykke"),
        ({"phone": "ring meg"}, "Skriv telefonnummeret med sifre"),
        ({"name": "x" * 5000}, "Feltet kan ikke være lenger enn 200 tegn"),
        ({"name": "Kari\u202eNordmann"}, "tegn som ikke er tillatt"),
        ({"workplace": "Sykehjem\x00"}, "tegn som ikke er tillatt"),
    ],
)
def test_invalid_field_is_explained_beside_it_and_nothing_stored(
    event, post_sign_up, overrides, message
):
    response = post_sign_up(event.id, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _registrations() == 0


def test_html_and_script_in_fields_are_stored_as_text_and_escaped(client, event, post_sign_up):
    response = post_sign_up(event.id, name="<script>alert(1)</script>", workplace="<b>Hjem</b>")
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_post_without_csrf_token_is_refused_with_400(client, event):
    response = client.post(f"/events/{event.id}/register", data=_valid())
    assert response.status_code == 400
    assert _registrations() == 0


def test_post_to_nonexistent_event_is_404(client, event, post_sign_up):
    data = _form_fields(client.get(f"/events/{event.id}").get_data(as_text=True))
    response = client.post("/events/999999/register", data=data | _valid())
    assert response.status_code == 404
    assert _people() == 0


def test_resubmitted_form_leads_to_the_same_registration(client, event):
    data = _form_fields(client.get(f"/events/{event.id}").get_data(as_text=True)) | _valid()
    first = client.post(f"/events/{event.id}/register", data=data)
    second = client.post(f"/events/{event.id}/register", data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert _registrations() == 1
    assert [kind for kind, _ in _outbox_kinds()] == ["confirmation"]  # no second mail


def test_resubmitted_form_with_another_email_is_a_new_sign_up(client, event):
    """Back, change the e-mail, submit the same page: never the first person's link."""
    form = _form_fields(client.get(f"/events/{event.id}").get_data(as_text=True))
    first = client.post(f"/events/{event.id}/register", data=form | _valid())
    second = client.post(
        f"/events/{event.id}/register",
        data=form | _valid(name="Ola Hansen", email="ola@example.no"),
    )
    assert first.status_code == second.status_code == 303
    assert second.location != first.location
    ola = db.session.scalar(
        select(Registration).join(Person).where(Person.email == "ola@example.no")
    )
    assert second.location == f"/r/{ola.token}"
    assert ola.status == RegistrationStatus.WAITLISTED
    assert _registrations() == 2


def test_form_key_posted_to_another_event_is_a_new_sign_up(make, client, event):
    other = make.event(title="HHLR instruktørkurs", capacity=5)
    db.session.commit()
    form = _form_fields(client.get(f"/events/{event.id}").get_data(as_text=True))
    first = client.post(f"/events/{event.id}/register", data=form | _valid())
    second = client.post(f"/events/{other.id}/register", data=form | _valid())
    assert first.status_code == second.status_code == 303
    assert second.location != first.location
    stored = db.session.scalars(select(Registration.event_id).order_by(Registration.id)).all()
    assert stored == [event.id, other.id]


def test_resubmitted_form_after_cancelling_signs_up_again(client, event, csrf_token):
    form = _form_fields(client.get(f"/events/{event.id}").get_data(as_text=True))
    first = client.post(f"/events/{event.id}/register", data=form | _valid())
    cancel_page = client.get(f"{first.location}/cancel").get_data(as_text=True)
    client.post(f"{first.location}/cancel", data={"csrf_token": csrf_token(cancel_page)})
    again = client.post(f"/events/{event.id}/register", data=form | _valid())
    assert again.status_code == 303
    assert again.location != first.location
    assert _status("kari@example.no") == RegistrationStatus.CONFIRMED


def test_signing_up_again_with_a_known_email_reveals_nothing(client, event, post_sign_up):
    first = post_sign_up(event.id, name="Kari Nordmann")
    again = post_sign_up(event.id, name="Fremmed Person")
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "Sjekk e-posten din" in page
    assert first.location not in page
    assert "Kari Nordmann" not in page
    assert _registrations() == 1


def test_cancel_asks_first_then_frees_the_place_for_the_waitlist(client, event, post_sign_up):
    mine = post_sign_up(event.id, email="first@example.no").location
    waiting = post_sign_up(event.id, email="second@example.no").location
    confirm_page = client.get(f"{mine}/cancel")
    assert "Vil du melde deg av?" in confirm_page.get_data(as_text=True)
    assert _status("first@example.no") == RegistrationStatus.CONFIRMED  # nothing yet
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm_page.text)
    response = client.post(f"{mine}/cancel", data={"csrf_token": token.group(1)})
    assert response.status_code == 303
    assert "Du er meldt av" in client.get(mine).get_data(as_text=True)
    assert _status("first@example.no") == RegistrationStatus.CANCELLED
    assert _status("second@example.no") == RegistrationStatus.CONFIRMED
    assert "Du har plass" in client.get(waiting).get_data(as_text=True)


def test_manage_token_opens_only_its_own_registration(client, event, post_sign_up):
    mine = post_sign_up(event.id, email="first@example.no").location
    assert client.get(mine + "x").status_code == 404
    assert client.get("/r/" + "A" * 32).status_code == 404
    assert client.get("/r/" + "A" * 500).status_code == 404


def test_event_page_states_the_rules_in_plain_norwegian(make, client):
    event = make.event(capacity=60, min_participants=25, seats_per_municipality=3)
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Arrangementet gjennomføres hvis minst 25 melder seg på" in page
    assert "Hver kommune kan få 3 plasser" in page
    assert "Det trengs 25 påmeldinger til." in page


def test_event_description_keeps_its_paragraphs_and_lists(make, client):
    event = make.event(description="Du lærer:\n\n- ProACT\n- **HHLR**\n\n<script>x()</script>")
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<p>Du lærer:</p>\n<ul>\n<li>ProACT</li>\n<li><strong>HHLR</strong></li>" in page
    assert "<script>x()" not in page and "&lt;script&gt;x()" in page


def test_draft_event_page_is_404(make, client):
    from usht_events.catalogue.models import EventStatus

    event = make.event(status=EventStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/events/{event.id}").status_code == 404


def _status(email: str) -> RegistrationStatus:
    return db.session.scalar(
        select(Registration.status)
        .join(Person)
        .where(Person.email == email)
        .order_by(Registration.id.desc())
    )


def _outbox_kinds() -> list[tuple[str, str]]:
    from usht_events.core.outbox import OutboxMessage

    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)
    )
    return [tuple(row) for row in rows]


def test_sign_up_queues_the_confirmation_in_the_same_transaction(event, post_sign_up):
    post_sign_up(event.id, email="first@example.no")
    post_sign_up(event.id, email="second@example.no")
    assert _outbox_kinds() == [
        ("confirmation", "first@example.no"),
        ("waitlisted", "second@example.no"),
    ]


def test_refused_sign_up_queues_no_mail(make, client, post_sign_up):
    event = make.event(capacity=1, waitlist_enabled=False)
    make.municipality("3107")
    db.session.commit()
    data = _form_fields(client.get(f"/events/{event.id}").get_data(as_text=True))
    post_sign_up(event.id, email="first@example.no")
    refused = client.post(f"/events/{event.id}/register", data=data | _valid(email="b@example.no"))
    assert refused.status_code == 409
    assert _outbox_kinds() == [("confirmation", "first@example.no")]


def test_known_email_gets_its_link_by_mail_not_on_the_page(event, post_sign_up):
    post_sign_up(event.id)
    post_sign_up(event.id)
    assert _outbox_kinds() == [
        ("confirmation", "kari@example.no"),
        ("existing_place", "kari@example.no"),
    ]


def test_cancel_mails_the_person_and_the_one_promoted(client, event, post_sign_up):
    mine = post_sign_up(event.id, email="first@example.no").location
    post_sign_up(event.id, email="second@example.no")
    page = client.get(f"{mine}/cancel")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    client.post(f"{mine}/cancel", data={"csrf_token": token.group(1)})
    assert _outbox_kinds()[-2:] == [
        ("cancelled", "first@example.no"),
        ("promoted", "second@example.no"),
    ]


def test_reaching_the_minimum_tells_the_confirmed_that_the_event_runs(make, post_sign_up):
    event = make.event(capacity=10, min_participants=2)
    make.municipality("3107")
    db.session.commit()
    post_sign_up(event.id, email="a@example.no")
    post_sign_up(event.id, email="b@example.no")
    kinds = [kind for kind, _ in _outbox_kinds()]
    assert kinds.count("threshold_reached") == 2


def test_sign_up_form_speaks_english_when_asked(client, event):
    page = client.get(f"/events/{event.id}?lang=en").get_data(as_text=True)
    for text in ("Full name", "Mobile number (optional)", "Choose profession", "Nurse"):
        assert text in page
    assert "Fullt navn" not in page and "Sykepleier" not in page
    data = _form_fields(page) | _valid(name="", profession="")
    response = client.post(f"/events/{event.id}/register", data=data)
    assert response.status_code == 422
    answer = response.get_data(as_text=True)
    assert "Enter your name." in answer and "Choose your profession." in answer
