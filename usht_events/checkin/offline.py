"""Scans an offline desk queued, sent when the network is back.

The browser answered each scan from its snapshot and kept it (IndexedDB) with its own time.
The server stays the authority: `apply_queued_scans` runs each one through `check_in`, in
the order scanned, with its original time. What it refuses (a place cancelled meanwhile, a
ticket the other desk checked in first) comes back to the organiser in the answer. A batch
sent twice (its answer lost) checks nobody in twice: the unique check-in per registration
and day holds, and a scan found again by its own time and organiser answers `checked_in`.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue.models import Event
from usht_events.checkin import errors
from usht_events.checkin.scanning import ScanOutcome, check_in
from usht_events.core.errors import DomainError

MAX_SCANS = 500
MAX_ID_LENGTH = 64


@dataclass(frozen=True)
class QueuedScan:
    """One scan made offline: the browser's id for it, the code, the day and its time."""

    id: str
    code: str
    session_id: int
    scanned_at: datetime


def parse_scans(payload) -> list[QueuedScan]:
    """The queued scans in a sync request's JSON body, or a refusal naming what is wrong."""
    scans = payload.get("scans") if isinstance(payload, dict) else None
    if not isinstance(scans, list):
        raise DomainError(errors.BAD_SCAN)
    if len(scans) > MAX_SCANS:
        raise DomainError(errors.TOO_MANY_SCANS, limit=MAX_SCANS)
    return [_parse_scan(item) for item in scans]


def _parse_scan(item) -> QueuedScan:
    if not isinstance(item, dict):
        raise DomainError(errors.BAD_SCAN)
    scan_id, code, day, when = (item.get(key) for key in ("id", "code", "session", "scanned_at"))
    valid = (
        isinstance(scan_id, str)
        and 0 < len(scan_id) <= MAX_ID_LENGTH
        and isinstance(code, str)
        and 0 < len(code) <= 500
        and isinstance(day, int)
        and not isinstance(day, bool)
        and 0 < day < 2**31
        and isinstance(when, str)
    )
    scanned_at = _moment(when) if valid else None
    if scanned_at is None:
        raise DomainError(errors.BAD_SCAN)
    return QueuedScan(scan_id, code, day, scanned_at)


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def apply_queued_scans(
    session: DbSession,
    event: Event,
    scans: list[QueuedScan],
    now: datetime,
    actor: User | None,
) -> list[tuple[QueuedScan, ScanOutcome | DomainError]]:
    """Check in each queued scan in the order it was made; the answer for each."""
    answers = []
    for scan in sorted(scans, key=lambda item: item.scanned_at):
        try:
            outcome = check_in(
                session,
                event,
                now,
                actor,
                code=scan.code,
                session_id=scan.session_id,
                scanned_at=scan.scanned_at,
            )
        except DomainError as refusal:
            outcome = refusal
        answers.append((scan, outcome))
    return answers
