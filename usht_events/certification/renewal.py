"""Renewal: a person stays certified as a kind through successive certifications.

Completing a new course of the same kind (or an import with a later date) adds a new
certification; the old one is kept, as its paper still verifies. What counts for the
person and kind is the *current* certification: one not revoked before a revoked one, then
the latest expiry (none at all counts as latest), then the latest issue. The roster shows
that one, so a renewal shows as the later expiry; a certification someone holds a later one
of is *superseded*, and gets no reminder before it expires.
"""

import calendar
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from usht_events.catalogue.models import CertificationKind
from usht_events.certification.models import Certification


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(kind: CertificationKind, issued_on: date) -> date | None:
    """When a certification of the kind issued on that day stops being valid; None: never."""
    return add_months(issued_on, kind.validity_months) if kind.validity_months else None


def ranked(person_ids=None):
    """Subquery (id, rank): each certification's place among its person's of that kind;
    rank 1 is the current one. `person_ids` (a select) narrows the people ranked."""
    rank = func.row_number().over(
        partition_by=(Certification.person_id, Certification.kind_id),
        order_by=(
            case((Certification.revoked_at.is_(None), 0), else_=1),
            Certification.expires_on.desc().nulls_first(),
            Certification.issued_on.desc(),
            Certification.id.desc(),
        ),
    )
    query = select(Certification.id, rank.label("rank"))
    if person_ids is not None:
        query = query.where(Certification.person_id.in_(person_ids))
    return query.subquery("ranked")


def superseded():
    """SQL condition: the certification's person holds a later one of the same kind."""
    later = aliased(Certification)
    return (
        select(later.id)
        .where(
            later.person_id == Certification.person_id,
            later.kind_id == Certification.kind_id,
            later.id != Certification.id,
            later.revoked_at.is_(None),
            or_(
                later.expires_on.is_(None),
                and_(
                    Certification.expires_on.is_not(None),
                    later.expires_on > Certification.expires_on,
                ),
            ),
        )
        .exists()
    )


def current_certification(session: DbSession, person_id: int, kind_id: int) -> Certification | None:
    """The person's current certification of the kind, if any (revoked ones count last)."""
    ranking = ranked(select(Certification.person_id).where(Certification.person_id == person_id))
    return session.scalar(
        select(Certification)
        .join(ranking, ranking.c.id == Certification.id)
        .where(ranking.c.rank == 1, Certification.kind_id == kind_id)
    )
