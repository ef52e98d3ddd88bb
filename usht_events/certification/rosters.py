"""A municipality's roster: its certified people, grouped by kind, with workplace, issue and
expiry dates and a status on a given day; filtered by kind and status, sorted, paged, and
as CSV and Excel files.

Each person appears once per kind, with their current certification (renewal.py): a
renewal shows as the later expiry. Everything is one SQL query (the ranking, the status
expression of Certification.status_on, the filters and the order), so the largest
municipality's roster costs one indexed scan of its own rows.
"""

import csv
import enum
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import CertificationKind, Event
from usht_events.certification.models import Certification, CertificationStatus
from usht_events.certification.renewal import ranked
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


@dataclass
class Roster:
    """A page of a municipality's roster, and its counts per kind and status."""

    rows: list[RosterRow]
    total: int
    page: int
    counts: dict[str, dict[CertificationStatus, int]] = field(default_factory=dict)
    kinds: list[CertificationKind] = field(default_factory=list)

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
    people = select(Certification.person_id).where(Certification.municipality_number == number)
    ranking = ranked(people)
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
        .join(ranking, ranking.c.id == Certification.id)
        .join(Person, Person.id == Certification.person_id)
        .join(CertificationKind, CertificationKind.id == Certification.kind_id)
        .outerjoin(Event, Event.id == Certification.event_id)
        .where(ranking.c.rank == 1, Certification.municipality_number == number)
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
    """One page of the roster (PER_PAGE rows), with the totals the filters leave."""
    query = roster_query(number, today, filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(max(page, 1), max((total + PER_PAGE - 1) // PER_PAGE, 1))
    rows = session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Roster(
        rows=[_row(row) for row in rows],
        total=total,
        page=page,
        counts=_counts(session, number, today),
        kinds=_kinds(session, number),
    )


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


def _counts(session: DbSession, number: str, today: date) -> dict:
    """People per kind and status on the roster, whatever the filters."""
    everything = roster_query(number, today, RosterFilter()).order_by(None).subquery()
    rows = session.execute(
        select(everything.c.kind, everything.c.status, func.count()).group_by(
            everything.c.kind, everything.c.status
        )
    )
    counts: dict[str, dict[CertificationStatus, int]] = defaultdict(
        lambda: dict.fromkeys(CertificationStatus, 0)
    )
    for kind, status, count in rows:
        counts[kind][CertificationStatus(status)] = count
    return dict(sorted(counts.items()))


def _kinds(session: DbSession, number: str) -> list[CertificationKind]:
    """The kinds anyone on the roster is certified as, for the filter."""
    present = select(Certification.kind_id).where(Certification.municipality_number == number)
    return list(
        session.scalars(
            select(CertificationKind)
            .where(CertificationKind.id.in_(present))
            .order_by(CertificationKind.name)
        )
    )


# Files: the roster as Norwegian Excel opens it (see registration/exports.py).

HEADERS = ("Godkjenning", "Navn", "Arbeidssted", "Godkjent", "Utløper", "Status", "Kurs")


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

    Written in openpyxl's write-only mode: the largest municipality has thousands of rows.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Godkjente")
    sheet.freeze_panes = "A2"
    for index, width in enumerate((28, 30, 30, 12, 12, 24, 40)):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_bold(sheet, header) for header in HEADERS])
    for row in rows:
        values = [neutralise_formula(value) for value in _values(row, status_label)]
        sheet.append(values)
    workbook.properties.title = title[:200]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(sheet, text: str):
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell
