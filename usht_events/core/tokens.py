"""Unguessable tokens for links that act as keys (manage link, ticket, verification)."""

import secrets

# Letters and digits that cannot be mistaken for one another when read aloud or typed.
READABLE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def url_token(nbytes: int = 24) -> str:
    """Return a URL-safe random token (192 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def ticket_secret() -> str:
    """Return a ticket's secret for its URL and QR code: 128 random bits, 22 characters."""
    return secrets.token_urlsafe(16)


def readable_code(length: int = 10) -> str:
    """Return a short random code a person can read out at a door (50 bits for 10 chars)."""
    return "".join(secrets.choice(READABLE_ALPHABET) for _ in range(length))
