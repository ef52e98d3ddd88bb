"""The municipalities' pages: each municipality's roster of certified people (and its CSV and
Excel files), and the municipality contact's start page.

A roster is for that municipality's contacts, the organisers of a centre whose region holds
it, and administrators (access.py); anyone else logged in gets a 404, anonymous visitors
the login page. The start page is the contacts' own.
"""

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext
from flask_login import current_user

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.certification import rosters, start
from usht_events.certification.access import roster_municipality
from usht_events.certification.models import CertificationStatus
from usht_events.certification.rosters import RosterFilter, RosterSort
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo

blueprint = Blueprint("rosters", __name__, url_prefix="/municipalities")
blueprint.before_request(enforce_declared_roles)

ROSTER_READERS = (Role.ADMIN, Role.ORGANISER, Role.MUNICIPALITY)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Personal data: no copy in shared caches or the browser's cache.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@blueprint.get("")
@allow(Role.MUNICIPALITY)
def start_page():
    """The contact's start page: rosters, expiring soon, staff this year, upcoming events."""
    numbers = [municipality.number for municipality in current_user.municipalities]
    page = start.start_page(db.session, numbers, utcnow())
    return render_template("certification/start.html", page=page), 200, PRIVATE


@blueprint.get("/<number>/instructors")
@allow(*ROSTER_READERS)
def roster(number: str):
    """The municipality's certified people by kind, filtered, sorted and a page at a time."""
    municipality = roster_municipality(db.session, current_user, number)
    filters, valid = _filters()
    page = rosters.roster_page(db.session, number, _today(), filters, _page_number())
    body = render_template(
        "certification/roster.html",
        municipality=municipality,
        roster=page,
        filters=filters,
        statuses=list(CertificationStatus),
        sorts=list(RosterSort),
        staff=current_user.role in (Role.ADMIN, Role.ORGANISER),
    )
    return body, 200 if valid else 400, PRIVATE


@blueprint.get("/<number>/instructors.csv")
@allow(*ROSTER_READERS)
def roster_csv(number: str):
    """The roster (as filtered) for Excel: semicolons, UTF-8 with BOM."""
    municipality = roster_municipality(db.session, current_user, number)
    rows = rosters.roster_rows(db.session, number, _today(), _filters()[0])
    body = rosters.roster_csv(rows, _status_labels().get)
    return _download(body, "text/csv; charset=utf-8", municipality, "csv")


@blueprint.get("/<number>/instructors.xlsx")
@allow(*ROSTER_READERS)
def roster_xlsx(number: str):
    """The roster (as filtered) as an Excel workbook."""
    municipality = roster_municipality(db.session, current_user, number)
    rows = rosters.roster_rows(db.session, number, _today(), _filters()[0])
    title = gettext("Godkjente i %(municipality)s", municipality=municipality.name)
    body = rosters.roster_xlsx(rows, title, _status_labels().get)
    return _download(body, XLSX_TYPE, municipality, "xlsx")


def _today():
    return to_oslo(utcnow()).date()


def _status_labels() -> dict[CertificationStatus, str]:
    # Once per file, not once per row: the largest roster has 15 000 rows.
    return {status: gettext(status.label) for status in CertificationStatus}


def _filters() -> tuple[RosterFilter, bool]:
    """The filters in the address; anything unknown is ignored (and the page says 400)."""
    args, valid = request.args, True
    kind = args.get("kind", "")
    if len(kind) > 60 or not kind.replace("-", "").isalnum():
        kind, valid = "", kind == ""
    try:
        status = CertificationStatus(args.get("status")) if args.get("status") else None
    except ValueError:
        status, valid = None, False
    try:
        sort = RosterSort(args.get("sort") or RosterSort.NAME)
    except ValueError:
        sort, valid = RosterSort.NAME, False
    return RosterFilter(kind=kind or None, status=status, sort=sort), valid


def _page_number() -> int:
    value = request.args.get("page", "1")
    plain = len(value) <= 4 and value.isascii() and value.isdigit()
    return int(value) if plain and int(value) > 0 else 1


def _download(body: bytes, mimetype: str, municipality, extension: str) -> Response:
    filename = f"godkjente-{municipality.number}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', **PRIVATE}
    return Response(body, mimetype=mimetype, headers=headers)
