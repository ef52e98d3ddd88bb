"""Importing a semester's programme in the browser: upload, preview, confirm.

The preview step reads and checks the file and shows what would be created, or every
problem by row and column; nothing is saved. The file itself travels to the confirm step
in the page, compressed and signed, so it cannot be swapped on the way and no temporary
file is left on the server.
"""

import base64
import binascii
import hashlib
import zlib
from pathlib import PurePath

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from usht_events.accounts.access import allow
from usht_events.accounts.models import Role
from usht_events.catalogue.admin_forms import ImportConfirmForm, ImportUploadForm
from usht_events.catalogue.import_preview import import_programme as import_rule
from usht_events.catalogue.import_preview import preview_programme
from usht_events.catalogue.import_template import example_rows, template_csv, template_xlsx
from usht_events.catalogue.models import FocusArea
from usht_events.core.audit import record_action
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.forms import control_character
from usht_events.core.i18n import N_
from usht_events.core.timezones import to_oslo
from usht_events.organisations.models import Centre

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How long a preview can wait for its confirmation.
PREVIEW_MAX_AGE_SECONDS = 3600
SIGNING_SALT = "catalogue.import-programme"
CONFIRM_STEP = "confirm"
TOO_LARGE_TO_CARRY = N_(
    "Filen er for stor til å importeres i nettleseren. Del den opp, "
    "eller be en administrator kjøre kommandoen import-events."
)


class CarryError(Exception):
    """The carried file is missing, altered, too old, or too large to carry."""


@allow(Role.ADMIN, Role.ORGANISER)
def import_programme():
    """Upload a programme (CSV or XLSX), see what it would create, then confirm."""
    if request.method == "GET":
        return _upload_page(ImportUploadForm())
    if request.form.get("step") == CONFIRM_STEP:
        return _confirm()
    return _preview()


def _preview():
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    upload = form.file.data
    content = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if not upload or not upload.filename or not content:
        form.file.errors = [gettext("Velg en fil med programmet.")]
        return _upload_page(form)
    if len(content) > MAX_UPLOAD_BYTES:
        form.file.errors = [
            gettext("Filen er for stor (høyst %(size)s MB).", size=MAX_UPLOAD_BYTES >> 20)
        ]
        return _upload_page(form)
    filename = PurePath(upload.filename.replace("\\", "/")).name[-120:]
    # The name goes into the audit log; PostgreSQL refuses text with a NUL in it.
    if control_character(filename) is not None:
        form.file.errors = [
            gettext("Filnavnet inneholder tegn som ikke er tillatt. Gi filen nytt navn.")
        ]
        return _upload_page(form)
    try:
        planned = preview_programme(db.session, _centre_id(), filename, content, utcnow())
        carried = _carry(filename, content, as_drafts=form.as_drafts.data)
    except DomainError as error:
        return _problems_page(filename, error)
    except CarryError as error:
        form.file.errors = [gettext(str(error))]
        return _upload_page(form)
    return render_template(
        "catalogue/admin/import_preview.html",
        filename=filename,
        planned=planned,
        form=carried,
        as_drafts=form.as_drafts.data,
    )


def _confirm():
    form = ImportConfirmForm()
    try:
        if not form.validate_on_submit():
            raise CarryError("Skjemaet var utløpt.")
        filename, content, as_drafts = _opened(form)
    except CarryError:
        flash(
            gettext("Forhåndsvisningen er utløpt eller ufullstendig. Last opp filen på nytt."),
            "warning",
        )
        return redirect(url_for("catalogue_admin.import_programme"))
    try:
        imported = import_rule(
            db.session, _centre_id(), filename, content, utcnow(), publish=not as_drafts
        )
    except DomainError as error:
        db.session.rollback()
        return _problems_page(filename, error)
    outcome = "som utkast" if as_drafts else "og publisert"
    for item in imported:
        summary = f"Importert fra {filename} (ref {item.ref}) {outcome}."
        record_action(db.session, current_user, "event.import", summary, item.event.id)
    db.session.commit()
    flash(_imported_message(len(imported), as_drafts), "success")
    return redirect(url_for("events_admin.list_events"))


@allow(Role.ADMIN, Role.ORGANISER)
def import_template(extension: str):
    """A template to fill in: the columns, an example event, the values the codes accept."""
    centre = db.session.get(Centre, current_user.centre_id) if current_user.centre_id else None
    focus_area = db.session.scalar(select(FocusArea).order_by(FocusArea.name).limit(1))
    rows = example_rows(centre, focus_area, to_oslo(utcnow()).date())
    if extension == "csv":
        body, mimetype = template_csv(rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = template_xlsx(db.session, rows), XLSX_TYPE
    disposition = f'attachment; filename="mal-program.{extension}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _imported_message(count: int, as_drafts: bool) -> str:
    if as_drafts:
        return ngettext(
            "%(num)s arrangementer er importert som utkast.",
            "%(num)s arrangementer er importert som utkast.",
            count,
        )
    return ngettext(
        "%(num)s arrangementer er importert og publisert.",
        "%(num)s arrangementer er importert og publisert.",
        count,
    )


def _centre_id() -> int | None:
    """An organiser imports for their own centre only; an administrator for any."""
    return None if current_user.role == Role.ADMIN else current_user.centre_id


def _upload_page(form: ImportUploadForm):
    body = render_template(
        "catalogue/admin/import_programme.html", form=form, max_megabytes=MAX_UPLOAD_BYTES >> 20
    )
    return body, 400 if form.errors else 200


def _problems_page(filename: str, error: DomainError):
    body = render_template(
        "catalogue/admin/import_preview.html",
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


def _carry(filename: str, content: bytes, *, as_drafts: bool) -> ImportConfirmForm:
    """The confirm form, holding the file compressed and signed for this user."""
    packed = base64.b64encode(zlib.compress(content, 9)).decode("ascii")
    # Werkzeug refuses form fields above this size; say so now rather than at confirm.
    limit = request.max_form_memory_size
    if limit is not None and len(packed) > limit - 10_000:
        raise CarryError(TOO_LARGE_TO_CARRY)
    form = ImportConfirmForm(formdata=None)
    form.filename.data, form.content.data = filename, packed
    form.as_drafts.data = "yes" if as_drafts else ""
    form.signature.data = _serializer().dumps(_signed(filename, packed, form.as_drafts.data))
    return form


def _signed(filename: str, packed: str, as_drafts: str) -> dict:
    """What the signature vouches for: who checked which file, to import how."""
    return {
        "user": current_user.id,
        "filename": filename,
        "content": _digest(packed),
        "as_drafts": as_drafts,
    }


def _opened(form: ImportConfirmForm) -> tuple[str, bytes, bool]:
    """The file the preview checked, if the signature holds and is fresh."""
    packed = form.content.data or ""
    try:
        signed = _serializer().loads(form.signature.data or "", max_age=PREVIEW_MAX_AGE_SECONDS)
    except BadSignature as error:
        raise CarryError("bad signature") from error
    expected = _signed(form.filename.data, packed, form.as_drafts.data or "")
    if signed != expected:
        raise CarryError("not the file that was checked")
    try:
        inflater = zlib.decompressobj()
        content = inflater.decompress(base64.b64decode(packed, validate=True), MAX_UPLOAD_BYTES + 1)
    except (binascii.Error, zlib.error) as error:
        raise CarryError("unreadable") from error
    if len(content) > MAX_UPLOAD_BYTES:
        raise CarryError("too large")
    return form.filename.data, content, form.as_drafts.data == "yes"
