"""Marking texts for translation where they are defined, away from a request, and
translating them where they are shown."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from usht_events.core.timezones import format_moment


def N_(text: str) -> str:
    """Mark a Norwegian text for the translation catalogue and return it unchanged.

    For texts made outside a request (rule refusals, enum labels): the catalogue extractor
    finds N_ by default, and the page that shows the text translates it with gettext(text).
    """
    return text


def fill(text: str, values: Mapping | Iterable = (), locale: str = "nb") -> str:
    """`text` with its `%(name)s` placeholders filled; a datetime written the locale's way."""
    values = dict(values)
    if not values:
        return text
    shown = {
        name: format_moment(value, locale) if isinstance(value, datetime) else value
        for name, value in values.items()
    }
    try:
        return text % shown
    except (KeyError, TypeError, ValueError):
        return text


def localise(text: str, values: Mapping | Iterable = ()) -> str:
    """A text marked with N_, in the request's language and filled in (Norwegian outside
    a request), for rules that describe problems without knowing who reads them."""
    from flask import has_request_context
    from flask_babel import get_locale, gettext

    if not has_request_context():
        return fill(text, values)
    return fill(gettext(text), values, str(get_locale() or "nb"))
