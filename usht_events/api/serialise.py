"""Events as the API shows them: public facts and counts, never people or private links."""

from datetime import datetime

from usht_events.catalogue.models import Event, Session
from usht_events.core.timezones import to_oslo
from usht_events.registration.availability import Availability


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Oslo time with its offset, e.g. '2026-03-12T09:00:00+01:00'."""
    return to_oslo(moment).isoformat(timespec="seconds") if moment else None


def named(thing) -> dict | None:
    """A centre, focus area, series or certification kind as {slug, name}."""
    return {"slug": thing.slug, "name": thing.name} if thing is not None else None


def session_dict(session: Session) -> dict:
    """One session of an event; the venue falls back to the event's."""
    return {
        "id": session.id,
        "title": session.title,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
        "venue": session.place,
    }


def event_dict(event: Event, availability: Availability, base_url: str) -> dict:
    """Every public field of an event, with its counts and absolute links."""
    return {
        "id": event.id,
        "title": event.title,
        "summary": event.summary,
        "kind": event.kind.value,
        "kind_label": event.kind.label,
        "format": event.format.value,
        "status": event.status.value,
        "centre": named(event.centre),
        "focus_area": named(event.focus_area),
        "series": named(event.series),
        "venue": event.venue,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        **_registration_fields(event, availability),
        "eligible_municipalities": sorted(m.number for m in event.eligible_municipalities),
        "certifies": named(event.certifies_kind),
        "url": f"{base_url}/events/{event.id}",
        "ics_url": f"{base_url}/events/{event.id}.ics",
        "sessions": [session_dict(session) for session in event.sessions],
    }


def _registration_fields(event: Event, availability: Availability) -> dict:
    return {
        "registration_opens_at": iso(event.registration_opens_at),
        "registration_closes_at": iso(event.registration_closes_at),
        "registration_state": availability.state.value,
        "capacity": event.capacity,
        "confirmed": availability.confirmed,
        "waitlisted": availability.waitlisted,
        "seats_left": availability.seats_left,
        "waitlist_enabled": event.waitlist_enabled,
        "seats_per_municipality": event.seats_per_municipality,
        "min_participants": event.min_participants,
        "still_needed": availability.still_needed,
    }
