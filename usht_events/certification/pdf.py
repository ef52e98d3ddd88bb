"""The certificate (kursbevis) as a one-page PDF, in the person's language.

Made with fpdf2: pure Python (nothing to compile, so it installs from PyPI everywhere the
app does), maintained, and it embeds and subsets TrueType and WOFF2 fonts with a fallback
font per character. That lets the certificate use the Inter font the website already
vendors (static/vendor/inter, a Latin and a Latin Extended subset), so names in any
European alphabet print right (Łukasz, Čoarvi, Ørjasæter), and the text stays text:
searchable, selectable and readable by screen readers and by `pypdf` in the tests.
ReportLab would do too, but reads only TrueType files and has no fallback fonts.

The QR code leads to GET /verify/<code>, which says whether the certificate is valid.
"""

import atexit
import io
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from usht_events.certification.models import Certification
from usht_events.core.i18n import N_
from usht_events.core.mail import in_language
from usht_events.core.qr import qr_png
from usht_events.core.resources import resource_dir
from usht_events.core.timezones import format_date_span, format_day, to_oslo

FONT_FILES = {
    ("Inter", ""): "inter-latin-400-normal",
    ("Inter", "B"): "inter-latin-700-normal",
    ("InterExt", ""): "inter-latin-ext-400-normal",
    ("InterExt", "B"): "inter-latin-ext-700-normal",
}
INK = (23, 32, 42)
MUTED = (82, 92, 105)
ACCENT = (11, 92, 173)

TEXTS = {
    "title": N_("Kursbevis"),
    "certifies": N_("Dette bekrefter at"),
    "is_certified": N_("er godkjent som"),
    "after": N_("etter å ha fullført"),
    "imported": N_("Registrert fra tidligere godkjenning"),
    "issued": N_("Godkjent"),
    "expires": N_("Gyldig til"),
    "never": N_("Godkjenningen har ingen utløpsdato."),
    "check": N_("Kontroller kursbeviset: skann QR-koden eller gå til"),
    "code": N_("Kontrollkode"),
    "filename": N_("kursbevis-%(code)s.pdf"),
}


@dataclass(frozen=True)
class CertificateText:
    """Every line the certificate prints, in one language."""

    lang: str
    centre: str
    name: str
    kind: str
    course: str
    dates: str
    issued: str
    expires: str
    verify_url: str
    code: str


def certificate_filename(certification: Certification, lang: str) -> str:
    """The PDF's file name in the person's language, e.g. kursbevis-ABCD….pdf."""
    return in_language(lang, TEXTS["filename"], code=certification.verification_code)


def verify_url(base_url: str, certification: Certification) -> str:
    """The public address that says whether the certificate is valid."""
    return f"{base_url}/verify/{certification.verification_code}"


def certificate_text(certification: Certification, lang: str, base_url: str) -> CertificateText:
    """What the certificate says, in `lang` (nb or en)."""
    event = certification.event
    centre = event.centre.name if event else ""
    expires = certification.expires_on
    return CertificateText(
        lang=lang,
        centre=centre,
        name=certification.person.name,
        kind=certification.kind.name,
        course=event.title if event else in_language(lang, TEXTS["imported"]),
        dates=format_date_span(event.starts_at, event.ends_at, lang)
        if event and event.sessions
        else "",
        issued=format_day(certification.issued_on, lang),
        expires=format_day(expires, lang) if expires else "",
        verify_url=verify_url(base_url, certification),
        code=certification.verification_code,
    )


def _course_dates(event, lang: str) -> str:
    """'30. november–1. desember 2026': the course's days, with the year."""
    year = to_oslo(event.ends_at).year
    return f"{format_date_span(event.starts_at, event.ends_at, lang)} {year}"


def certificate_pdf(certification: Certification, lang: str, base_url: str) -> bytes:
    """The certificate as PDF bytes."""
    return render(certificate_text(certification, lang, base_url))


def render(text: CertificateText) -> bytes:
    """Lay the certificate out on one A4 page."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 25, 25)
    for (family, style), path in _font_paths().items():
        pdf.add_font(family, style, str(path))
    pdf.set_fallback_fonts(["InterExt"])
    pdf.set_lang(text.lang)
    title = in_language(text.lang, TEXTS["title"])
    pdf.set_title(f"{title}: {text.name}, {text.kind}")
    pdf.set_author(text.centre or "USHT")
    pdf.add_page()
    _heading(pdf, text, title)
    _body(pdf, text)
    _verification(pdf, text)
    return bytes(pdf.output())


def _line(pdf: FPDF, words: str, size: float, style: str = "", colour=INK, gap: float = 2):
    pdf.set_font("Inter", style, size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.5, words, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _heading(pdf: FPDF, text: CertificateText, title: str) -> None:
    pdf.set_y(35)
    if text.centre:
        _line(pdf, text.centre, 12, "B", ACCENT, gap=6)
    _line(pdf, title, 34, "B", gap=4)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.line(80, pdf.get_y(), 130, pdf.get_y())
    pdf.ln(14)


def _body(pdf: FPDF, text: CertificateText) -> None:
    lang = text.lang
    _line(pdf, in_language(lang, TEXTS["certifies"]), 12, colour=MUTED, gap=4)
    _line(pdf, text.name, 26, "B", gap=6)
    _line(pdf, in_language(lang, TEXTS["is_certified"]), 12, colour=MUTED, gap=4)
    _line(pdf, text.kind, 20, "B", ACCENT, gap=10)
    if text.dates:
        _line(pdf, in_language(lang, TEXTS["after"]), 12, colour=MUTED, gap=3)
        _line(pdf, text.course, 14, "B", gap=1)
        _line(pdf, text.dates, 12, gap=10)
    else:
        _line(pdf, text.course, 12, colour=MUTED, gap=10)
    _line(pdf, f"{in_language(lang, TEXTS['issued'])}: {text.issued}", 12, gap=2)
    if text.expires:
        _line(pdf, f"{in_language(lang, TEXTS['expires'])}: {text.expires}", 12, gap=2)
    else:
        _line(pdf, in_language(lang, TEXTS["never"]), 12, gap=2)


def _verification(pdf: FPDF, text: CertificateText) -> None:
    size = 42
    top = 297 - 25 - size
    pdf.image(io.BytesIO(qr_png(text.verify_url)), x=25, y=top, w=size, h=size)
    pdf.set_xy(25 + size + 6, top + 8)
    pdf.set_font("Inter", "", 10)
    pdf.set_text_color(*MUTED)
    width = 210 - 25 - (25 + size + 6)
    pdf.multi_cell(width, 5, in_language(text.lang, TEXTS["check"]), new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(width, 5, text.verify_url, new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    label = in_language(text.lang, TEXTS["code"])
    pdf.multi_cell(width, 5, f"{label}: {text.code}", new_x="LEFT", new_y="NEXT")


@cache
def _font_paths() -> dict[tuple[str, str], Path]:
    """The vendored WOFF2 fonts as TrueType files, made once per process.

    fpdf2 reads WOFF2 too, but unpacking it costs about half a second per certificate;
    the TrueType copies in a private temporary folder cost that once.
    """
    folder = Path(tempfile.mkdtemp(prefix="usht-certificate-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    paths = {}
    for key, stem in FONT_FILES.items():
        font = TTFont(resource_dir("static") / "vendor" / "inter" / f"{stem}.woff2")
        font.flavor = None
        paths[key] = folder / f"{stem}.ttf"
        font.save(paths[key])
    return paths
