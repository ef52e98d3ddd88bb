"""Keeping the centres: name, host municipality, contact details and region (the
municipalities it serves). Administrators do this in the browser; the view is in
catalogue/setup_views.py, since only areas above accounts know who is an administrator.
Each save is logged (core/audit.py) with what changed.

A centre's region decides which rosters its organisers see and which municipalities they
import certifications for; changing it changes that at once.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError
from usht_events.organisations import errors
from usht_events.organisations.models import Centre, Municipality
from usht_events.organisations.rules import municipalities_by_number

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass
class CentreDetails:
    """Everything an administrator sets on a centre."""

    slug: str
    name: str
    host: str
    email: str = ""
    phone: str = ""
    address: str = ""
    website: str = ""
    region: list[str] = field(default_factory=list)


def save_centre(session: DbSession, actor, centre: Centre | None, details: CentreDetails) -> Centre:
    """Create a centre (centre None) or change one, its region included; audited."""
    if not SLUG.fullmatch(details.slug):
        raise DomainError(errors.INVALID_CENTRE_SLUG)
    centre = centre or Centre()
    taken = select(Centre).where(Centre.slug == details.slug, Centre.id != (centre.id or 0))
    if session.scalar(taken) is not None:
        raise DomainError(errors.CENTRE_SLUG_TAKEN, slug=details.slug)
    if session.get(Municipality, details.host) is None:
        raise DomainError(errors.UNKNOWN_HOST)
    region = _region(session, details.region)
    created = centre.id is None
    changed = _assign(centre, details, region)
    try:
        with session.begin_nested():
            session.add(centre)
            session.flush()
    except IntegrityError as error:
        raise DomainError(errors.CENTRE_SLUG_TAKEN, slug=details.slug) from error
    if created or changed:
        verb = "Opprettet" if created else f"Endret {', '.join(changed)} for"
        summary = f"{verb} senteret «{centre.name}» ({centre.slug}), {len(region)} kommuner."
        record_action(session, actor, f"centre.{'create' if created else 'update'}", summary)
    return centre


def _region(session: DbSession, numbers: list[str]) -> list[Municipality]:
    try:
        return municipalities_by_number(session, sorted(set(numbers)))
    except DomainError as error:
        missing = ", ".join(error.details.get("numbers", []))
        raise DomainError(errors.UNKNOWN_REGION_MUNICIPALITY, numbers=missing) from error


def _assign(centre: Centre, details: CentreDetails, region: list[Municipality]) -> list[str]:
    values = {
        "slug": details.slug,
        "name": details.name,
        "host_municipality_number": details.host,
        "email": details.email,
        "phone": details.phone,
        "address": details.address,
        "website": details.website,
    }
    changed = [name for name, value in values.items() if getattr(centre, name, None) != value]
    for name in changed:
        setattr(centre, name, values[name])
    if {m.number for m in centre.region} != {m.number for m in region}:
        centre.region = region
        changed.append("region")
    return changed
