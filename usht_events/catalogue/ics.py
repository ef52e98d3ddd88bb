"""Calendar files (RFC 5545): one VEVENT per session, in Oslo time with its VTIMEZONE."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from usht_events.catalogue.models import Event, EventFormat, EventStatus, Session
from usht_events.core.timezones import to_oslo

PRODID = "-//USHT//usht-events//NB"
# Stable across hosts and years: calendars match updates to entries by UID.
UID_DOMAIN = "usht-events"


def session_uid(session: Session) -> str:
    """The UID of one session's calendar entry; never changes."""
    return f"event-{session.event_id}-session-{session.id}@{UID_DOMAIN}"


def build_calendar(
    events: Iterable[Event],
    base_url: str,
    now: datetime,
    *,
    method: str | None = None,
    attendee: str | None = None,
    name: str | None = None,
    refresh_hours: int | None = None,
) -> bytes:
    """A VCALENDAR of the given events, every session its own VEVENT.

    With `method` (REQUEST or CANCEL, for e-mail) each entry names the organiser and the
    `attendee`, which Outlook and Apple Calendar need to update the entry they already have.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    if refresh_hours:
        calendar.add("refresh-interval", _hours(refresh_hours), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", _hours(refresh_hours))
    for event in events:
        for session in event.sessions:
            calendar.add_component(_vevent(event, session, base_url, now, method, attendee))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _vevent(
    event: Event, session: Session, base_url: str, now: datetime, method, attendee
) -> VEvent:
    entry = VEvent()
    entry.add("uid", session_uid(session))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", now)
    entry.add("dtstart", to_oslo(session.starts_at))
    entry.add("dtend", to_oslo(session.ends_at))
    entry.add("summary", _summary(event, session))
    entry.add("description", _description(event, base_url))
    entry.add("url", f"{base_url}/events/{event.id}")
    location = _location(event, session)
    if location:
        entry.add("location", location)
    cancelled = event.status == EventStatus.CANCELLED
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    entry.add("transp", "OPAQUE")
    # Outlook and Apple Mail only update an entry from a mail when METHOD and ORGANIZER match.
    if method:
        organizer = vCalAddress(f"mailto:{event.contact_email or event.centre.email}")
        organizer.params["cn"] = vText(event.centre.name)
        entry.add("organizer", organizer)
        if attendee:
            entry.add(
                "attendee",
                f"mailto:{attendee}",
                parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"},
            )
    return entry


def _summary(event: Event, session: Session) -> str:
    count = len(event.sessions)
    if count > 1:
        day = event.sessions.index(session) + 1
        return f"{event.title} (dag {day} av {count})"
    return event.title


def _description(event: Event, base_url: str) -> str:
    lines = [event.summary] if event.summary else []
    lines.append(f"Arrangør: {event.centre.name}")
    if event.format != EventFormat.PHYSICAL:
        lines.append("Lenken til den digitale deltakelsen sendes på e-post til påmeldte.")
    lines.append(f"Mer informasjon: {base_url}/events/{event.id}")
    return "\n".join(lines)


def _location(event: Event, session: Session) -> str:
    if event.format == EventFormat.DIGITAL:
        return "Digitalt"
    place = session.venue or event.venue
    return ", ".join(part for part in (place, event.venue_address) if part)


def _hours(hours: int) -> timedelta:
    return timedelta(hours=hours)
