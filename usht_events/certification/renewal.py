"""Renewal: a person stays certified as a kind through successive certifications.

Completing a new course of the same kind (or an import with a later date) adds a new
certification; the old one is kept, as its paper still verifies. What counts for the
person and kind is the *current* certification: one not revoked before a revoked one, then
the latest expiry (none at all counts as latest), then the latest issue. The roster shows
that one, so a renewal shows as the later expiry, and only that one is reminded of before
it expires (someone who renewed hears nothing of the old one).

`Certification.is_current` marks it, so the largest municipality's roster is one indexed
range rather than a ranking of every certification its people hold. Every rule that adds
or revokes a certification calls `refresh_current` for the person and kind in the same
transaction; it locks the person's row first, so two certifications of one person at
once take turns and leave exactly one current.
"""

import calendar
from collections.abc import Iterable
from datetime import date

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from usht_events.catalogue.models import CertificationKind
from usht_events.certification.models import Certification
from usht_events.registration.models import Person


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(kind: CertificationKind, issued_on: date) -> date | None:
    """When a certification of the kind issued on that day stops being valid; None: never."""
    return add_months(issued_on, kind.validity_months) if kind.validity_months else None


def current_order(model=Certification) -> tuple:
    """The order in which a person's certifications of a kind count; the first is current."""
    return (
        case((model.revoked_at.is_(None), 0), else_=1),
        model.expires_on.desc().nulls_first(),
        model.issued_on.desc(),
        model.id.desc(),
    )


def refresh_current(session: DbSession, pairs: Iterable[tuple[int, int]]) -> None:
    """Mark the current certification of each (person id, kind id), and no other."""
    pairs = sorted(set(pairs))
    # Lock in one order, so two rules refreshing the same people never deadlock.
    for person_id in sorted({person_id for person_id, _ in pairs}):
        session.execute(select(Person.id).where(Person.id == person_id).with_for_update())
    session.flush()
    for person_id, kind_id in pairs:
        best = aliased(Certification)
        first = (
            select(best.id)
            .where(best.person_id == person_id, best.kind_id == kind_id)
            .order_by(*current_order(best))
            .limit(1)
            .scalar_subquery()
        )
        session.execute(
            update(Certification)
            .where(Certification.person_id == person_id, Certification.kind_id == kind_id)
            .values(is_current=Certification.id == first)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()


def refresh_all_current(session: DbSession) -> None:
    """Mark the current certification of every person and kind, in one statement (after a
    bulk load; the migration that added the column does the same)."""
    rank = func.row_number().over(
        partition_by=(Certification.person_id, Certification.kind_id), order_by=current_order()
    )
    ranked = select(Certification.id, rank.label("rank")).subquery()
    firsts = select(ranked.c.id).where(ranked.c.rank == 1)
    session.execute(
        update(Certification)
        .values(is_current=Certification.id.in_(firsts))
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


def current_certification(session: DbSession, person_id: int, kind_id: int) -> Certification | None:
    """The person's current certification of the kind, if any."""
    return session.scalar(
        select(Certification).where(
            Certification.person_id == person_id,
            Certification.kind_id == kind_id,
            Certification.is_current,
        )
    )
