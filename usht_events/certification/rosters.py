"""A municipality's roster: its certified people, grouped by kind, with workplace, issue and
expiry dates and a status on a given day; filtered by kind and status, sorted, paged, and
as CSV and Excel files.

Each person appears once per kind, with their current certification (renewal.py): a
renewal shows as the later expiry. A page is two queries over the municipality's current
certifications (one index range): the counts per kind and status, and the page's rows
with the status expression of Certification.status_on, the filters and the order.
"""

import csv
import enum
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import CertificationKind, Event
from usht_events.certification import sheet
from usht_events.certification.models import Certification, CertificationStatus
from usht_events.core.i18n import N_
from usht_events.registration.exports import neutralise_formula
from usht_events.registration.models import Person

PER_PAGE = 100


class RosterSort(enum.StrEnum):
    """How the people of each kind are ordered."""

    NAME = "name"
    EXPIRES = "expires"
    ISSUED = "issued"
    STATUS = "status"

    @property
    def label(self) -> str:
        return SORT_LABELS[self]


SORT_LABELS = {
    RosterSort.NAME: N_("Navn"),
    RosterSort.EXPIRES: N_("Utløpsdato"),
    RosterSort.ISSUED: N_("Godkjent dato"),
    RosterSort.STATUS: N_("Status"),
}
# Most urgent first when sorting by status.
STATUS_ORDER = (
    CertificationStatus.EXPIRED,
    CertificationStatus.EXPIRING,
    CertificationStatus.VALID,
    CertificationStatus.REVOKED,
)


@dataclass(frozen=True)
class RosterFilter:
    """What the roster shows: one kind or all, one status or all, in which order."""

    kind: str | None = None
    status: CertificationStatus | None = None
    sort: RosterSort = RosterSort.NAME


@dataclass(frozen=True)
class RosterRow:
    """One person's current certification of one kind."""

    certification_id: int
    name: str
    workplace: str
    kind: str
    issued_on: date
    expires_on: date | None
    status: CertificationStatus
    course: str


@dataclass(frozen=True)
class KindCounts:
    """A kind on the roster and its people per status."""

    slug: str
    name: str
    counts: dict[CertificationStatus, int]


@dataclass
class Roster:
    """A page of a municipality's roster, and its counts per kind and status."""

    rows: list[RosterRow]
    total: int
    page: int
    kinds: list[KindCounts] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max((self.total + PER_PAGE - 1) // PER_PAGE, 1)

    def groups(self) -> list[tuple[str, list[RosterRow]]]:
        """The page's rows by kind, in the page's order."""
        grouped: dict[str, list[RosterRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.kind, []).append(row)
        return list(grouped.items())


def roster_query(number: str, today: date, filters: RosterFilter):
    """The roster of the municipality as one SELECT of RosterRow's columns, in order."""
    status = Certification.status_on(today)
    query = (
        select(
            Certification.id,
            Person.name,
            Person.workplace,
            CertificationKind.name.label("kind"),
            Certification.issued_on,
            Certification.expires_on,
            status.label("status"),
            Event.title,
        )
        .join(Person, Person.id == Certification.person_id)
        .join(CertificationKind, CertificationKind.id == Certification.kind_id)
        .outerjoin(Event, Event.id == Certification.event_id)
        .where(Certification.municipality_number == number, Certification.is_current)
    )
    if filters.kind:
        query = query.where(CertificationKind.slug == filters.kind)
    if filters.status:
        query = query.where(status == filters.status.value)
    return query.order_by(CertificationKind.name, *_order(filters.sort, status))


def _order(sort: RosterSort, status) -> list:
    by_name = [Person.name, Certification.id]
    if sort == RosterSort.EXPIRES:
        return [Certification.expires_on.asc().nulls_last(), *by_name]
    if sort == RosterSort.ISSUED:
        return [Certification.issued_on.desc(), *by_name]
    if sort == RosterSort.STATUS:
        rank = {item.value: index for index, item in enumerate(STATUS_ORDER)}
        return [case(rank, value=status), Certification.expires_on.asc().nulls_last(), *by_name]
    return by_name


def roster_page(
    session: DbSession, number: str, today: date, filters: RosterFilter, page: int = 1
) -> Roster:
    """One page of the roster (PER_PAGE rows), with the counts per kind and status.

    Two queries: the counts (from which the total the filters leave follows) and the page.
    """
    kinds = kind_counts(session, number, today)
    total = sum(
        count
        for kind in kinds
        if filters.kind in (None, kind.slug)
        for status, count in kind.counts.items()
        if filters.status in (None, status)
    )
    page = min(max(page, 1), max((total + PER_PAGE - 1) // PER_PAGE, 1))
    query = roster_query(number, today, filters).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    rows = session.execute(query).all() if total else []
    return Roster(rows=[_row(row) for row in rows], total=total, page=page, kinds=kinds)


def roster_rows(session: DbSession, number: str, today: date, filters: RosterFilter):
    """Every row of the roster the filters leave (for the files)."""
    return [_row(row) for row in session.execute(roster_query(number, today, filters))]


def _row(row) -> RosterRow:
    certification_id, name, workplace, kind, issued_on, expires_on, status, title = row
    return RosterRow(
        certification_id=certification_id,
        name=name,
        workplace=workplace or "",
        kind=kind,
        issued_on=issued_on,
        expires_on=expires_on,
        status=CertificationStatus(status),
        course=title or "",
    )


def kind_counts(session: DbSession, number: str, today: date) -> list[KindCounts]:
    """The kinds on the roster, by name, each with its people per status."""
    status = Certification.status_on(today)
    rows = session.execute(
        select(CertificationKind.slug, CertificationKind.name, status, func.count())
        .join(CertificationKind, CertificationKind.id == Certification.kind_id)
        .where(Certification.municipality_number == number, Certification.is_current)
        .group_by(CertificationKind.slug, CertificationKind.name, status)
    )
    kinds: dict[tuple[str, str], dict[CertificationStatus, int]] = {}
    for slug, name, value, count in rows:
        counts = kinds.setdefault((slug, name), dict.fromkeys(CertificationStatus, 0))
        counts[CertificationStatus(value)] = count
    return [
        KindCounts(slug, name, counts)
        for (slug, name), counts in sorted(kinds.items(), key=lambda item: item[0][1])
    ]


# Files: the roster as Norwegian Excel opens it (see registration/exports.py).

HEADERS = ("Godkjenning", "Navn", "Arbeidssted", "Godkjent", "Utløper", "Status", "Kurs")
WIDTHS = (28, 30, 30, 12, 12, 24, 40)


def _values(row: RosterRow, status_label) -> list:
    return [
        row.kind,
        row.name,
        row.workplace,
        row.issued_on,
        row.expires_on,
        status_label(row.status),
        row.course or "Importert",
    ]


def roster_csv(rows: list[RosterRow], status_label) -> bytes:
    """UTF-8 with a byte-order mark, semicolons and CRLF, every text cell defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in _values(row, status_label)])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise_formula(str(value))


def roster_xlsx(rows: list[RosterRow], title: str, status_label) -> bytes:
    """The roster as a workbook: bold frozen header, real dates, one row per person and kind.

    Written by sheet.py rather than openpyxl: the largest municipality has 15 000 rows.
    """
    values = ([neutralise_formula(value) for value in _values(row, status_label)] for row in rows)
    return sheet.workbook("Godkjente", HEADERS, values, WIDTHS, title=title[:200])
