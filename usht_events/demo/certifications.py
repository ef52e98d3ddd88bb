"""The demo's certifications: a few imported ones, so the rosters and the Fredrikstad
contact's start page show something (seed.py calls this)."""

from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import CertificationKind
from usht_events.certification.models import Certification, CertificationSource
from usht_events.certification.renewal import add_months, expiry_for, refresh_current
from usht_events.core.timezones import oslo_datetime
from usht_events.registration.models import Person

# Certifications the municipalities had before (imported), so the rosters and the
# Fredrikstad contact's start page show something: (index into programme.PEOPLE, kind slug, issued
# this many months before the anchor). ProACT is valid 36 months and HHLR 24: the
# 34-month ProACT and the 22-month HHLR expire about two months after the anchor: within
# 90 days, and not yet, on any day of the demo month.
CERTIFICATIONS = (
    (6, "proact-instruktor", 34),
    (7, "hhlr-instruktor", 6),
    (8, "hhlr-instruktor", 22),
    (8, "abc-kontakt", 40),
    (0, "proact-instruktor", 12),
    (2, "refleksjonsveileder", 30),
    (4, "hhlr-instruktor", 30),
)


def seed_certifications(
    session: DbSession, people: list[Person], kinds: dict[str, CertificationKind], anchor: date
) -> int:
    """Imported certifications of a few demo people, found by person and kind or created;
    returns how many were new. A later month finds the same ones and adds nothing.

    They count as already reminded of their expiry: the addresses are invented, and the
    demo's first worker pass should send only the mails of what the person trying it does.
    """
    created, pairs = 0, []
    for index, slug, months_before in CERTIFICATIONS:
        person, kind = people[index], kinds[slug]
        existing = session.scalar(
            select(Certification.id).where(
                Certification.person_id == person.id, Certification.kind_id == kind.id
            )
        )
        if existing is not None:
            continue
        issued_on = add_months(anchor, -months_before)
        session.add(
            Certification(
                person=person,
                kind=kind,
                municipality_number=person.municipality_number,
                source=CertificationSource.IMPORTED,
                imported_from="Demodata",
                issued_on=issued_on,
                expires_on=expiry_for(kind, issued_on),
                expiry_reminded_at=oslo_datetime(anchor, time(8, 0)),
            )
        )
        pairs.append((person.id, kind.id))
        created += 1
    if pairs:
        refresh_current(session, pairs)
    return created
