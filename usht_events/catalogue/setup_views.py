"""The administrators' setup pages: certification kinds, focus areas, series and centres,
which events, rosters and reports point at. Each list links to an edit page; each save
calls one rule (catalogue/reference.py, organisations/centres.py), which logs the change.

The centres' pages are here rather than in organisations/: that area lies below accounts,
which says who is an administrator.
"""

from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue import reference
from usht_events.catalogue.models import CertificationKind, FocusArea, Series
from usht_events.catalogue.setup_forms import CentreForm, FocusAreaForm, KindForm, SeriesForm
from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.organisations.centres import CentreDetails, save_centre
from usht_events.organisations.models import Centre, Municipality

blueprint = Blueprint("catalogue_setup", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)


@blueprint.get("/setup")
@allow(Role.ADMIN)
def index():
    """What the administrators keep: links to each list."""
    return render_template("catalogue/setup/index.html")


@blueprint.get("/certification-kinds")
@allow(Role.ADMIN)
def list_kinds():
    """Every certification kind with its validity."""
    kinds = db.session.scalars(select(CertificationKind).order_by(CertificationKind.name)).all()
    rows = [
        (kind.name, url_for(".edit_kind", kind_id=kind.id), kind.slug, _validity(kind))
        for kind in kinds
    ]
    columns = (gettext("Godkjenning"), gettext("Kortnavn"), gettext("Gyldighet"))
    return _list(gettext("Godkjenninger"), rows, columns, url_for(".new_kind"))


@blueprint.route("/certification-kinds/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_kind():
    """Add a certification kind."""
    return _edit_kind(None)


@blueprint.route("/certification-kinds/<int:kind_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_kind(kind_id: int):
    """Change a certification kind; certifications already issued keep their expiry."""
    return _edit_kind(db.session.get(CertificationKind, kind_id) or abort(404))


def _edit_kind(kind: CertificationKind | None):
    form = KindForm(obj=kind)
    if form.validate_on_submit():
        values = {name: form[name].data for name in ("slug", "name", "validity_months")}
        values["description"] = form.description.data or ""
        if _saved(form, reference.save_certification_kind, kind, **values):
            return redirect(url_for(".list_kinds"), 303)
    title = _change_title(kind) or gettext("Ny godkjenning")
    return _edit(form, title, url_for(".list_kinds"), gettext("Godkjenninger"))


@blueprint.get("/focus-areas")
@allow(Role.ADMIN)
def list_focus_areas():
    """Every focus area."""
    areas = db.session.scalars(select(FocusArea).order_by(FocusArea.name)).all()
    rows = [
        (area.name, url_for(".edit_focus_area", focus_area_id=area.id), area.slug) for area in areas
    ]
    columns = (gettext("Satsningsområde"), gettext("Kortnavn"))
    return _list(gettext("Satsningsområder"), rows, columns, url_for(".new_focus_area"))


@blueprint.route("/focus-areas/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_focus_area():
    """Add a focus area."""
    return _edit_focus_area(None)


@blueprint.route("/focus-areas/<int:focus_area_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_focus_area(focus_area_id: int):
    """Change a focus area."""
    return _edit_focus_area(db.session.get(FocusArea, focus_area_id) or abort(404))


def _edit_focus_area(area: FocusArea | None):
    form = FocusAreaForm(obj=area)
    if form.validate_on_submit():
        values = {"slug": form.slug.data, "name": form.name.data}
        if _saved(form, reference.save_focus_area, area, **values):
            return redirect(url_for(".list_focus_areas"), 303)
    title = _change_title(area) or gettext("Nytt satsningsområde")
    return _edit(form, title, url_for(".list_focus_areas"), gettext("Satsningsområder"))


@blueprint.get("/series")
@allow(Role.ADMIN)
def list_series():
    """Every network and programme, by centre."""
    series = db.session.scalars(
        select(Series).options(selectinload(Series.centre)).order_by(Series.name)
    ).all()
    rows = [
        (item.name, url_for(".edit_series", series_id=item.id), item.slug, item.centre.name)
        for item in series
    ]
    columns = (gettext("Nettverk eller program"), gettext("Kortnavn"), gettext("Senter"))
    return _list(gettext("Nettverk og program"), rows, columns, url_for(".new_series"))


@blueprint.route("/series/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_series():
    """Add a network or programme to a centre."""
    return _edit_series(None)


@blueprint.route("/series/<int:series_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_series(series_id: int):
    """Change a network or programme."""
    return _edit_series(db.session.get(Series, series_id) or abort(404))


def _edit_series(series: Series | None):
    form = SeriesForm(obj=series)
    form.centre.choices = [SelectChoice(str(c.id), c.name) for c in _centres()]
    if series is not None and not form.is_submitted():
        form.centre.data = str(series.centre_id)
    if form.validate_on_submit():
        values = {name: form[name].data for name in ("slug", "name")}
        values["description"] = form.description.data or ""
        centre = db.session.get(Centre, int(form.centre.data))
        if _saved(form, reference.save_series, series, centre=centre, **values):
            return redirect(url_for(".list_series"), 303)
    title = _change_title(series) or gettext("Nytt nettverk eller program")
    return _edit(form, title, url_for(".list_series"), gettext("Nettverk og program"))


@blueprint.get("/centres")
@allow(Role.ADMIN)
def list_centres():
    """Every centre with its host and the size of its region."""
    centres = db.session.scalars(
        select(Centre)
        .options(selectinload(Centre.region), selectinload(Centre.host_municipality))
        .order_by(Centre.name)
    ).all()
    rows = [
        (c.name, url_for(".edit_centre", centre_id=c.id), c.slug, c.host_municipality.name,
         ngettext("%(num)s kommuner", "%(num)s kommuner", len(c.region)))
        for c in centres
    ]  # fmt: skip
    columns = (gettext("Senter"), gettext("Kortnavn"), gettext("Vertskommune"), gettext("Region"))
    return _list(gettext("Utviklingssentre"), rows, columns, url_for(".new_centre"))


@blueprint.route("/centres/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_centre():
    """Add a centre with its region."""
    return _edit_centre(None)


@blueprint.route("/centres/<int:centre_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_centre(centre_id: int):
    """Change a centre and the municipalities of its region."""
    return _edit_centre(db.session.get(Centre, centre_id) or abort(404))


def _edit_centre(centre: Centre | None):
    form = CentreForm(obj=centre)
    municipalities = _municipalities()
    form.host.choices = [SelectChoice("", gettext("Velg kommune"))] + [
        SelectChoice(m.number, f"{m.name} ({m.number})") for m in municipalities
    ]
    form.region.choices = [SelectChoice(m.number, m.name) for m in municipalities]
    if centre is not None and not form.is_submitted():
        form.host.data = centre.host_municipality_number
        form.region.data = [m.number for m in centre.region]
    if form.validate_on_submit():
        details = CentreDetails(
            **{name: form[name].data or "" for name in ("slug", "name", "host", "email")},
            **{name: form[name].data or "" for name in ("phone", "address", "website")},
            region=form.region.data or [],
        )
        if _saved(form, save_centre, centre, details):
            return redirect(url_for(".list_centres"), 303)
    title = _change_title(centre) or gettext("Nytt utviklingssenter")
    counties = [
        (county, list(items))
        for county, items in groupby(municipalities, key=lambda m: m.county_name)
    ]
    return _edit(
        form, title, url_for(".list_centres"), gettext("Utviklingssentre"),
        counties=counties, chosen=set(form.region.data or []),
    )  # fmt: skip


def _saved(form, rule, row, *args, **values) -> bool:
    """Call the save rule; commit and say so, or show the refusal beside its field."""
    try:
        saved = rule(db.session, current_user, row, *args, **values)
    except DomainError as error:
        db.session.rollback()
        field = form._fields.get(error.field or "", form.name)
        field.errors = [*field.errors, error.localised()]
        return False
    db.session.commit()
    flash(gettext("«%(name)s» er lagret.", name=saved.name), "success")
    return True


def _list(title: str, rows, columns, new_url: str):
    return render_template(
        "catalogue/setup/list.html", title=title, rows=rows, columns=columns, new_url=new_url
    )


def _edit(form, title: str, back_url: str, back_label: str, **extra):
    body = render_template(
        "catalogue/setup/edit.html",
        form=form,
        title=title,
        back_url=back_url,
        back_label=back_label,
        **extra,
    )
    return body, 400 if form.errors else 200


def _change_title(row) -> str | None:
    """The title of the page that changes `row`; None on the page that adds one."""
    return gettext("Endre %(name)s", name=row.name) if row is not None else None


def _validity(kind: CertificationKind) -> str:
    months = kind.validity_months
    if not months:
        return gettext("Utløper ikke")
    return ngettext("%(num)s måneder", "%(num)s måneder", months)


def _centres() -> list[Centre]:
    return list(db.session.scalars(select(Centre).order_by(Centre.name)))


def _municipalities() -> list[Municipality]:
    return list(
        db.session.scalars(
            select(Municipality).order_by(Municipality.county_name, Municipality.name)
        )
    )
