"""The legal pages, the error page and the security headers every response carries."""

import re

import pytest

from usht_events.core.db import db


def test_privacy_statement_says_what_is_stored_and_for_how_long(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 24)
    response = client.get("/personvern")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Personvernerklæring" in page
    for stored in ("navn og e-postadresse", "telefonnummer", "arbeidssted og yrke", "behov"):
        assert stored in page
    # Until `flask privacy purge` exists, it says that nothing is anonymised yet.
    assert "sletter eller anonymiserer dem ikke av seg selv ennå" in page
    assert "planlagt at påmeldinger skal anonymiseres 24 måneder etter arrangementet" in page
    assert "Datatilsynet" in page


def _has_purge_command(app) -> bool:
    privacy = app.cli.commands.get("privacy")
    return privacy is not None and "purge" in getattr(privacy, "commands", {})


# What a page says once registrations are anonymised: a promise, in the present tense.
ANONYMISATION_PROMISES = re.compile(
    r"(Påmeldinger|Påmeldingen|registrations are|registration is)\s+(anonymiseres|anonymised)",
    re.IGNORECASE,
)


def test_no_page_promises_anonymisation_while_no_purge_command_exists(app, client, make):
    event = make.event()
    db.session.commit()
    if _has_purge_command(app):
        return  # retention is built: the pages may promise what it does
    for path in ("/personvern", "/personvern?lang=en", f"/events/{event.id}", "/?lang=en"):
        page = client.get(path).get_data(as_text=True)
        assert not ANONYMISATION_PROMISES.search(page), path
        assert "anonymiseres 36 måneder etter at" not in page


def _has_check_in(app) -> bool:
    return any("/checkin" in rule.rule for rule in app.url_map.iter_rules())


CHECK_IN_CLAIMS = ("Innsjekking", "sjekke inn", "sjekket inn", "sjekke deg inn", "på navn")


def test_statements_describe_check_in_only_once_it_exists(app, client):
    pages = {path: client.get(path).get_data(as_text=True) for path in STATEMENTS}
    if _has_check_in(app):
        return  # check-in is built: the statements may describe it
    for path, page in pages.items():
        claims = [claim for claim in CHECK_IN_CLAIMS if claim in page]
        assert claims == [], f"{path} describes check-in, which is not built: {claims}"


STATEMENTS = ("/personvern", "/tilgjengelighet")


def test_privacy_statement_lists_the_centres_to_contact(client, make):
    make.centre("ostfold", name="USHT Østfold", email="usht@indre-ostfold.kommune.no")
    db.session.commit()
    page = client.get("/personvern").get_data(as_text=True)
    assert "USHT Østfold (vertskommune Indre Østfold)" in page
    assert 'href="mailto:usht@indre-ostfold.kommune.no"' in page


def test_accessibility_statement_names_the_standard_and_the_supervisory_authority(client):
    response = client.get("/tilgjengelighet")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "WCAG 2.1" in page
    assert "axe-core" in page
    assert "Tilsynet for universell utforming av ikt" in page
    assert 'href="https://www.uutilsynet.no/"' in page


def test_unknown_page_answers_404_in_norwegian(client):
    response = client.get("/finnes-ikke")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="nb"' in page
    assert "Fant ikke siden" in page


def test_every_page_links_the_legal_pages_and_carries_a_csrf_token(client, csrf_token):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/personvern"' in page
    assert 'href="/tilgjengelighet"' in page
    assert csrf_token(page)


def test_english_is_chosen_with_lang_and_remembered(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Courses and events" in page
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/personvern", "/tilgjengelighet", "/finnes-ikke"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_templates_use_no_inline_script_or_style(client):
    # The CSP forbids both; a browser would silently drop them.
    for path in ("/", "/personvern", "/tilgjengelighet", "/finnes-ikke"):
        page = client.get(path).get_data(as_text=True)
        scripts = re.findall(r"<script[^>]*>", page)
        assert scripts == ['<script src="/static/js/error-summary.js" defer>'], scripts
        assert "</script>" not in page.replace("defer></script>", "")
        assert "<style" not in page
        assert " style=" not in page
