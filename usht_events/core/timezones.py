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


def format_date_span(
    start: datetime, end: datetime, locale: str | None = "nb", year: bool = False
) -> str:
    """A compact span for subjects and cards: '12.–13. mars', '30. mars–2. april'.

    With `year`: '12.–13. mars 2027', '30. desember 2026–2. januar 2027'.
    """
    lang = _lang(locale)
    first, last = to_oslo(start).date(), to_oslo(end).date()
    pattern = "d. MMMM" if lang == "nb" else "d MMMM"
    year_pattern = f"{pattern} y"
    if first == last:
        return format_date(first, year_pattern if year else pattern, locale=lang)
    if (first.year, first.month) == (last.year, last.month):
        dot = "." if lang == "nb" else ""
        return (
            f"{first.day}{dot}–{format_date(last, year_pattern if year else pattern, locale=lang)}"
        )
    last_text = format_date(last, year_pattern if year else pattern, locale=lang)
    first_pattern = year_pattern if year and first.year != last.year else pattern
    return f"{format_date(first, first_pattern, locale=lang)}–{last_text}"


def format_moment(moment: datetime, locale: str | None = "nb") -> str:
    """A short date and time inside a sentence: '14.09.2026 kl. 09.00', '14 Sep 2026, 09:00'."""
    local = to_oslo(moment)
    if _lang(locale) == "nb":
        return local.strftime("%d.%m.%Y kl. %H.%M")
    return f"{format_date(local.date(), 'd MMM y', locale='en')}, {format_clock(local, 'en')}"
