"""The privacy and accessibility statements in English: all English, and the same facts.

Each statement is kept as one whole document per language (core/privacy.en.html beside
core/privacy.html), so these tests check that the English one leaves no Norwegian and
says what the Norwegian one says: the same numbers, links, contacts and structure.
"""

import re

import pytest

from tests.language import norwegian_left
from usht_events.core.db import db

STATEMENTS = ("/personvern", "/tilgjengelighet")
TITLES = {"/personvern": "Privacy statement", "/tilgjengelighet": "Accessibility statement"}
# Data shown on the pages, which stays as written: the centres, their host municipalities
# and their addresses.
DATA = (
    "USHT Østfold",
    "USHT Buskerud",
    "Indre Østfold",
    "Drammen",
    "usht@indre-ostfold.kommune.no",
    "usht@drammen.kommune.no",
)


@pytest.fixture
def centres(make):
    make.centre("ostfold", name="USHT Østfold", email="usht@indre-ostfold.kommune.no")
    make.centre(
        "buskerud",
        name="USHT Buskerud",
        email="usht@drammen.kommune.no",
        host_municipality_number=make.municipality("3301").number,
    )
    db.session.commit()


def _get(client, path: str, lang: str) -> str:
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _article(page: str) -> str:
    """The statement itself, without the header and footer every page shares."""
    return re.search(r"<article\b.*?</article>", page, re.DOTALL).group(0)


@pytest.mark.parametrize("path", STATEMENTS)
def test_english_statement_leaves_no_norwegian(client, centres, path):
    page = _get(client, path, "en")
    assert '<html lang="en"' in page
    assert f"<title>{TITLES[path]} – " in page
    assert re.search(rf'<h1 class="ds-heading"[^>]*>{TITLES[path]}</h1>', page)
    assert "Denne siden finnes bare på norsk" not in page
    assert "This page is only available in Norwegian" not in page
    assert norwegian_left(page, data=DATA) == []


@pytest.mark.parametrize("path", STATEMENTS)
def test_english_statement_has_the_structure_links_and_numbers_of_the_norwegian(
    client, centres, path
):
    norwegian = _article(_get(client, path, "nb"))
    english = _article(_get(client, path, "en"))
    for pattern in (r"<h2\b", r"<li\b", r"<p\b", r'href="[^"]*"'):
        assert re.findall(pattern, english) == re.findall(pattern, norwegian), pattern
    # Article numbers, months, WCAG's version, the 360-pixel width: stated alike.
    numbers = r"\b\d+(?:\.\d+)?\b"
    assert sorted(re.findall(numbers, english)) == sorted(re.findall(numbers, norwegian))


def test_english_privacy_statement_states_the_same_facts(app, client, centres, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 36)
    page = _get(client, "/personvern", "en")
    norwegian = _get(client, "/personvern", "nb")
    # Retention: planned, not in place, and the same number of months in both languages.
    assert "anonymiseres 36 måneder etter arrangementet" in norwegian
    assert "The system does not yet delete or anonymise them by itself" in page
    assert "the plan is for registrations to be anonymised 36 months after the event" in page
    assert "but this is not in place" in page
    # The legal basis, with the GDPR's articles as the Norwegian text cites them.
    assert "General Data Protection Regulation (GDPR) Article 6(1)(e)" in page
    assert "Article 6(1)(a) and Article 9(2)(a)" in page
    assert "in the public interest" in page
    assert "Norwegian Data Protection Authority" in page
    # The same centres to contact, with the same host municipalities and addresses.
    for centre, municipality, email in (
        ("USHT Buskerud", "Drammen", "usht@drammen.kommune.no"),
        ("USHT Østfold", "Indre Østfold", "usht@indre-ostfold.kommune.no"),
    ):
        contact = f'(host municipality {municipality}): <a class="ds-link" href="mailto:{email}">'
        assert f"{centre} {contact}" in page
        assert f"{centre} (vertskommune {municipality}): " in norwegian
    assert page.index("USHT Buskerud (host") < page.index("USHT Østfold (host")
    assert "data protection officer in the development centre's host municipality" in page
    assert "We do not store national identity numbers." in page


def test_english_accessibility_statement_states_the_same_facts(client, centres):
    page = _get(client, "/tilgjengelighet", "en")
    assert "Regulations on universal design of information and communication technology" in page
    assert "WCAG 2.1" in page
    assert "levels A and AA" in page
    assert "axe-core" in page
    assert "Norwegian Authority for Universal Design of ICT" in page
    assert 'href="https://www.uutilsynet.no/"' in page
    for centre, email in (
        ("USHT Buskerud", "usht@drammen.kommune.no"),
        ("USHT Østfold", "usht@indre-ostfold.kommune.no"),
    ):
        assert f'{centre}: <a class="ds-link" href="mailto:{email}">{email}</a>' in page


@pytest.mark.parametrize("path", STATEMENTS)
def test_choosing_norwegian_again_brings_back_the_norwegian_statement(client, path):
    _get(client, path, "en")
    page = _get(client, path, "nb")
    assert '<html lang="nb"' in page
    assert '<article class="prose" lang="nb">' in page
    assert TITLES[path] not in page
