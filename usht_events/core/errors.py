"""Domain errors with stable codes, each declared once with its message, status and field.

Each area declares its refusals in its own `errors.py`:

    FULL = ErrorCode("full", N_("Arrangementet er fullt."), status=409)

and its rules raise `DomainError(FULL)`. Views and the API read everything they need from
the error: the stable `code` (tests and the JSON API assert it), the HTTP `status`, the form
`field` it belongs beside (None: the form as a whole) and the message in the person's
language (`error.localised()`), so no view keeps a table of its own.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    """One way a rule can refuse: stable code, Norwegian message, HTTP status, form field.

    The message is a catalogue id (marked with N_) and may hold `%(name)s` placeholders,
    filled from the details the rule gives when it raises.
    """

    code: str
    message: str
    status: int = 409
    field: str | None = None


class DomainError(Exception):
    """A business rule refused an action."""

    def __init__(self, error: ErrorCode, **details):
        self.error = error
        self.details = details
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    @property
    def field(self) -> str | None:
        return self.error.field

    @property
    def message(self) -> str:
        """The Norwegian message, with the details filled in."""
        return _fill(self.error.message, self.details)

    def localised(self) -> str:
        """The message in the request's language (Norwegian outside a request)."""
        from flask import has_request_context
        from flask_babel import gettext

        if not has_request_context():
            return self.message
        return _fill(gettext(self.error.message), self.details)

    def __repr__(self) -> str:
        return f"DomainError({self.code!r})"


def _fill(template: str, details: dict) -> str:
    if not details:
        return template
    try:
        return template % details
    except (KeyError, TypeError, ValueError):
        return template
