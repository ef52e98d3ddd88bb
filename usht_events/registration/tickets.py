"""Tickets: each place has a code, and its QR code carries the ticket's address."""


def ticket_url(base_url: str, ticket_code: str) -> str:
    """The URL a ticket's QR code carries."""
    return f"{base_url}/t/{ticket_code}"
