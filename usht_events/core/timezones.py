"""Oslo time: conversion and the Norwegian way of writing dates and times."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date

OSLO = ZoneInfo("Europe/Oslo")

_DAY_PATTERN = {"nb": "EEEE d. MMMM y", "en": "EEEE d MMMM y"}
_DAY_NO_YEAR_PATTERN = {"nb": "EEEE d. MMMM", "en": "EEEE d MMMM"}
_TIME_SEPARATOR = {"nb": ".", "en": ":"}
_AT = {"nb": "kl. ", "en": ""}


def to_oslo(moment: datetime) -> datetime:
    """Return an aware datetime in Oslo time."""
    return moment.astimezone(OSLO)


def oslo_datetime(day: date, at: time) -> datetime:
    """Combine a local Oslo date and wall-clock time into an aware datetime."""
    return datetime.combine(day, at, tzinfo=OSLO)


def _lang(locale: str | None) -> str:
    return "en" if str(locale or "nb").startswith("en") else "nb"


def format_day(moment: datetime | date, locale: str | None = "nb", year: bool = True) -> str:
    """'tirsdag 3. mars 2026'."""
    lang = _lang(locale)
    day = to_oslo(moment).date() if isinstance(moment, datetime) else moment
    pattern = (_DAY_PATTERN if year else _DAY_NO_YEAR_PATTERN)[lang]
    return format_date(day, pattern, locale=lang)


def format_clock(moment: datetime, locale: str | None = "nb") -> str:
    """'09.00' in Norwegian, '09:00' in English."""
    local = to_oslo(moment)
    return f"{local.hour:02d}{_TIME_SEPARATOR[_lang(locale)]}{local.minute:02d}"


def format_datetime(moment: datetime, locale: str | None = "nb") -> str:
    """'tirsdag 3. mars 2026, kl. 09.00'."""
    lang = _lang(locale)
    return f"{format_day(moment, lang)}, {_AT[lang]}{format_clock(moment, lang)}"


def format_period(start: datetime, end: datetime, locale: str | None = "nb") -> str:
    """'tirsdag 3. mars 2026, kl. 09.00–15.30', or both ends in full across days."""
    lang = _lang(locale)
    if to_oslo(start).date() == to_oslo(end).date():
        clock = f"{format_clock(start, lang)}–{format_clock(end, lang)}"
        return f"{format_day(start, lang)}, {_AT[lang]}{clock}"
    return f"{format_datetime(start, lang)} – {format_datetime(end, lang)}"


def format_date_span(start: datetime, end: datetime, locale: str | None = "nb") -> str:
    """A compact span for subjects and cards: '12.–13. mars', '30. mars–2. april'."""
    lang = _lang(locale)
    first, last = to_oslo(start).date(), to_oslo(end).date()
    pattern = "d. MMMM" if lang == "nb" else "d MMMM"
    if first == last:
        return format_date(first, pattern, locale=lang)
    if (first.year, first.month) == (last.year, last.month):
        dot = "." if lang == "nb" else ""
        return f"{first.day}{dot}–{format_date(last, pattern, locale=lang)}"
    return f"{format_date(first, pattern, locale=lang)}–{format_date(last, pattern, locale=lang)}"
