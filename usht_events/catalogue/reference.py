"""The reference data administrators keep in the browser: certification kinds, focus areas
and series. Each save checks the short name (slug) and that slug and name are free, writes,
and logs what changed (core/audit.py); a clash that slips past the check between two
administrators saving at once is caught at the unique index and refused the same way.

A kind's validity applies to certifications issued from then on; those already issued keep
their expiry. Nothing is deleted here: events and certifications point at these rows.
"""

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue import errors
from usht_events.catalogue.models import CertificationKind, FocusArea, Series
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.organisations.models import Centre

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def save_certification_kind(
    session: DbSession,
    actor: User | None,
    kind: CertificationKind | None,
    *,
    slug: str,
    name: str,
    description: str,
    validity_months: int | None,
) -> CertificationKind:
    """Create a certification kind (kind None) or change one."""
    values = {
        "slug": slug,
        "name": name,
        "description": description,
        "validity_months": validity_months,
    }
    return _save(session, actor, kind or CertificationKind(), values, "certification_kind")


def save_focus_area(
    session: DbSession, actor: User | None, focus_area: FocusArea | None, *, slug: str, name: str
) -> FocusArea:
    """Create a focus area (focus_area None) or change one."""
    values = {"slug": slug, "name": name}
    return _save(session, actor, focus_area or FocusArea(), values, "focus_area")


def save_series(
    session: DbSession,
    actor: User | None,
    series: Series | None,
    *,
    centre: Centre,
    slug: str,
    name: str,
    description: str,
) -> Series:
    """Create a series of a centre (series None) or change one; slugs are per centre."""
    values = {"centre_id": centre.id, "slug": slug, "name": name, "description": description}
    return _save(session, actor, series or Series(), values, "series", per_centre=True)


def _save(session: DbSession, actor, row, values: dict, action: str, per_centre=False):
    if not SLUG.fullmatch(values["slug"]):
        raise DomainError(errors.INVALID_SLUG)
    _refuse_taken(session, row, values, per_centre)
    changed = [name for name, value in values.items() if getattr(row, name, None) != value]
    created = row.id is None
    for name in changed:
        setattr(row, name, values[name])
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as error:
        raise DomainError(errors.SLUG_TAKEN, slug=values["slug"]) from error
    if created or changed:
        verb = "Opprettet" if created else f"Endret {', '.join(changed)} for"
        summary = f"{verb} «{row.name}» ({row.slug})."
        record_action(session, actor, f"{action}.{'create' if created else 'update'}", summary)
    return row


def _refuse_taken(session: DbSession, row, values: dict, per_centre: bool) -> None:
    model = type(row)
    others = select(model).where(model.id != row.id) if row.id else select(model)
    if per_centre:
        others = others.where(model.centre_id == values["centre_id"])
    if session.scalar(others.where(model.slug == values["slug"])) is not None:
        raise DomainError(errors.SLUG_TAKEN, slug=values["slug"])
    if not per_centre and session.scalar(others.where(model.name == values["name"])) is not None:
        raise DomainError(errors.NAME_TAKEN, name=values["name"])
