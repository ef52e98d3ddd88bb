"""Calendar files over HTTP: the event file, the centre feed and the personal feed."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from usht_events.catalogue.changes import cancel_event
from usht_events.catalogue.models import EventKind, EventStatus
from usht_events.core.db import db, utcnow
from usht_events.registration.models import RegistrationStatus


def calendar_of(response) -> Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def event_ids(response) -> set[int]:
    """The events in a calendar file, read from their entries' UIDs."""
    return {int(str(entry["UID"]).split("-")[1]) for entry in calendar_of(response).walk("VEVENT")}


def entries_of(response, event) -> list:
    prefix = f"event-{event.id}-"
    return [e for e in calendar_of(response).walk("VEVENT") if str(e["UID"]).startswith(prefix)]


@pytest.fixture
def web(any_app):
    """A client on the app of the database under test."""
    return any_app.test_client()


def test_event_file_has_calendar_headers(web, make):
    event = make.event(days=2)
    response = web.get(f"/events/{event.id}.ics")
    assert len(calendar_of(response).walk("VEVENT")) == 2
    assert (
        response.headers["Content-Disposition"] == f'inline; filename="arrangement-{event.id}.ics"'
    )
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"]


def test_unchanged_event_file_answers_not_modified(web, make):
    event = make.event()
    etag = web.get(f"/events/{event.id}.ics").headers["ETag"]
    again = web.get(f"/events/{event.id}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_changed_event_file_has_a_new_etag(web, make):
    event = make.event()
    etag = web.get(f"/events/{event.id}.ics").headers["ETag"]
    cancel_event(db.session, event, "", utcnow())
    again = web.get(f"/events/{event.id}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag


def test_event_file_is_not_found_for_drafts(web, make):
    event = make.event(status=EventStatus.DRAFT)
    assert web.get(f"/events/{event.id}.ics").status_code == 404


def test_event_file_is_not_found_for_unknown_events(web):
    assert web.get("/events/999999.ics").status_code == 404


@pytest.fixture
def programme(make):
    """Published events across two centres, two focus areas and two kinds, plus decoys."""
    ostfold, buskerud = make.centre("ostfold"), make.centre("buskerud")
    llh, demens = make.focus_area("leve-hele-livet"), make.focus_area("demensplan")
    now = utcnow()
    events = {
        "ostfold-llh-course": make.event(centre=ostfold, focus_area=llh),
        "ostfold-demens-webinar": make.event(
            centre=ostfold, focus_area=demens, kind=EventKind.WEBINAR
        ),
        "ostfold-llh-confirmed": make.event(
            centre=ostfold, focus_area=llh, status=EventStatus.CONFIRMED
        ),
        "buskerud-llh-course": make.event(centre=buskerud, focus_area=llh),
        "ostfold-recent-past": make.event(
            centre=ostfold, focus_area=llh, starts_at=now - timedelta(days=10)
        ),
    }
    make.event(centre=ostfold, focus_area=llh, status=EventStatus.DRAFT)
    make.event(
        centre=ostfold,
        focus_area=llh,
        starts_at=now - timedelta(days=200),
        registration_opens_at=None,
        registration_closes_at=None,
    )
    return {name: event.id for name, event in events.items()}


FILTERS = {
    "": {
        "ostfold-llh-course",
        "ostfold-demens-webinar",
        "ostfold-llh-confirmed",
        "buskerud-llh-course",
        "ostfold-recent-past",
    },
    "centre=ostfold": {
        "ostfold-llh-course",
        "ostfold-demens-webinar",
        "ostfold-llh-confirmed",
        "ostfold-recent-past",
    },
    "centre=ostfold&focus=leve-hele-livet&kind=course": {
        "ostfold-llh-course",
        "ostfold-llh-confirmed",
        "ostfold-recent-past",
    },
    "focus=demensplan": {"ostfold-demens-webinar"},
    "kind=webinar": {"ostfold-demens-webinar"},
    "centre=buskerud&kind=webinar": set(),
    "centre=finnes-ikke": set(),
}


@pytest.mark.parametrize("query", FILTERS)
def test_feed_lists_exactly_the_published_events_matching_its_filters(web, programme, query):
    response = web.get(f"/calendar.ics?{query}")
    assert event_ids(response) == {programme[name] for name in FILTERS[query]}


def test_feed_is_named_refreshed_and_cached(web, make):
    make.centre("ostfold", name="USHT Østfold")
    response = web.get("/calendar.ics?centre=ostfold&kind=webinar")
    calendar = calendar_of(response)
    assert str(calendar["X-WR-CALNAME"]) == "USHT Østfold: kurs og arrangementer – Webinar"
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in response.get_data()
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_feed_refuses_an_unknown_kind(web):
    assert web.get("/calendar.ics?kind=picnic").status_code == 400


def test_cancelled_upcoming_event_stays_in_the_feed_as_cancelled(web, make):
    event = make.event()
    (before,) = entries_of(web.get("/calendar.ics"), event)
    cancel_event(db.session, event, "For få påmeldte.", utcnow())
    (after,) = entries_of(web.get("/calendar.ics"), event)
    assert str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")


def test_feed_leaves_out_cancelled_drafts_and_cancelled_past_events(web, make):
    draft = make.event(status=EventStatus.DRAFT, published_at=None)
    past = make.event(starts_at=utcnow() - timedelta(days=3))
    for event in (draft, past):
        cancel_event(db.session, event, "", utcnow())
    assert event_ids(web.get("/calendar.ics")) == set()


def test_cancelled_event_follows_the_feeds_filters(web, make):
    event = make.event(centre=make.centre("ostfold"))
    cancel_event(db.session, event, "", utcnow())
    assert event_ids(web.get("/calendar.ics?centre=ostfold")) == {event.id}
    assert event_ids(web.get("/calendar.ics?centre=buskerud")) == set()


def test_personal_feed_lists_exactly_the_persons_active_registrations(web, make):
    person = make.person()
    confirmed, waitlisted, cancelled, others = (make.event() for _ in range(4))
    make.registration(confirmed, person)
    make.registration(waitlisted, person, status=RegistrationStatus.WAITLISTED)
    make.registration(cancelled, person, status=RegistrationStatus.CANCELLED)
    make.registration(others)
    response = web.get(f"/calendar/personal/{person.feed_token}.ics")
    assert event_ids(response) == {confirmed.id, waitlisted.id}
    assert str(calendar_of(response)["X-WR-CALNAME"]) == "Mine USHT-arrangementer"
    assert response.headers["Cache-Control"] == "private, max-age=300"


def test_personal_feed_shows_a_waiting_list_place_as_tentative(web, make):
    person = make.person()
    held = make.event(title="ProACT instruktørkurs")
    waiting = make.event(title="ABC-seminar", days=2)
    make.registration(held, person)
    make.registration(waiting, person, status=RegistrationStatus.WAITLISTED)
    entries = calendar_of(web.get(f"/calendar/personal/{person.feed_token}.ics")).walk("VEVENT")
    by_title = {str(entry["SUMMARY"]): entry for entry in entries}
    assert set(by_title) == {
        "ProACT instruktørkurs",
        "VENTELISTE: ABC-seminar (dag 1 av 2)",
        "VENTELISTE: ABC-seminar (dag 2 av 2)",
    }
    assert str(by_title["ProACT instruktørkurs"]["STATUS"]) == "CONFIRMED"
    for day in (1, 2):
        entry = by_title[f"VENTELISTE: ABC-seminar (dag {day} av 2)"]
        assert str(entry["STATUS"]) == "TENTATIVE"
        assert str(entry["DESCRIPTION"]).startswith("Du står på ventelisten.")


def test_personal_feed_shows_a_cancelled_event_as_cancelled(web, make):
    person = make.person()
    kept, released = make.event(), make.event()
    make.registration(kept, person)
    place = make.registration(released, person)
    now = utcnow()
    for event in (kept, released):
        cancel_event(db.session, event, "", now)
    # The cancellation may release every place; the entry must still turn CANCELLED.
    place.status, place.cancelled_at = RegistrationStatus.CANCELLED, now
    response = web.get(f"/calendar/personal/{person.feed_token}.ics")
    assert event_ids(response) == {kept.id, released.id}
    statuses = {str(entry["STATUS"]) for entry in calendar_of(response).walk("VEVENT")}
    assert statuses == {"CANCELLED"}


def test_personal_feed_is_not_found_for_an_unknown_token(web, make):
    make.person()
    assert web.get("/calendar/personal/not-a-token.ics").status_code == 404
