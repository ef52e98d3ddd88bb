"""The annual participation report for administrators and organisers, on screen and in Excel."""

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from usht_events.accounts.access import allow, enforce_declared_roles, report_centre
from usht_events.accounts.models import Role
from usht_events.core.db import db, utcnow
from usht_events.core.i18n import N_
from usht_events.core.timezones import OSLO
from usht_events.organisations.models import Centre
from usht_events.reports.rules import Report, participation_report, years_with_data
from usht_events.reports.wording import in_reader_language
from usht_events.reports.xlsx import report_workbook

blueprint = Blueprint("reports", __name__, url_prefix="/admin/reports")
blueprint.before_request(enforce_declared_roles)

FIRST_YEAR, LAST_YEAR = 2000, 2100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL_CENTRES = N_("Alle sentre")


class InvalidYear(ValueError):
    """The year asked for is not a four-digit year the report can cover."""


@blueprint.get("/participation")
@allow(Role.ADMIN, Role.ORGANISER)
def participation():
    """The report as tables, with a year picker (and centre, for administrators).

    Without a year it opens on the latest year that has data, up to this one.
    """
    try:
        year, centre, report, years = _load_report()
    except InvalidYear:
        return _invalid_year()
    is_admin = current_user.role == Role.ADMIN
    centres = db.session.scalars(select(Centre).order_by(Centre.name)).all() if is_admin else []
    xlsx_args = {"year": year} | ({"centre": centre.slug} if centre else {})
    return render_template(
        "reports/participation.html",
        report=report,
        centre=centre,
        centre_name=centre.name if centre else gettext(ALL_CENTRES),
        centres=centres,
        years=sorted({*years, year}, reverse=True),
        xlsx_url=url_for("reports.participation_xlsx", **xlsx_args),
    )


@blueprint.get("/participation.xlsx")
@allow(Role.ADMIN, Role.ORGANISER)
def participation_xlsx():
    """The report as an Excel workbook to download."""
    try:
        year, centre, report, _years = _load_report()
    except InvalidYear:
        return _invalid_year()
    body = report_workbook(report, centre.name if centre else gettext(ALL_CENTRES))
    filename = f"deltakelse-{centre.slug if centre else 'alle'}-{year}.xlsx"
    return Response(
        body,
        mimetype=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _load_report() -> tuple[int, Centre | None, Report, list[int]]:
    """Parse the query string, narrow to the centres the user may see, and count."""
    centre = report_centre(db.session, current_user, request.args.get("centre", "").strip())
    centre_ids = None if centre is None else [centre.id]
    years = years_with_data(db.session, centre_ids)
    year = _requested_year(request.args.get("year", "").strip(), years)
    report = in_reader_language(participation_report(db.session, year, centre_ids))
    return year, centre, report, years


def _requested_year(text: str, years: list[int]) -> int:
    """The year asked for; without one, the latest year with data up to this one."""
    if not text:
        this_year = utcnow().astimezone(OSLO).year
        return next((year for year in years if year <= this_year), this_year)
    if not (text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise InvalidYear(text)
    return int(text)


def _invalid_year():
    message = gettext(
        "Årstallet må være et år mellom %(first)s og %(last)s, for eksempel 2025.",
        first=FIRST_YEAR,
        last=LAST_YEAR,
    )
    title = gettext("Ugyldig årstall")
    return render_template("errors/error.html", title=title, message=message), 400
