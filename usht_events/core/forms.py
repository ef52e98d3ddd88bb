"""Form pieces shared by every area: the base form, clean text, Norwegian messages."""

import unicodedata

from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import FieldList, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation
from wtforms.widgets import Select

from usht_events.core.i18n import N_

CONTROL_CHARACTERS = N_("Feltet inneholder usynlige tegn eller kontrolltegn som ikke er tillatt.")
# Line breaks and tabs are fine in multi-line text; every other control or format character
# is refused (NUL, escape, bidi overrides, ...).
_LINE_BREAKS = {"\n", "\r", "\t"}
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def strip_text(value):
    """Trim surrounding white space and normalise to NFC so 'å' is always one character."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def control_character(text: str, multiline: bool = False) -> str | None:
    """The first character in the text that no field of ours takes (NUL, escape, ...)."""
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES and not (
            multiline and char in _LINE_BREAKS
        ):
            return char
    return None


def plain_text(multiline: bool = False):
    """Refuse control characters, and stop there: the other checks would only confuse.

    PostgreSQL refuses text with a NUL in it, so an unchecked field fails in the database.
    """

    def check(form, field):
        if isinstance(field.data, str) and control_character(field.data, multiline) is not None:
            raise StopValidation(gettext(CONTROL_CHARACTERS))

    check.plain_text = True
    return check


class BaseForm(FlaskForm):
    """Every form of ours: each text field refuses control characters before its own checks.

    Text fields are StringField and its kinds (e-mail, password, search), one line, and
    TextAreaField, which keeps line breaks and tabs; hidden fields carry values we made
    and are checked by their readers. Rows of a FieldList of FormFields are checked too.
    """

    def validate(self, extra_validators=None) -> bool:
        _guard_text_fields(self)
        return super().validate(extra_validators)


def _guard_text_fields(fields) -> None:
    for field in fields:
        if isinstance(field, FieldList):
            _guard_text_fields(field.entries)
        elif isinstance(field, FormField):
            _guard_text_fields(field.form)
        elif isinstance(field, StringField) and not isinstance(field, HiddenField):
            first = field.validators[0] if field.validators else None
            if not getattr(first, "plain_text", False):
                check = plain_text(multiline=isinstance(field, TextAreaField))
                field.validators = [check, *field.validators]


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
