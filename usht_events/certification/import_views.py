"""Importing certifications in the browser: upload, preview, confirm; and the template file.

The preview reads and checks the file and shows what would be stored, or every problem by
row and column; nothing is saved. The file travels to the confirm step in the page,
compressed and signed for this user, so it cannot be swapped on the way and no temporary
file is left on the server (as the programme import does, catalogue/admin_import.py).
"""

import base64
import binascii
import hashlib
import zlib
from pathlib import PurePath

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField

from usht_events.accounts.access import allow
from usht_events.accounts.models import Role
from usht_events.certification import importing
from usht_events.certification.access import organiser_municipalities
from usht_events.certification.import_files import COLUMNS, template_csv, template_xlsx
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.forms import BaseForm, control_character
from usht_events.core.timezones import to_oslo

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
PREVIEW_MAX_AGE_SECONDS = 3600
SIGNING_SALT = "certification.import"
CONFIRM_STEP = "confirm"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(BaseForm):
    """The file to check."""

    file = FileField(_l("Fil med godkjenninger (CSV eller XLSX)"))


class ConfirmForm(BaseForm):
    """The checked file, carried signed to the confirm step."""

    filename = HiddenField()
    content = HiddenField()
    signature = HiddenField()


class _CarryError(Exception):
    """The carried file is missing, altered, too old, or unreadable."""


@allow(Role.ADMIN, Role.ORGANISER)
def import_certifications():
    """Upload certifications (CSV or XLSX), see what would be stored, then confirm."""
    if request.method == "GET":
        return _upload_page(UploadForm())
    if request.form.get("step") == CONFIRM_STEP:
        return _confirm()
    return _preview()


@allow(Role.ADMIN, Role.ORGANISER)
def import_template_csv():
    """The template: the columns and one example row, as CSV."""
    return _download(template_csv(), "text/csv; charset=utf-8", "godkjenninger-mal.csv")


@allow(Role.ADMIN, Role.ORGANISER)
def import_template_xlsx():
    """The template: the columns and one example row, as an Excel workbook."""
    return _download(template_xlsx(), XLSX_TYPE, "godkjenninger-mal.xlsx")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, mimetype=mimetype, headers=headers)


def _allowed() -> set[str] | None:
    """Municipalities the user imports for: an organiser their region, administrators all."""
    if current_user.role == Role.ADMIN:
        return None
    return organiser_municipalities(db.session, current_user)


def _preview():
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    upload = form.file.data
    content = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if not upload or not upload.filename or not content:
        form.file.errors = [gettext("Velg en fil med godkjenninger.")]
        return _upload_page(form)
    if len(content) > MAX_UPLOAD_BYTES:
        form.file.errors = [
            gettext("Filen er for stor (høyst %(most)s MB).", most=MAX_UPLOAD_BYTES >> 20)
        ]
        return _upload_page(form)
    filename = PurePath(upload.filename.replace("\\", "/")).name[-120:]
    if control_character(filename) is not None:
        form.file.errors = [
            gettext("Filnavnet inneholder tegn som ikke er tillatt. Gi filen nytt navn.")
        ]
        return _upload_page(form)
    today = to_oslo(utcnow()).date()
    try:
        planned = importing.plan_import(db.session, filename, content, _allowed(), today)
        carried = _carry(filename, content)
    except DomainError as error:
        return _problems_page(filename, error)
    except _CarryError as error:
        form.file.errors = [str(error)]
        return _upload_page(form)
    return render_template(
        "certification/admin/import_preview.html", filename=filename, planned=planned, form=carried
    )


def _confirm():
    form = ConfirmForm()
    try:
        if not form.validate_on_submit():
            raise _CarryError("expired form")
        filename, content = _opened(form)
    except _CarryError:
        expired = gettext("Forhåndsvisningen er utløpt eller ufullstendig. Last opp filen på nytt.")
        flash(expired, "warning")
        return redirect(url_for("certification_admin.import_certifications"))
    now = utcnow()
    try:
        stored = importing.import_certifications(
            db.session, current_user, filename, content, _allowed(), now, to_oslo(now).date()
        )
    except DomainError as error:
        db.session.rollback()
        return _problems_page(filename, error)
    db.session.commit()
    # The Norwegian has one form for any number; the English catalogue has two.
    imported = ngettext(
        "%(num)s godkjenninger er importert fra %(filename)s.",
        "%(num)s godkjenninger er importert fra %(filename)s.",
        len(stored),
        filename=filename,
    )
    flash(imported, "success")
    return redirect(url_for("certification_admin.import_certifications"), 303)


def _upload_page(form: UploadForm):
    body = render_template(
        "certification/admin/import_certifications.html",
        form=form,
        columns=COLUMNS,
        max_megabytes=MAX_UPLOAD_BYTES >> 20,
    )
    return body, 400 if form.errors else 200


def _problems_page(filename: str, error: DomainError):
    body = render_template(
        "certification/admin/import_preview.html",
        filename=filename,
        message=error.localised(),
        problems=error.details.get("errors", ()),
        planned=[],
        form=None,
    )
    return body, 400


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGNING_SALT)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _carry(filename: str, content: bytes) -> ConfirmForm:
    packed = base64.b64encode(zlib.compress(content, 9)).decode("ascii")
    # Werkzeug refuses form fields above this size; say so now rather than at confirm.
    limit = request.max_form_memory_size
    if limit is not None and len(packed) > limit - 10_000:
        raise _CarryError(gettext("Filen er for stor til å importeres i nettleseren. Del den opp."))
    form = ConfirmForm(formdata=None)
    form.filename.data, form.content.data = filename, packed
    form.signature.data = _serializer().dumps(
        {"user": current_user.id, "filename": filename, "content": _digest(packed)}
    )
    return form


def _opened(form: ConfirmForm) -> tuple[str, bytes]:
    packed = form.content.data or ""
    try:
        signed = _serializer().loads(form.signature.data or "", max_age=PREVIEW_MAX_AGE_SECONDS)
    except BadSignature as error:
        raise _CarryError("bad signature") from error
    expected = {"user": current_user.id, "filename": form.filename.data, "content": _digest(packed)}
    if signed != expected:
        raise _CarryError("not the file that was checked")
    try:
        inflater = zlib.decompressobj()
        content = inflater.decompress(base64.b64decode(packed, validate=True), MAX_UPLOAD_BYTES + 1)
    except (binascii.Error, zlib.error) as error:
        raise _CarryError("unreadable") from error
    if len(content) > MAX_UPLOAD_BYTES:
        raise _CarryError("too large")
    return form.filename.data, content
