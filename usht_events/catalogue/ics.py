"""Calendar files (RFC 5545): one VEVENT per session, in Oslo time with its VTIMEZONE."""

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import force_locale, get_locale, gettext
from icalendar import (
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
)
from icalendar import Event as VEvent

from usht_events.catalogue.models import Event, EventFormat, Session
from usht_events.core.timezones import format_day, to_oslo

PRODID = "-//USHT//usht-events//NB"
# Stable across hosts and years: calendars match updates to entries by UID.
UID_DOMAIN = "usht-events"
OSLO_TZID = "Europe/Oslo"


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
    waitlisted: Collection[int] = (),
    lang: str = "nb",
) -> bytes:
    """A VCALENDAR of the given events, every session its own VEVENT.

    Events whose id is in `waitlisted` (a personal feed's places on a waiting list) are
    TENTATIVE, and say so in the title.

    With `method` (REQUEST or CANCEL, for e-mail) each entry names the organiser and the
    `attendee`, which Outlook and Apple Calendar need to update the entry they already have.
    Outlook and Gmail read only the first VEVENT of a mailed invitation: for an event of
    several sessions, mail `build_invitations` instead.

    Texts are written in `lang`: Norwegian by default, whatever the request's language, so a
    public feed reads the same for every subscriber and cache.
    """
    calendar = _calendar(method, name, refresh_hours)
    with force_locale(lang):
        for event in events:
            for session in event.sessions:
                entry = _vevent(event, session, base_url, now, method, attendee)
                if event.id in waitlisted and not event.is_cancelled:
                    _mark_waitlisted(entry)
                calendar.add_component(entry)
    return calendar.to_ical()


def build_invitations(
    event: Event, base_url: str, now: datetime, *, method: str, attendee: str, lang: str = "nb"
) -> list[bytes]:
    """One mailed invitation (or cancellation) per session, in session order, in `lang`.

    An iTIP message carries one UID; clients ignore every VEVENT after the first, so each
    session of a two-day course goes in its own `text/calendar` attachment.
    """
    invitations = []
    with force_locale(lang):
        for session in event.sessions:
            calendar = _calendar(method, None, None)
            calendar.add_component(_vevent(event, session, base_url, now, method, attendee))
            invitations.append(calendar.to_ical())
    return invitations


def oslo_timezone() -> Timezone:
    """Europe/Oslo as Google, Apple and Outlook write it: one yearly rule each way.

    Outlook folds any VTIMEZONE into one yearly pair of rules read from DTSTART and RRULE
    alone, so per-year transitions (RDATE) would be lost on it. Onsets are local time
    before the change: 02:00 in March, 03:00 in October (01:00 UTC both).
    """
    timezone = Timezone()
    timezone.add("tzid", OSLO_TZID)
    timezone.add("x-lic-location", OSLO_TZID)
    timezone.add_component(_observance(TimezoneDaylight(), "CEST", 1, 2, datetime(1970, 3, 29, 2)))
    timezone.add_component(_observance(TimezoneStandard(), "CET", 2, 1, datetime(1970, 10, 25, 3)))
    return timezone


def _observance(part, name: str, offset_from: int, offset_to: int, onset: datetime):
    part.add("tzname", name)
    part.add("tzoffsetfrom", timedelta(hours=offset_from))
    part.add("tzoffsetto", timedelta(hours=offset_to))
    part.add("dtstart", onset)
    part.add("rrule", {"freq": "yearly", "bymonth": onset.month, "byday": "-1su"})
    return part


def _calendar(method: str | None, name: str | None, refresh_hours: int | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # Without METHOD the file is not an iTIP message (RFC 5545 3.7.2): right for downloads.
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", OSLO_TZID)
    if refresh_hours:
        interval = timedelta(hours=refresh_hours)
        calendar.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
        # An X- property defaults to TEXT; Outlook reads this one only as a DURATION.
        calendar.add("x-published-ttl", vDuration(interval))
    # Always present: it also keeps an empty feed a valid calendar (one component at least).
    calendar.add_component(oslo_timezone())
    return calendar


def _vevent(
    event: Event, session: Session, base_url: str, now: datetime, method, attendee
) -> VEvent:
    # A CANCEL also serves a participant who cancelled their own place on a running event.
    cancelled = event.is_cancelled or method == "CANCEL"
    entry = VEvent()
    entry.add("uid", session_uid(session))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", _stamp(event, now, method))
    if event.updated_at:
        entry.add("last-modified", event.updated_at.astimezone(UTC))
    entry.add("dtstart", _wall_time(session.starts_at))
    entry.add("dtend", _wall_time(session.ends_at))
    entry.add("summary", _summary(event, session))
    entry.add("description", _description(event, base_url))
    entry.add("url", f"{base_url}/events/{event.id}")
    location = _location(event, session)
    if location:
        entry.add("location", location)
    entry.add("status", _status(event, cancelled))
    entry.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if method:
        _add_scheduling(entry, event, base_url, attendee)
    return entry


def _status(event: Event, cancelled: bool) -> str:
    """CANCELLED; TENTATIVE while the event runs only if enough sign up; else CONFIRMED.

    An event turns CONFIRMED when its minimum is reached or the organiser confirms it; both
    raise SEQUENCE, and the "it runs" mail carries the update.
    """
    if cancelled:
        return "CANCELLED"
    return "TENTATIVE" if event.is_tentative else "CONFIRMED"


def _mark_waitlisted(entry: VEvent) -> None:
    """A place on the waiting list: the time may yet be the person's, but is not promised."""
    entry["status"] = vText("TENTATIVE")
    # Like AVLYST: for cancellations, the title says it where STATUS is not shown.
    entry["summary"] = vText(gettext("VENTELISTE: %(title)s", title=entry["summary"]))
    waiting = gettext("Du står på ventelisten. Du får e-post hvis du får plass.")
    entry["description"] = vText(f"{waiting}\n\n{entry['description']}")


def _wall_time(moment: datetime) -> datetime:
    """Oslo wall time, or UTC for the repeated hour after the October switch.

    A local time that occurs twice means its first occurrence (RFC 5545 3.3.5), so the
    second 02:30 on the last Sunday of October can only be written in UTC.
    """
    local = to_oslo(moment)
    return moment.astimezone(UTC) if local.fold else local


def _stamp(event: Event, now: datetime, method: str | None) -> datetime:
    """DTSTAMP: when the message was made (iTIP), else when the entry was last revised.

    A revision time keeps a feed byte-identical between changes, so its ETag holds.
    """
    if method or event.updated_at is None:
        return now.astimezone(UTC)
    return event.updated_at.astimezone(UTC)


def _add_scheduling(entry: VEvent, event: Event, base_url: str, attendee: str | None) -> None:
    # Clients apply an update or cancellation only from the organiser of the entry they
    # hold, so the address must not change over the event's life: the centre's, not the
    # event's contact (which an organiser may edit between the confirmation and a change).
    address = event.centre.email or event.contact_email or f"noreply@{urlsplit(base_url).hostname}"
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(event.centre.name)
    entry.add("organizer", organizer)
    if attendee:
        entry.add(
            "attendee",
            f"mailto:{attendee}",
            parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"},
        )


def _summary(event: Event, session: Session) -> str:
    # Outlook's subscribed calendars ignore STATUS:CANCELLED; the title must say it.
    title = gettext("AVLYST: %(title)s", title=event.title) if event.is_cancelled else event.title
    count = len(event.sessions)
    if count > 1:
        day = event.sessions.index(session) + 1
        return gettext("%(title)s (dag %(day)s av %(count)s)", title=title, day=day, count=count)
    return title


def _description(event: Event, base_url: str) -> str:
    lines = []
    if event.is_cancelled:
        lines.append(
            " ".join(filter(None, [gettext("Arrangementet er avlyst."), event.cancellation_reason]))
        )
    elif event.is_tentative:
        lines.append(_minimum_note(event))
    if event.summary:
        lines.append(event.summary)
    lines.append(gettext("Arrangør: %(centre)s", centre=event.centre.name))
    if event.format != EventFormat.PHYSICAL:
        lines.append(gettext("Lenken til den digitale deltakelsen sendes på e-post til påmeldte."))
    url = f"{base_url}/events/{event.id}"
    lines.append(gettext("Mer informasjon: %(url)s", url=url))
    return "\n".join(lines)


def _minimum_note(event: Event) -> str:
    if event.decision_at:
        return gettext(
            "Ikke bekreftet ennå: arrangementet blir gjennomført hvis minst %(num)s melder seg på"
            " innen %(when)s.",
            num=event.min_participants,
            when=format_day(event.decision_at, str(get_locale() or "nb")),
        )
    return gettext(
        "Ikke bekreftet ennå: arrangementet blir gjennomført hvis minst %(num)s melder seg på.",
        num=event.min_participants,
    )


def _location(event: Event, session: Session) -> str:
    if event.format == EventFormat.DIGITAL:
        return gettext("Digitalt")
    place = session.venue or event.venue
    return ", ".join(part for part in (place, event.venue_address) if part)
