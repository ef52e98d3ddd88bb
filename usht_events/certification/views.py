"""The public side of certification: the verification page a QR code on a certificate leads
to, and a participant's own certificates under the link in their e-mail.

GET /verify/<code> says only what is needed to trust the paper: the name, the kind, the
issue date and whether it is valid, expired or revoked. Nothing else about the person.
The certificates under /r/<token> are this area's own routes: the manage page
(registration/views.py) links to them by address only.
"""

from flask import Blueprint, Response, abort, current_app, render_template
from sqlalchemy import select

from usht_events.certification.models import Certification, CertificationStatus
from usht_events.certification.pdf import certificate_filename, certificate_pdf
from usht_events.core.db import db, utcnow
from usht_events.core.mail import mail_language
from usht_events.core.timezones import to_oslo
from usht_events.core.tokens import READABLE_ALPHABET
from usht_events.registration.models import Registration
from usht_events.registration.tickets import registration_by_link

blueprint = Blueprint("certification", __name__)

# The code is a key: keep it out of Referer headers, search engines and shared caches.
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Cache-Control": "no-store",
}
# What the verification page may say: an expiring certification is still valid.
VERIFIED_STATUS = {
    CertificationStatus.VALID: CertificationStatus.VALID,
    CertificationStatus.EXPIRING: CertificationStatus.VALID,
    CertificationStatus.EXPIRED: CertificationStatus.EXPIRED,
    CertificationStatus.REVOKED: CertificationStatus.REVOKED,
}


def normalised_code(code: str) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None if it cannot be one."""
    code = code.replace("-", "").replace(" ", "").upper()
    if not 1 <= len(code) <= 16 or any(char not in READABLE_ALPHABET for char in code):
        return None
    return code


@blueprint.get("/verify/<code>")
def verify(code: str):
    """Whether the certificate with this code is valid: name, kind, issue date, status."""
    normalised = normalised_code(code)
    certification = normalised and db.session.scalar(
        select(Certification).where(Certification.verification_code == normalised)
    )
    if not certification:
        body = render_template("certification/verify.html", certification=None)
        return body, 404, PRIVATE_HEADERS
    status = VERIFIED_STATUS[certification.status_on(to_oslo(utcnow()).date())]
    body = render_template("certification/verify.html", certification=certification, status=status)
    return body, 200, PRIVATE_HEADERS


def _registration(token: str) -> Registration:
    return registration_by_link(db.session, token) or abort(404)


@blueprint.get("/r/<token>/certificates")
def own_certificates(token: str):
    """The person's certifications, each with its certificate to download."""
    registration = _registration(token)
    certifications = db.session.scalars(
        select(Certification)
        .where(
            Certification.person_id == registration.person_id,
            Certification.revoked_at.is_(None),
        )
        .order_by(Certification.issued_on.desc(), Certification.id.desc())
    ).all()
    body = render_template(
        "certification/own_certificates.html",
        registration=registration,
        certifications=certifications,
        today=to_oslo(utcnow()).date(),
    )
    return body, 200, PRIVATE_HEADERS


@blueprint.get("/r/<token>/certificates/<code>.pdf")
def own_certificate_pdf(token: str, code: str):
    """One of the person's certificates as PDF, in their language; a revoked one is gone."""
    registration = _registration(token)
    certification = db.session.scalar(
        select(Certification).where(
            Certification.verification_code == (normalised_code(code) or ""),
            Certification.person_id == registration.person_id,
            Certification.revoked_at.is_(None),
        )
    )
    if certification is None:
        abort(404)
    return certificate_response(certification)


def certificate_response(certification: Certification) -> Response:
    """The certificate as a PDF download in the person's language."""
    lang = mail_language(certification.person.locale)
    pdf = certificate_pdf(certification, lang, current_app.config["BASE_URL"])
    filename = certificate_filename(certification, lang)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **PRIVATE_HEADERS},
    )
