"""The event editor's page: its form with the choices this user has, and how it is shown.

Shared by the create page (catalogue/admin_views.py) and the edit page
(registration/event_admin_views.py, since saving an edit concerns the people signed up).
"""

from itertools import groupby

from flask import render_template
from flask_login import current_user
from sqlalchemy import or_, select

from usht_events.accounts.models import Role
from usht_events.catalogue.admin_forms import MAX_SESSIONS, DuplicateForm, EventForm
from usht_events.catalogue.editing import Problem
from usht_events.catalogue.models import CertificationKind, Event, FocusArea, Series
from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.organisations.models import Centre, Municipality, centre_municipality


def event_form(event: Event | None = None) -> EventForm:
    """The form with this user's choices, filled from the event unless it was posted."""
    form = EventForm()
    is_admin = current_user.role == Role.ADMIN
    centres = _all(select(Centre).order_by(Centre.name)) if is_admin else []
    series = select(Series).join(Series.centre).order_by(Centre.name, Series.name)
    if not is_admin:
        series = series.where(Series.centre_id == current_user.centre_id)
    form.set_choices(
        centres,
        _all(select(FocusArea).order_by(FocusArea.name)),
        _all(series),
        _all(select(CertificationKind).order_by(CertificationKind.name)),
        _eligible_choices(event),
    )
    if not is_admin:
        del form.centre
    if event is not None and not form.is_submitted():
        form.fill_from(event)
    return form


def chosen_centre(form: EventForm) -> Centre:
    """The centre the event belongs to: chosen by an administrator, else the user's own."""
    if current_user.role == Role.ADMIN:
        return db.session.get(Centre, int(form.centre.data))
    return db.session.get(Centre, current_user.centre_id)


def added_a_day(form: EventForm) -> bool:
    """«Legg til dag» re-renders the form with one more row; nothing is saved."""
    if not (form.is_submitted() and form.add_session.data):
        return False
    if len(form.sessions.entries) < MAX_SESSIONS:
        form.sessions.append_entry()
    return True


def show_problems(form: EventForm, error: DomainError) -> None:
    """Put a refusal beside the fields it is about (every problem of an invalid draft)."""
    problems = error.details.get("problems") or [
        Problem(error.code, error.field or "title", error.localised())
    ]
    for problem in problems:
        form.add_problem(problem)


def render_event_form(form: EventForm, event: Event | None, active: int = 0):
    """The editor page, with 400 when it shows errors; `active` is who a change concerns."""
    counties = [
        (county, list(items))
        for county, items in groupby(form.eligible.choices, key=lambda choice: choice.optgroup)
    ]
    error_links = form.error_links()
    body = render_template(
        "catalogue/admin/edit_event.html",
        form=form,
        event=event,
        counties=counties,
        chosen=set(form.eligible.data or []),
        error_links=error_links,
        duplicate_form=DuplicateForm(formdata=None),
        active=active,
        tab="edit",
    )
    return body, 400 if error_links else 200


def _all(query) -> list:
    return list(db.session.scalars(query))


def _eligible_choices(event: Event | None) -> list[Municipality]:
    """The regions of the user's centre (every centre for administrators), plus those chosen."""
    region = select(centre_municipality.c.municipality_number)
    if current_user.role != Role.ADMIN:
        region = region.where(centre_municipality.c.centre_id == current_user.centre_id)
    chosen = [m.number for m in event.eligible_municipalities] if event else []
    return _all(
        select(Municipality)
        .where(or_(Municipality.number.in_(region), Municipality.number.in_(chosen)))
        .order_by(Municipality.county_name, Municipality.name)
    )
