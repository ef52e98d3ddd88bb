"""An event that still needs sign-ups: the mail says so, calendars hold it as TENTATIVE, and
reaching the minimum or the organiser's confirmation sends the CONFIRMED update."""

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.registration.test_signup_views import _form_fields, _valid
from usht_events.core.db import db, utcnow
from usht_events.core.outbox import OutboxMessage
from usht_events.core.worker import write_pending_mail
from usht_events.registration import decisions

BASE = "http://usht.test"


@pytest.fixture
def course(make):
    """Runs if three sign up, decided on a given day; a two-day course of Østfold."""
    make.municipality("3107")
    centre = make.centre("ostfold", name="USHT Østfold")
    event = make.event(title="Lindrende behandling", centre=centre, days=2, min_participants=3)
    event.decision_at = event.registration_closes_at
    db.session.commit()
    return event


def _sign_up(client, event, email: str, lang: str = "nb"):
    page = client.get(f"/events/{event.id}?lang={lang}").get_data(as_text=True)
    response = client.post(f"/events/{event.id}", data=_form_fields(page) | _valid(email=email))
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def _write_mails(app) -> None:
    with app.test_request_context():
        write_pending_mail(db.session, utcnow(), app.config, 100)
    db.session.commit()


def _mails(kind: str, to: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.session.scalars(query))


def _entries(message: OutboxMessage) -> list:
    files = [a for a in message.attachments if a.content_type.startswith("text/calendar")]
    return [entry for item in files for entry in Calendar.from_ical(item.data).walk("VEVENT")]


def _statuses(entries) -> set[tuple[str, int]]:
    return {(str(entry["STATUS"]), int(entry["SEQUENCE"])) for entry in entries}


def _file(client, path: str) -> list:
    response = client.get(path)
    assert response.status_code == 200
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_the_confirmation_says_how_many_more_it_needs_and_the_entry_is_tentative(
    app, client, course
):
    _sign_up(client, course, "kari@example.no")
    _write_mails(app)
    (mail,) = _mails("confirmation")
    for body in (mail.body_text, mail.body_html):
        assert "Arrangementet er ikke bekreftet ennå: det blir gjennomført hvis minst 3" in body
        assert "og det trengs 2 påmeldinger til." in body
        assert "Til da er avtalen i kalenderfilen merket som foreløpig." in body
    entries = _entries(mail)
    assert len(entries) == 2
    assert _statuses(entries) == {("TENTATIVE", 0)}
    assert "Ikke bekreftet ennå" in str(entries[0]["DESCRIPTION"])


def test_the_confirmation_in_english(app, client, course):
    _sign_up(client, course, "kari@example.no", lang="en")
    _write_mails(app)
    (mail,) = _mails("confirmation")
    assert (
        "The event is not confirmed yet: it goes ahead if at least 3 sign up by" in mail.body_text
    )
    assert "and 2 more sign-ups are needed." in mail.body_text
    assert "Not confirmed yet" in str(_entries(mail)[0]["DESCRIPTION"])


def test_an_event_without_a_minimum_says_nothing_of_it(app, client, make):
    make.municipality("3107")
    event = make.event()
    db.session.commit()
    _sign_up(client, event, "kari@example.no")
    _write_mails(app)
    (mail,) = _mails("confirmation")
    assert "ikke bekreftet" not in mail.body_text
    assert _statuses(_entries(mail)) == {("CONFIRMED", 0)}


def test_public_files_and_feeds_hold_it_as_tentative(client, course):
    assert {str(e["STATUS"]) for e in _file(client, f"/events/{course.id}.ics")} == {"TENTATIVE"}
    feed = _file(client, "/calendar.ics?centre=ostfold")
    assert {str(e["STATUS"]) for e in feed} == {"TENTATIVE"}


def test_reaching_the_minimum_mails_the_confirmed_update_with_a_higher_sequence(
    app, client, course
):
    before = client.get(f"/events/{course.id}.ics")
    for name in ("kari", "ola", "per"):
        _sign_up(client, course, f"{name}@example.no")
    _write_mails(app)
    told = _mails("threshold_reached")
    assert sorted(mail.to_address for mail in told) == [
        "kari@example.no",
        "ola@example.no",
        "per@example.no",
    ]
    for mail in told:
        assert _statuses(_entries(mail)) == {("CONFIRMED", 1)}
        assert "den er ikke lenger foreløpig" in mail.body_text
    # Per's confirmation was written after the minimum was reached: nothing tentative in it.
    (per,) = _mails("confirmation", "per@example.no")
    assert "ikke bekreftet" not in per.body_text
    assert _statuses(_entries(per)) == {("CONFIRMED", 1)}
    after = client.get(f"/events/{course.id}.ics")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert _statuses(Calendar.from_ical(after.data).walk("VEVENT")) == {("CONFIRMED", 1)}


def test_the_personal_feed_follows(app, client, course):
    response = _sign_up(client, course, "kari@example.no")
    manage = client.get(response.location).get_data(as_text=True)
    feed_path = manage.split('href="/calendar/personal/')[1].split('"')[0]
    assert {str(e["STATUS"]) for e in _file(client, f"/calendar/personal/{feed_path}")} == {
        "TENTATIVE"
    }
    for name in ("ola", "per"):
        _sign_up(client, course, f"{name}@example.no")
    assert {str(e["STATUS"]) for e in _file(client, f"/calendar/personal/{feed_path}")} == {
        "CONFIRMED"
    }


def test_the_organisers_confirmation_turns_the_entries_confirmed(app, client, course):
    _sign_up(client, course, "kari@example.no")
    with app.test_request_context():
        decisions.confirm_event(db.session, course.id, utcnow(), BASE, actor=None)
    db.session.commit()
    (mail,) = _mails("threshold_reached")
    assert _statuses(_entries(mail)) == {("CONFIRMED", 1)}
    entries = _file(client, f"/events/{course.id}.ics")
    assert _statuses(entries) == {("CONFIRMED", 1)}
    assert "Ikke bekreftet" not in str(entries[0]["DESCRIPTION"])
