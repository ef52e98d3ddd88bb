"""The certificate PDF read back (its text with pypdf, its QR code from the rendered page),
the download under the participant's own link, and the verification page's states."""

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from usht_events.certification import certifying
from usht_events.certification.pdf import certificate_pdf
from usht_events.core.db import db, utcnow

BASE = "http://usht.test"


@pytest.fixture
def certified(sqlite_course):
    """Kari, certified as ProACT-instruktør through the course."""
    (certification,) = certifying.certify_completers(
        db.session, None, sqlite_course.event.id, utcnow()
    )
    db.session.commit()
    return sqlite_course, certification


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        (page,) = list(document)
        image = page.render(scale=2).to_pil()
        page.close()
    finally:
        document.close()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_the_pdf_names_the_person_kind_course_and_dates(certified):
    _course, certification = certified
    text = _text(certificate_pdf(certification, "nb", BASE))
    for words in ("Kursbevis", "Kari Nordmann", "ProACT-instruktør", "ProACT-instruktørkurs"):
        assert words in text
    assert "USHT Østfold" in text
    assert "Gyldig til" in text and certification.verification_code in text


def test_the_pdf_prints_names_of_every_european_alphabet(certified, make):
    _, certification = certified
    certification.person.name = "Łukasz Čoarvi Ørjasæter"
    text = _text(certificate_pdf(certification, "nb", BASE))
    assert "Łukasz Čoarvi Ørjasæter" in text


def test_the_pdf_is_in_english_for_someone_who_chose_english(certified):
    _, certification = certified
    text = _text(certificate_pdf(certification, "en", BASE))
    assert "Certificate" in text and "is certified as" in text and "Kursbevis" not in text


def test_its_qr_code_leads_to_the_verification_page(certified, client):
    _, certification = certified
    (url,) = _qr_codes(certificate_pdf(certification, "nb", BASE))
    assert url == f"{BASE}/verify/{certification.verification_code}"
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kari Nordmann" in html and "ProACT-instruktør" in html and "Gyldig" in html


def test_download_from_the_participants_own_link(certified, client):
    course, certification = certified
    manage = client.get(f"/r/{course.full.token}").get_data(as_text=True)
    listing_url = f"/r/{course.full.token}/certificates"
    assert f'href="{listing_url}"' in manage
    listing = client.get(listing_url).get_data(as_text=True)
    pdf_url = f"/r/{course.full.token}/certificates/{certification.verification_code}.pdf"
    assert f'href="{pdf_url}"' in listing
    answer = client.get(pdf_url)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Kari Nordmann" in _text(answer.data)


def test_nobody_downloads_another_persons_certificate(certified, client):
    course, certification = certified
    code = certification.verification_code
    assert client.get(f"/r/{course.half.token}/certificates/{code}.pdf").status_code == 404
    assert client.get(f"/r/not-a-token/certificates/{code}.pdf").status_code == 404
    assert client.get(f"/r/{course.full.token}/certificates/{'A' * 40}.pdf").status_code == 404


def test_a_revoked_certificate_is_no_longer_downloaded(certified, client):
    course, certification = certified
    certification.revoked_at = utcnow()
    db.session.commit()
    code = certification.verification_code
    assert client.get(f"/r/{course.full.token}/certificates/{code}.pdf").status_code == 404
    assert code not in client.get(f"/r/{course.full.token}/certificates").get_data(as_text=True)


# The verification page


def _verify(client, code):
    answer = client.get(f"/verify/{code}")
    return answer.status_code, answer.get_data(as_text=True), answer.headers


def test_a_valid_certificate_shows_name_kind_issue_date_and_status_only(certified, client):
    course, certification = certified
    status, html, headers = _verify(client, certification.verification_code)
    assert status == 200
    assert "Gyldig" in html and "Godkjenningen er gyldig i dag." in html
    person = course.full.person
    for private in (person.email, person.workplace, "Fredrikstad", "ProACT-instruktørkurs"):
        assert private not in html
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert 'name="robots" content="noindex"' in html


def test_the_code_may_be_typed_in_lower_case_with_dashes(certified, client):
    _, certification = certified
    code = certification.verification_code.lower()
    assert _verify(client, f"{code[:4]}-{code[4:8]}-{code[8:]}")[0] == 200


def test_an_expired_certificate_says_so(certified, client):
    _, certification = certified
    certification.issued_on -= timedelta(days=800)
    certification.expires_on = certification.issued_on + timedelta(days=730)
    db.session.commit()
    status, html, _ = _verify(client, certification.verification_code)
    assert status == 200 and "Utløpt" in html and "Godkjenningen har gått ut" in html


def test_a_revoked_certificate_says_so(certified, client):
    _, certification = certified
    certification.revoked_at, certification.revoked_reason = utcnow(), "Feilregistrert"
    db.session.commit()
    status, html, _ = _verify(client, certification.verification_code)
    assert status == 200 and "Tilbakekalt" in html and "Feilregistrert" not in html


@pytest.mark.parametrize("code", ["ABCDEFGHJKLMNPQR", "O0O0", "x" * 300, "ÆØÅ"])
def test_an_unknown_code_is_a_404_that_says_so(app, client, code):
    status, html, _ = _verify(client, code)
    assert status == 404 and "Fant ingen godkjenning med denne koden" in html


def test_the_verification_page_in_english(certified, client):
    _, certification = certified
    html = client.get(f"/verify/{certification.verification_code}?lang=en").get_data(as_text=True)
    assert "Valid" in html and "Certificate check" in html
