"""Domain errors with stable codes that the UI maps to Norwegian messages."""


class DomainError(Exception):
    """A business rule refused an action; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str | None = None, **details):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.details = details
