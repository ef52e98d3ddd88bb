"""Importing a programme in the browser: the rules of `import-events`, scoped to the user's
centre, with a preview that shows what would be created and keeps nothing."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.import_file import ImportProblem, invalid_import
from usht_events.catalogue.importer import ImportedEvent, import_events
from usht_events.catalogue.models import Event
from usht_events.core.i18n import N_


@dataclass(frozen=True)
class PlannedEvent:
    """What an import would create, as the preview shows it."""

    ref: str
    title: str
    centre: str
    kind: str
    focus_area: str
    sessions: list[tuple[datetime, datetime, str]]
    capacity: int | None
    min_participants: int | None
    seats_per_municipality: int | None
    waitlist_enabled: bool
    registration_closes_at: datetime | None
    certifies: str

    @classmethod
    def of(cls, ref: str, event: Event) -> "PlannedEvent":
        return cls(
            ref=ref,
            title=event.title,
            centre=event.centre.name,
            kind=event.kind.label,
            focus_area=event.focus_area.name,
            sessions=[(s.starts_at, s.ends_at, s.place) for s in event.sessions],
            capacity=event.capacity,
            min_participants=event.min_participants,
            seats_per_municipality=event.seats_per_municipality,
            waitlist_enabled=event.waitlist_enabled,
            registration_closes_at=event.registration_closes_at,
            certifies=event.certifies_kind.name if event.certifies_kind else "",
        )


def import_programme(
    session: DbSession,
    centre_id: int | None,
    filename: str,
    content: bytes,
    now: datetime,
    *,
    publish: bool = True,
) -> list[ImportedEvent]:
    """Import the file as `import-events` does; with a centre, every event must be its own.

    Refused imports may have flushed rows: the caller rolls back.
    """
    imported = import_events(session, filename, content, now, publish=publish)
    foreign = [item for item in imported if centre_id and item.event.centre_id != centre_id]
    if foreign:
        message = N_("ref «%(ref)s»: du kan bare importere arrangementer for ditt eget senter.")
        problems = [
            ImportProblem(None, "centre", message, (("ref", item.ref),)) for item in foreign
        ]
        raise invalid_import(problems)
    return imported


def preview_programme(
    session: DbSession, centre_id: int | None, filename: str, content: bytes, now: datetime
) -> list[PlannedEvent]:
    """What importing the file would create; nothing is kept (a savepoint is rolled back)."""
    savepoint = session.begin_nested()
    try:
        imported = import_programme(session, centre_id, filename, content, now)
        return [PlannedEvent.of(item.ref, item.event) for item in imported]
    finally:
        savepoint.rollback()
