"""A place's two secrets: its ticket's (the QR code carries the ticket's address) and its
manage link's, `/r/<token>`, which the person's own pages are found by."""

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.registration.models import Registration

# Manage-link tokens are 64 characters at most; a longer one is not looked up at all.
MAX_TOKEN_LENGTH = 64


def ticket_url(base_url: str, ticket_code: str) -> str:
    """The URL a ticket's QR code carries."""
    return f"{base_url}/t/{ticket_code}"


def registration_by_link(session: DbSession, token: str) -> Registration | None:
    """The registration whose manage link holds this token, or None."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(Registration).where(Registration.token == token))
