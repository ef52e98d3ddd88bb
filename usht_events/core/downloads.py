"""Names and headers for files people download."""

import re
import unicodedata

# Norwegian letters a plain transliteration would drop or mangle.
NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def file_slug(text: str, max_length: int = 40) -> str:
    """Return the text as a short ASCII file-name part: 'Kurs i ABC – Bodø' -> 'kurs-i-abc-bodo'."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(NORWEGIAN_LETTERS))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "fil"


def attachment_headers(filename: str) -> dict[str, str]:
    """Headers that save the body as filename, kept out of shared and browser caches
    because every download here carries personal data."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
