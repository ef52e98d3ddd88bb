"""Every page that can show an error summary starts its title with "Feil:" when it does."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Pages whose error summary is their own markup rather than the macro.
OWN_SUMMARY = 'id="error-summary"'


def _form_pages() -> list[Path]:
    pages = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if path.parts[-2:] == ("macros", "forms.html"):
            continue
        if "error_summary(" in text or OWN_SUMMARY in text:
            pages.append(path)
    return pages


def test_there_are_form_pages_to_check():
    assert len(_form_pages()) >= 10


def test_every_page_with_an_error_summary_prefixes_its_title():
    missing = []
    for path in _form_pages():
        title = re.search(r"{% block title %}(.*?){% endblock %}", path.read_text(), re.S)
        if not title or "error_prefix(" not in title.group(1):
            missing.append(str(path.relative_to(TEMPLATES)))
    assert missing == [], "their titles must start with error_prefix(...)"
