"""Importing a semester's programme in the browser: upload, preview, confirm.

The preview step reads and checks the file and shows what would be created, or every
problem by row and column; nothing is saved. The file itself travels to the confirm step
in the page, compressed and signed, so it cannot be swapped on the way and no temporary
file is left on the server (core/uploads.py, shared with the certification import).
"""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from usht_events.accounts.access import allow
from usht_events.accounts.models import Role
from usht_events.catalogue.admin_forms import ImportConfirmForm, ImportUploadForm
from usht_events.catalogue.import_preview import import_programme as import_rule
from usht_events.catalogue.import_preview import preview_programme
from usht_events.catalogue.import_template import example_rows, template_csv, template_xlsx
from usht_events.catalogue.models import FocusArea
from usht_events.core import uploads
from usht_events.core.audit import record_action
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.i18n import N_
from usht_events.core.timezones import to_oslo
from usht_events.organisations.models import Centre

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGNING_SALT = "catalogue.import-programme"
CONFIRM_STEP = "confirm"
TOO_LARGE_TO_CARRY = N_(
    "Filen er for stor til å importeres i nettleseren. Del den opp, "
    "eller be en administrator kjøre kommandoen import-events."
)


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
    upload = uploads.read_upload(form.file, gettext("Velg en fil med programmet."))
    if upload is None:
        return _upload_page(form)
    filename, content = upload
    try:
        planned = preview_programme(db.session, _centre_id(), filename, content, utcnow())
        carried = ImportConfirmForm(formdata=None)
        carried.as_drafts.data = "yes" if form.as_drafts.data else ""
        uploads.carry(carried, filename, content, SIGNING_SALT, as_drafts=carried.as_drafts.data)
    except DomainError as error:
        return _problems_page(filename, error)
    except uploads.TooLargeToCarry:
        form.file.errors = [gettext(TOO_LARGE_TO_CARRY)]
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
            raise uploads.CarryError("expired form")
        as_drafts = form.as_drafts.data or ""
        filename, content = uploads.opened(form, SIGNING_SALT, as_drafts=as_drafts)
        as_drafts = as_drafts == "yes"
    except uploads.CarryError:
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
        "catalogue/admin/import_programme.html",
        form=form,
        max_megabytes=uploads.MAX_UPLOAD_BYTES >> 20,
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
