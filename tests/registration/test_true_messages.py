"""What the participant is told is true: seats per municipality, the sign-up's address, who
gets a given-up place, whether the link went out, and what a ticket is good for.

Each test reads the page or the mail the way the tester did (issue #12, "Every message
true")."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.registration.test_signup_views import _form_fields, _valid
from usht_events.catalogue.models import EventStatus
from usht_events.core.db import db, utcnow
from usht_events.core.outbox import OutboxMessage
from usht_events.core.worker import write_pending_mail
from usht_events.registration.models import Registration, RegistrationStatus

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


@pytest.fixture
def capped(make):
    """Ten seats, at most two per municipality, no waiting list; Fredrikstad holds its two."""
    for number in ("3107", "3101"):
        make.municipality(number)
    event = make.event(
        title="ProACT-instruktørkurs", capacity=10, seats_per_municipality=2, waitlist_enabled=False
    )
    for _ in range(2):
        make.registration(event, make.person(municipality="3107"))
    db.session.commit()
    return event


def _sign_up(client, event, path=None, query="", **overrides):
    """Load the event page, fill in the form and post it where the page's form says."""
    page = client.get(f"/events/{event.id}{query}").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" class="form-stack signup-form"', page)
    data = _form_fields(page) | _valid(**overrides)
    return client.post(path or action.group(1), data=data)


def _count(**where) -> int:
    query = select(func.count(Registration.id))
    for name, value in where.items():
        query = query.where(getattr(Registration, name) == value)
    return db.session.scalar(query)


def _written(app, kind: str) -> OutboxMessage:
    """The one mail of this kind, written by the worker as it would be."""
    with app.test_request_context():
        write_pending_mail(db.session, utcnow(), app.config, 100)
    db.session.commit()
    (message,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))
    return message


# A municipality's seats


def test_a_municipalitys_seats_taken_are_named_not_called_full(client, capped):
    response = _sign_up(client, capped, email="tredje@fredrikstad.kommune.no")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Arrangementet er fullt" not in page
    message = "Plassene for Fredrikstad er tatt (høyst 2 per kommune), og arrangementet har ingen venteliste."
    # Beside the municipality field, and in the error summary that links to it.
    assert re.search(rf'id="municipality-error"[^>]*>\s*{re.escape(message)}', page)
    assert re.search(rf'href="#municipality">{re.escape(message)}', page)
    assert "ledige plasser for ansatte i andre kommuner" in page
    assert _count() == 2


def test_the_municipalitys_refusal_in_english_names_it_too(client, capped):
    response = _sign_up(client, capped, query="?lang=en", email="tredje@fredrikstad.kommune.no")
    page = response.get_data(as_text=True)
    assert "The places for Fredrikstad are taken (at most 2 per municipality)" in page
    assert "The event is full" not in page


def test_another_municipality_still_gets_one_of_the_free_seats(client, capped):
    response = _sign_up(client, capped, email="ola@halden.kommune.no", municipality="3101")
    assert response.status_code == 303
    assert _count(status=CONFIRMED) == 3


def test_the_event_page_and_card_give_the_limit_beside_the_free_seats(client, capped):
    page = client.get(f"/events/{capped.id}").get_data(as_text=True)
    assert "8 ledige plasser, høyst 2 per kommune" in page
    calendar = client.get("/").get_data(as_text=True)
    assert "8 ledige plasser, høyst 2 per kommune" in calendar
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "8 places left, at most 2 per municipality" in english


@pytest.fixture
def capped_with_waitlist(make, capped):
    capped.waitlist_enabled = True
    make.registration(capped, make.person(municipality="3107"), status=WAITLISTED)
    db.session.commit()
    return capped


def test_waiting_for_the_municipalitys_seats_is_said_on_the_manage_page(
    client, capped_with_waitlist
):
    response = _sign_up(client, capped_with_waitlist, email="tredje@fredrikstad.kommune.no")
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    # Second in Fredrikstad's line: one from Fredrikstad waited already.
    assert "Nr. 2 på ventelisten for Fredrikstad" in page
    assert "Plassene for Fredrikstad er tatt (høyst 2 per kommune)" in page
    assert "Arrangementet er fullt" not in page


def test_waiting_for_the_municipalitys_seats_is_said_in_the_mail(app, client, capped_with_waitlist):
    _sign_up(client, capped_with_waitlist, email="tredje@fredrikstad.kommune.no")
    mail = _written(app, "waitlisted")
    assert mail.to_address == "tredje@fredrikstad.kommune.no"
    for body in (mail.body_text, mail.body_html):
        assert "Plassene for Fredrikstad på ProACT-instruktørkurs" in body
        assert "nr. 2 på ventelisten for Fredrikstad" in body
        assert "er fullt" not in body


def test_waiting_because_the_event_is_full_still_says_full(app, client, make):
    make.municipality("3107")
    event = make.event(title="Fullt kurs", capacity=1)
    make.registration(event)
    db.session.commit()
    response = _sign_up(client, event, email="venter@example.no")
    assert "Nr. 1 på ventelisten</h2>" in client.get(response.location).get_data(as_text=True)
    text = _written(app, "waitlisted").body_text
    assert "Fullt kurs, " in text and "er fullt, så du står som nr. 1 på ventelisten." in text


def test_the_organiser_adding_someone_hears_of_the_municipalitys_seats(login_as, capped):
    organiser = login_as("organiser", centre=capped.centre)
    form = organiser.get(f"/admin/events/{capped.id}/registrations/new").get_data(as_text=True)
    data = _form_fields(form) | _valid(email="tredje@fredrikstad.kommune.no")
    response = organiser.post(f"/admin/events/{capped.id}/registrations/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kommunen har brukt alle sine 2 plasser" in page
    assert "Øk kapasiteten" not in page


# The sign-up's address


def test_the_form_posts_to_the_event_pages_own_address(client, make):
    make.municipality("3107")
    event = make.event()
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'<form method="post" action="/events/{event.id}" class="form-stack signup-form"' in page
    response = _sign_up(client, event)
    assert response.status_code == 303
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32}", response.location)


def test_a_refused_sign_up_is_answered_at_the_event_page_with_what_was_typed(client, capped):
    response = _sign_up(client, capped, email="tredje@fredrikstad.kommune.no", needs="Glutenfri")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'value="tredje@fredrikstad.kommune.no"' in page
    assert "Glutenfri</textarea>" in page
    # The language switch on that page posts what was typed back to the event page in
    # English, to be shown, not signed up.
    assert (
        f'form="signup-form" formaction="/events/{capped.id}?lang=en" formnovalidate '
        'name="switch_language" value="1"'
    ) in page


@pytest.mark.parametrize(
    "query, location",
    [("", "/events/{id}"), ("?lang=en", "/events/{id}?lang=en"), ("?lang=xx", "/events/{id}")],
)
def test_a_get_at_the_sign_ups_old_address_leads_back_to_the_event(client, make, query, location):
    event = make.event()
    db.session.commit()
    response = client.get(f"/events/{event.id}/register{query}")
    assert response.status_code == 303
    assert response.location == location.format(id=event.id)


def test_the_old_address_still_takes_forms_loaded_before(client, make):
    make.municipality("3107")
    event = make.event()
    db.session.commit()
    response = _sign_up(client, event, path=f"/events/{event.id}/register")
    assert response.status_code == 303


@pytest.mark.parametrize("lang, prefix", [("nb", "Feil: "), ("en", "Error: ")])
def test_a_refused_sign_up_starts_the_page_title_with_feil(client, capped, lang, prefix):
    response = _sign_up(client, capped, query=f"?lang={lang}", email="x@fredrikstad.kommune.no")
    title = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True)).group(1)
    assert title.startswith(f"{prefix}ProACT-instruktørkurs")
    ok = client.get(f"/events/{capped.id}").get_data(as_text=True)
    assert re.search(r"<title>ProACT-instruktørkurs", ok)


# Who gets a given-up place


@pytest.fixture
def event_with_two(make):
    make.municipality("3107")
    make.municipality("3101")
    event = make.event(capacity=2, seats_per_municipality=1)
    kari = make.registration(event, make.person(municipality="3107"))
    make.registration(event, make.person(municipality="3101"))
    db.session.commit()
    return event, kari


def _who_gets_it(client, registration) -> str:
    page = client.get(f"/r/{registration.token}/cancel").get_data(as_text=True)
    return re.search(r'id="who-gets-the-place">([^<]*)<', page).group(1)


def test_cancel_page_says_nobody_waits_when_nobody_does(client, event_with_two):
    _, kari = event_with_two
    said = _who_gets_it(client, kari)
    assert said == "Ingen står på ventelisten, så plassen blir ledig for nye påmeldinger."
    assert "går videre til den første på ventelisten" not in said


def test_cancel_page_says_the_next_in_line_gets_it_when_one_fits(client, make, event_with_two):
    event, kari = event_with_two
    make.registration(event, make.person(municipality="3107"), status=WAITLISTED)
    db.session.commit()
    assert _who_gets_it(client, kari) == "Plassen din går til den som står først på ventelisten."


def test_cancel_page_says_those_waiting_cannot_take_it(client, make, event_with_two):
    # Halden's one seat is taken: someone from Halden cannot have Fredrikstad's.
    event, kari = event_with_two
    make.registration(event, make.person(municipality="3101"), status=WAITLISTED)
    db.session.commit()
    assert _who_gets_it(client, kari).startswith(
        "De som står på ventelisten, venter på plassene til sin egen kommune"
    )


def test_what_the_cancel_page_promised_is_what_happens(client, csrf_token, make, event_with_two):
    event, kari = event_with_two
    waiting = make.registration(event, make.person(municipality="3107"), status=WAITLISTED)
    db.session.commit()
    page = client.get(f"/r/{kari.token}/cancel").get_data(as_text=True)
    client.post(f"/r/{kari.token}/cancel", data={"csrf_token": csrf_token(page)})
    assert db.session.get(Registration, waiting.id).status == CONFIRMED


# The link sent again


def test_already_registered_says_the_link_was_sent_only_when_it_was(client, make):
    make.municipality("3107")
    event = make.event(title="Kurs i ernæring")
    make.registration(event, make.person(email="kari@example.no"))
    db.session.commit()
    first = _sign_up(client, event, email="kari@example.no").get_data(as_text=True)
    assert "Vi har sendt lenken til påmeldingen til e-postadressen på nytt" in first
    again = _sign_up(client, event, email="kari@example.no").get_data(as_text=True)
    assert "på nytt, så kan du se" not in again
    assert "for mindre enn 10 minutter siden, og sender den ikke på nytt" in again
    sent = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "existing_place")
    )
    assert sent == 1


def test_already_registered_in_english_says_what_happened(client, make):
    make.municipality("3107")
    event = make.event()
    make.registration(event, make.person(email="kari@example.no"))
    db.session.commit()
    _sign_up(client, event, email="kari@example.no")
    again = _sign_up(client, event, query="?lang=en", email="kari@example.no")
    assert "less than 10 minutes ago" in again.get_data(as_text=True)


# The ticket


@pytest.mark.parametrize("status", [RegistrationStatus.CANCELLED, WAITLISTED])
def test_a_ticket_not_valid_does_not_ask_to_be_shown(client, make, status):
    registration = make.registration(make.event(), status=status, cancelled_at=utcnow())
    db.session.commit()
    page = client.get(f"/t/{registration.ticket_token}").get_data(as_text=True)
    assert "Vis QR-koden når du kommer" not in page
    assert "Billetten gjelder" in page


def test_a_valid_ticket_asks_to_be_shown(client, make):
    registration = make.registration(make.event())
    db.session.commit()
    page = client.get(f"/t/{registration.ticket_token}").get_data(as_text=True)
    assert "Vis QR-koden når du kommer" in page


def test_a_ticket_for_a_cancelled_event_does_not_ask_to_be_shown(client, make):
    event = make.event(status=EventStatus.CANCELLED, cancelled_at=utcnow() - timedelta(hours=1))
    registration = make.registration(event)
    db.session.commit()
    page = client.get(f"/t/{registration.ticket_token}").get_data(as_text=True)
    assert "Arrangementet er avlyst. Billetten gjelder ikke." in page
    assert "Vis QR-koden når du kommer" not in page
