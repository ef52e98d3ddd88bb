"""The English catalogue: every text marked in the code and templates is in it, translated."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "usht_events/translations/en/LC_MESSAGES/messages.po"
# The README's extract command: babel.cfg, the default keywords and `-k _l`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
SOURCES = {"usht_events", "templates"}


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle)


def _marked_texts() -> set[str]:
    """Every msgid `pybabel extract -F babel.cfg -k _l` finds in the sources."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)

    def in_sources(path: str) -> bool:
        return Path(path).relative_to(ROOT).parts[0] in SOURCES

    found = extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=in_sources
    )
    return {message if isinstance(message, str) else message[0] for *_, message, _, _ in found}


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [message.id for message in catalogue if message.id and not message.string]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_the_placeholders_of_their_text(catalogue):
    errors = [(message.id, [str(error) for error in found]) for message, found in catalogue.check()]
    assert errors == []


def test_every_marked_text_is_in_the_catalogue(catalogue):
    missing = sorted(text for text in _marked_texts() if text not in catalogue)
    assert missing == [], "run the README's pybabel extract and update, then translate"
