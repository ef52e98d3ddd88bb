"""Which day of an event the desk checks people in for."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from usht_events.catalogue.models import Session

# People come early: the ticket page offers its one-tap check-in this long before a start.
OPENS_BEFORE_START = timedelta(hours=2)


def default_session(sessions: Sequence[Session], now: datetime | None) -> Session | None:
    """The session running now or next; after the last one, the last one."""
    if not sessions:
        return None
    ordered = sorted(sessions, key=lambda item: item.starts_at)
    if now is None:
        return ordered[0]
    return next((item for item in ordered if item.ends_at > now), ordered[-1])


def session_running(sessions: Sequence[Session], now: datetime) -> Session | None:
    """The session people are arriving for now (from two hours before it starts), if any."""
    return next(
        (
            item
            for item in sorted(sessions, key=lambda item: item.starts_at)
            if item.starts_at - OPENS_BEFORE_START <= now < item.ends_at
        ),
        None,
    )
