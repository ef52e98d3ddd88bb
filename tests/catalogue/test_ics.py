"""Calendar files: Oslo time across DST, stable UIDs, SEQUENCE, and the mailed variants."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from usht_events.catalogue.changes import cancel_event, change_place, change_sessions
from usht_events.catalogue.ics import build_calendar, build_invitations, session_uid
from usht_events.catalogue.models import EventFormat, Session
from usht_events.core.db import db

OSLO = ZoneInfo("Europe/Oslo")
BASE_URL = "http://usht.test"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def oslo(*parts: int) -> datetime:
    """A UTC instant given as Oslo wall time."""
    return datetime(*parts, tzinfo=OSLO).astimezone(UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def entries(body: bytes) -> list:
    return parse(body).walk("VEVENT")


@pytest.fixture
def make_event(app, make):
    """An event with exactly the given (start, end) sessions, no sign-up window."""

    def build(*spans, **fields):
        event = make.event(registration_opens_at=None, registration_closes_at=None, **fields)
        event.sessions = [Session(starts_at=start, ends_at=end) for start, end in spans]
        db.session.flush()
        return event

    return build


def as_utc_via_vtimezone(calendar: Calendar, entry, name: str) -> datetime:
    """What a client that trusts only the file's VTIMEZONE (Outlook) makes of a time."""
    value = entry[name]
    if value.params.get("TZID") is None:
        return entry.decoded(name)
    assert value.params["TZID"] == "Europe/Oslo"
    (timezone,) = calendar.walk("VTIMEZONE")
    wall = entry.decoded(name).replace(tzinfo=None)
    return wall.replace(tzinfo=timezone.to_tz(lookup_tzid=False)).astimezone(UTC)


CASES = {
    "january": ((2026, 1, 15, 9, 0), (2026, 1, 15, 15, 30), utc(2026, 1, 15, 8), utc(2026, 1, 15, 14, 30)),
    "july": ((2026, 7, 2, 9, 0), (2026, 7, 2, 15, 30), utc(2026, 7, 2, 7), utc(2026, 7, 2, 13, 30)),
    "march-switch-morning": ((2026, 3, 29, 9), (2026, 3, 29, 15), utc(2026, 3, 29, 7), utc(2026, 3, 29, 13)),
    "march-switch-night": ((2026, 3, 29, 1, 30), (2026, 3, 29, 4), utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 2)),
    "october-switch-morning": ((2026, 10, 25, 9), (2026, 10, 25, 15), utc(2026, 10, 25, 8), utc(2026, 10, 25, 14)),
    "october-switch-night": ((2026, 10, 25, 1, 30), (2026, 10, 25, 4), utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 3)),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_sessions_keep_their_utc_instant_in_oslo_time(make_event, case):
    start, end, expected_start, expected_end = CASES[case]
    event = make_event((oslo(*start), oslo(*end)))
    body = build_calendar([event], BASE_URL, NOW)
    calendar = parse(body)
    (entry,) = calendar.walk("VEVENT")
    assert entry["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert entry["DTEND"].params["TZID"] == "Europe/Oslo"
    assert entry.decoded("DTSTART") == expected_start
    assert entry.decoded("DTEND") == expected_end
    assert as_utc_via_vtimezone(calendar, entry, "DTSTART") == expected_start
    assert as_utc_via_vtimezone(calendar, entry, "DTEND") == expected_end


def test_repeated_october_hour_is_written_in_utc(make_event):
    # 02:30 comes twice on 25 October; the second (01:30 UTC) cannot be written as wall time.
    second = utc(2026, 10, 25, 1, 30)
    event = make_event((second, second + timedelta(hours=2)))
    (entry,) = entries(build_calendar([event], BASE_URL, NOW))
    assert b"DTSTART:20261025T013000Z" in entry.to_ical()
    assert entry.decoded("DTSTART") == second
    assert entry["DTEND"].params["TZID"] == "Europe/Oslo"


def test_one_vtimezone_that_agrees_with_oslo_rules(make_event):
    event = make_event((oslo(2026, 1, 15, 9), oslo(2026, 1, 15, 15)))
    calendar = parse(build_calendar([event], BASE_URL, NOW))
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/Oslo"
    rules = timezone.to_tz(lookup_tzid=False)
    for moment in moments_to_check(utc(2025, 1, 1), utc(2031, 1, 1)):
        assert moment.astimezone(rules).utcoffset() == moment.astimezone(OSLO).utcoffset()


def moments_to_check(start: datetime, end: datetime):
    """Noon every day, and every half hour of the Sundays of March and October."""
    day = start
    while day < end:
        switch_day = day.month in (3, 10) and day.weekday() == 6
        steps = range(-2, 46) if switch_day else [24]
        yield from (day + timedelta(minutes=30 * step) for step in steps)
        day += timedelta(days=1)


def test_every_session_has_its_own_uid_that_survives_renders(make_event):
    event = make_event(*[(oslo(2026, 9, day, 9), oslo(2026, 9, day, 15)) for day in (14, 15, 16)])
    first = [entry["UID"] for entry in entries(build_calendar([event], BASE_URL, NOW))]
    later = NOW + timedelta(days=3)
    second = [entry["UID"] for entry in entries(build_calendar([event], BASE_URL, later))]
    assert len(set(first)) == 3
    assert first == second == [session_uid(session) for session in event.sessions]


def test_download_is_not_an_itip_message_and_stamps_its_last_revision(make_event):
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)))
    body = build_calendar([event], BASE_URL, NOW)
    calendar = parse(body)
    (entry,) = calendar.walk("VEVENT")
    assert "METHOD" not in calendar
    assert entry.decoded("DTSTAMP") == event.updated_at.replace(microsecond=0)
    assert body == build_calendar([event], BASE_URL, NOW + timedelta(hours=1))


def test_file_is_crlf_folded_and_escaped(make_event):
    title = "Demensomsorgens ABC, perm 1; «Møteplass» for ansatte i helse- og omsorgstjenesten"
    event = make_event(
        (oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)),
        title=title,
        venue="Mysen helsehus, 2. etasje",
        venue_address="Storgata 1; 1850 Mysen",
        summary="Om personsentrert omsorg, kommunikasjon; og samhandling",
    )
    body = build_calendar([event], BASE_URL, NOW)
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert b"Demensomsorgens ABC\\, perm 1\\;" in body
    (entry,) = entries(body)
    assert str(entry["SUMMARY"]) == title
    assert str(entry["LOCATION"]) == "Mysen helsehus, 2. etasje, Storgata 1; 1850 Mysen"
    assert str(entry["DESCRIPTION"]).startswith("Om personsentrert omsorg, kommunikasjon; og")
    assert str(entry["URL"]) == f"{BASE_URL}/events/{event.id}"


def test_feed_has_a_name_and_a_refresh_interval(make_event):
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)))
    body = build_calendar([event], BASE_URL, NOW, name="USHT Østfold", refresh_hours=6)
    calendar = parse(body)
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == "USHT Østfold"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in body
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in body


def test_sequence_grows_when_the_time_changes(make_event):
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)))
    (before,) = entries(build_calendar([event], BASE_URL, NOW))
    change_sessions(db.session, event, [(oslo(2026, 9, 15, 9), oslo(2026, 9, 15, 15))], NOW)
    (after,) = entries(build_calendar([event], BASE_URL, NOW))
    assert after["UID"] == before["UID"]
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("DTSTART") == utc(2026, 9, 15, 7)


def test_sequence_grows_when_the_place_changes(make_event):
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)))
    (before,) = entries(build_calendar([event], BASE_URL, NOW))
    change_place(db.session, event, NOW, venue="Askim kulturhus")
    (after,) = entries(build_calendar([event], BASE_URL, NOW))
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert str(after["LOCATION"]) == "Askim kulturhus"


def test_sequence_stays_when_only_the_title_changes(make_event):
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)))
    (before,) = entries(build_calendar([event], BASE_URL, NOW))
    event.title = "Nytt navn"
    db.session.flush()
    (after,) = entries(build_calendar([event], BASE_URL, NOW))
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE")
    assert str(after["SUMMARY"]) == "Nytt navn"


def test_cancelled_event_is_cancelled_with_a_higher_sequence(make_event):
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)))
    (before,) = entries(build_calendar([event], BASE_URL, NOW))
    cancel_event(db.session, event, "For få påmeldte.", NOW)
    (after,) = entries(build_calendar([event], BASE_URL, NOW))
    assert after["UID"] == before["UID"]
    assert str(before["STATUS"]) == "CONFIRMED" and str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert str(after["SUMMARY"]).startswith("AVLYST: ")
    assert "For få påmeldte." in str(after["DESCRIPTION"])


def test_request_names_organiser_and_attendee(make, make_event):
    centre = make.centre("ostfold", email="usht@indre-ostfold.kommune.no")
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)), centre=centre)
    stamp = datetime(2026, 11, 22, 11, 0, tzinfo=OSLO)
    body = build_calendar([event], BASE_URL, stamp, method="REQUEST", attendee="kari@example.no")
    calendar = parse(body)
    (entry,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(entry["ORGANIZER"]) == "mailto:usht@indre-ostfold.kommune.no"
    assert entry["ORGANIZER"].params["CN"] == centre.name
    assert str(entry["ATTENDEE"]) == "mailto:kari@example.no"
    assert entry["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert b"DTSTAMP:20261122T100000Z\r\n" in body


def test_organiser_does_not_follow_the_events_contact(make, make_event):
    centre = make.centre("ostfold", email="usht@indre-ostfold.kommune.no")
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)), centre=centre)
    (before,) = entries(build_calendar([event], BASE_URL, NOW, method="REQUEST"))
    event.contact_email = "ny.kontakt@indre-ostfold.kommune.no"
    (after,) = entries(build_calendar([event], BASE_URL, NOW, method="REQUEST"))
    assert after["ORGANIZER"] == before["ORGANIZER"]


def test_cancel_message_carries_the_same_uids_cancelled_with_a_higher_sequence(make_event):
    event = make_event(
        (oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)),
        (oslo(2026, 9, 15, 9), oslo(2026, 9, 15, 15)),
    )
    request = entries(build_calendar([event], BASE_URL, NOW, method="REQUEST", attendee="a@b.no"))
    cancel_event(db.session, event, "", NOW)
    body = build_calendar([event], BASE_URL, NOW, method="CANCEL", attendee="a@b.no")
    cancel = entries(body)
    assert str(parse(body)["METHOD"]) == "CANCEL"
    assert [entry["UID"] for entry in cancel] == [entry["UID"] for entry in request]
    for old, new in zip(request, cancel, strict=True):
        assert str(new["STATUS"]) == "CANCELLED"
        assert new.decoded("SEQUENCE") > old.decoded("SEQUENCE")
        assert "ORGANIZER" in new and str(new["ATTENDEE"]) == "mailto:a@b.no"


def test_cancel_of_own_place_is_cancelled_and_newer(make_event):
    event = make_event((oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)))
    (request,) = entries(build_calendar([event], BASE_URL, NOW, method="REQUEST"))
    later = NOW + timedelta(minutes=5)
    (cancel,) = entries(build_calendar([event], BASE_URL, later, method="CANCEL"))
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert not str(cancel["SUMMARY"]).startswith("AVLYST")
    # Same SEQUENCE: the later DTSTAMP orders the messages (RFC 5546 2.1.5).
    assert cancel.decoded("SEQUENCE") == request.decoded("SEQUENCE")
    assert cancel.decoded("DTSTAMP") > request.decoded("DTSTAMP")


def test_invitations_are_one_message_per_session(make_event):
    event = make_event(
        (oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)),
        (oslo(2026, 9, 15, 9), oslo(2026, 9, 15, 15)),
    )
    invitations = build_invitations(
        event, BASE_URL, NOW, method="REQUEST", attendee="kari@example.no"
    )
    uids = []
    for body in invitations:
        calendar = parse(body)
        (entry,) = calendar.walk("VEVENT")
        assert str(calendar["METHOD"]) == "REQUEST"
        assert len(calendar.walk("VTIMEZONE")) == 1
        uids.append(entry["UID"])
    assert uids == [session_uid(session) for session in event.sessions]


def _cancelled_two_day_course(make_event, **fields):
    event = make_event(
        (oslo(2026, 9, 14, 9), oslo(2026, 9, 14, 15)),
        (oslo(2026, 9, 15, 9), oslo(2026, 9, 15, 15)),
        title="ProACT",
        **fields,
    )
    cancel_event(db.session, event, "", NOW)
    return event


def test_invitations_are_written_in_the_persons_language(make_event):
    event = _cancelled_two_day_course(make_event, format=EventFormat.DIGITAL)
    bodies = build_invitations(event, BASE_URL, NOW, method="CANCEL", attendee="a@b.no", lang="en")
    first, second = (entry for body in bodies for entry in entries(body))
    assert str(first["SUMMARY"]) == "CANCELLED: ProACT (day 1 of 2)"
    assert str(second["SUMMARY"]) == "CANCELLED: ProACT (day 2 of 2)"
    description = str(first["DESCRIPTION"])
    assert description.startswith("The event is cancelled.\n")
    assert f"Organiser: {event.centre.name}\n" in description
    assert "The link for taking part online is sent by e-mail" in description
    assert description.endswith(f"More information: {BASE_URL}/events/{event.id}")
    assert str(first["LOCATION"]) == "Online"


def test_a_download_is_norwegian_even_from_an_english_page(client, make_event):
    event = _cancelled_two_day_course(make_event)
    db.session.commit()
    body = client.get(f"/events/{event.id}.ics?lang=en").data
    first, _ = entries(body)
    assert str(first["SUMMARY"]) == "AVLYST: ProACT (dag 1 av 2)"
    assert str(first["DESCRIPTION"]).startswith("Arrangementet er avlyst.\nArrangør: ")
