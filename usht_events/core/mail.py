"""Mails in the recipient's language, whatever language the request or worker runs in.

Every mail has one template per format, `<area>/mail/<kind>.txt` and `.html`, written in
Norwegian with its texts marked for translation; rendering it under Flask-Babel's
`force_locale` gives the recipient's language. Texts made in Python for a mail (subjects,
attachment names) are marked with `N_` and translated with `in_language`.
"""

import re
import unicodedata

from flask import render_template
from flask_babel import force_locale, gettext

# Longer subjects are cut with an ellipsis: mail clients show about this much.
SUBJECT_LIMIT = 150
_ADDRESS_PART = r"[^\s@<>(),;:\"\[\]\\]+"
_ADDRESS = re.compile(rf"{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}")


def mail_language(locale: str | None) -> str:
    """The language of mails to someone with this locale: English if they chose it, else bokmål."""
    return "en" if (locale or "").startswith("en") else "nb"


def render_mail(template_stem: str, lang: str, **context) -> tuple[str, str]:
    """The text and HTML bodies of `<template_stem>.txt` and `.html` in the language `lang`."""
    context = {"lang": lang, **context}
    with force_locale(lang):
        text = render_template(f"{template_stem}.txt", **context)
        html = render_template(f"{template_stem}.html", **context)
    return text, html


def in_language(lang: str, text: str, **variables) -> str:
    """A Norwegian catalogue text (marked with N_) in the language `lang`."""
    with force_locale(lang):
        return gettext(text, **variables)


def header_safe(value: str, limit: int = SUBJECT_LIMIT) -> str:
    """One line of printable text for a mail header: control characters become spaces."""
    cleaned = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in value)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def safe_address(address: str) -> str | None:
    """The address if it is one plain addr-spec, else None (it never reaches a header)."""
    address = (address or "").strip()
    return address if _ADDRESS.fullmatch(address) and address.isprintable() else None
