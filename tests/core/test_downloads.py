"""File names people get when they download."""

import pytest

from usht_events.core.downloads import file_slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("ProACT-instruktørkurs", "proact-instruktorkurs"),
        ("Æresdag på Ålesund – Ørsta", "aeresdag-pa-alesund-orsta"),
        ("Kurs: «ABC» 2027!", "kurs-abc-2027"),
        ("Čeština café", "cestina-cafe"),
        ("", "fil"),
        ("ÆØÅ" * 30, ("aeoa" * 10)),
        ("a" * 39 + " b", "a" * 39),
    ],
)
def test_file_slug_is_short_plain_ascii(text, slug):
    assert file_slug(text) == slug
