"""Form pieces shared by every area: clean text and Norwegian validation messages."""

import unicodedata

from wtforms.validators import ValidationError

# Line breaks are fine in free text; every other control or format character is refused.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def strip_text(value):
    """Trim surrounding white space and normalise to NFC so 'å' is always one character."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def plain_text(multiline: bool = False):
    """Refuse control characters (NUL, bidi overrides, ...) that have no place in a name."""

    def check(form, field):
        for char in field.data or "":
            if multiline and char in _ALLOWED_CONTROLS:
                continue
            if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"}:
                raise ValidationError("Feltet inneholder tegn som ikke er tillatt.")

    return check
