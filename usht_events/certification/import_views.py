"""Importing certifications in the browser: upload, preview, confirm; and the template file.

The preview reads and checks the file and shows what would be stored, or every problem by
row and column; nothing is saved. The file travels to the confirm step in the page,
compressed and signed for this user, so it cannot be swapped on the way and no temporary
file is left on the server (core/uploads.py, shared with the programme import).
"""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import HiddenField

from usht_events.accounts.access import allow
from usht_events.accounts.models import Role
from usht_events.certification import importing
from usht_events.certification.access import organiser_municipalities
from usht_events.certification.import_files import COLUMNS, template_csv, template_xlsx
from usht_events.core import uploads
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.forms import BaseForm
from usht_events.core.timezones import to_oslo

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
    upload = uploads.read_upload(form.file, gettext("Velg en fil med godkjenninger."))
    if upload is None:
        return _upload_page(form)
    filename, content = upload
    today = to_oslo(utcnow()).date()
    try:
        planned = importing.plan_import(db.session, filename, content, _allowed(), today)
        carried = ConfirmForm(formdata=None)
        uploads.carry(carried, filename, content, SIGNING_SALT)
    except DomainError as error:
        return _problems_page(filename, error)
    except uploads.TooLargeToCarry:
        form.file.errors = [
            gettext("Filen er for stor til å importeres i nettleseren. Del den opp.")
        ]
        return _upload_page(form)
    return render_template(
        "certification/admin/import_preview.html", filename=filename, planned=planned, form=carried
    )


def _confirm():
    form = ConfirmForm()
    try:
        if not form.validate_on_submit():
            raise uploads.CarryError("expired form")
        filename, content = uploads.opened(form, SIGNING_SALT)
    except uploads.CarryError:
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
        max_megabytes=uploads.MAX_UPLOAD_BYTES >> 20,
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
