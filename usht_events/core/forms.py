"""Form pieces shared by every area: clean text and Norwegian validation messages."""

import unicodedata

from flask_babel import gettext
from markupsafe import Markup, escape
from wtforms.validators import ValidationError
from wtforms.widgets import Select

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
                raise ValidationError(gettext("Feltet inneholder tegn som ikke er tillatt."))

    return check


class QuickSelect(Select):
    """WTForms' select, with each option written directly.

    The municipality lists have about 360 options, and WTForms' generic attribute writer
    took most of an event page's rendering time. The markup is the same: `selected`
    first, then `value`, both escaped.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')
