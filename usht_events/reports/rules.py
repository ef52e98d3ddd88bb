"""The annual participation report: municipality by focus area, kind and series, and totals.

Every figure is counted in the database with GROUP BY, so the report stays fast with a
hundred thousand registrations. An event belongs to the year its first session starts in,
in Oslo time. The matrices count events that run (published or confirmed); registrations
count when not cancelled, attendances once per registration checked in at any session.
"""

from collections.abc import Collection, Hashable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import (
    CertificationKind,
    Event,
    EventKind,
    EventStatus,
    FocusArea,
    Series,
    Session,
)
from usht_events.certification.models import Certification
from usht_events.core.db import utcnow
from usht_events.core.i18n import N_
from usht_events.core.timezones import OSLO, to_oslo
from usht_events.organisations.models import Centre, Municipality
from usht_events.registration.models import Attendance, Registration, RegistrationStatus

RUNNING_STATUSES = (EventStatus.PUBLISHED, EventStatus.CONFIRMED)
# Texts of the report are catalogue ids, put in the reader's language by wording.py.
UNKNOWN_MUNICIPALITY = N_("Ukjent kommune")


@dataclass(frozen=True)
class Counts:
    """Registrations (not cancelled), distinct participants, and registrations that attended."""

    registrations: int = 0
    participants: int = 0
    attendances: int = 0


@dataclass(frozen=True)
class Row:
    """A municipality that took part; `number` is None for registrations without one."""

    number: str | None
    name: str
    county: str


@dataclass(frozen=True)
class Column:
    """A focus area, kind or series, keyed as the query groups it."""

    key: Hashable
    label: str


@dataclass(frozen=True)
class Matrix:
    """Municipalities by one grouping, with totals per row, per column and overall."""

    title: str
    columns: list[Column]
    rows: list[Row]
    cells: dict[tuple[str | None, Hashable], Counts]
    row_totals: dict[str | None, Counts]
    column_totals: dict[Hashable, Counts]
    total: Counts

    def cell(self, row: Row, column: Column) -> Counts:
        """The counts of one municipality in one column (zeros when it took no part)."""
        return self.cells.get((row.number, column.key), Counts())

    def row_total(self, row: Row) -> Counts:
        return self.row_totals.get(row.number, Counts())

    def column_total(self, column: Column) -> Counts:
        return self.column_totals.get(column.key, Counts())


@dataclass(frozen=True)
class Totals:
    """The year's headline figures."""

    events_held: int
    events_cancelled: int
    registrations: int
    participants: int
    attendances: int
    # (certification kind name, certifications issued through events and not revoked)
    certifications: list[tuple[str, int]]


@dataclass(frozen=True)
class Report:
    """Everything the annual report prints for one year and a set of centres."""

    year: int
    by_focus_area: Matrix
    by_kind: Matrix
    by_series: Matrix
    totals: Totals


def participation_report(
    session: DbSession,
    year: int,
    centre_ids: Collection[int] | None,
    now: datetime | None = None,
) -> Report:
    """The participation report for a calendar year; `centre_ids` None means every centre."""
    counter = _Counter(session, _events_of_year(year, centre_ids))
    focus_areas = dict(
        session.execute(select(FocusArea.id, FocusArea.name).order_by(FocusArea.name)).all()
    )
    by_focus_area = counter.matrix(
        N_("Kommune og satsningsområde"), Event.focus_area_id, focus_areas
    )
    return Report(
        year=year,
        by_focus_area=by_focus_area,
        by_kind=counter.matrix(
            N_("Kommune og type arrangement"), Event.kind, {k: k.label for k in EventKind}
        ),
        by_series=counter.matrix(
            N_("Kommune og nettverk/program"),
            Event.series_id,
            _series_labels(session, centre_ids),
            only=(Event.series_id.is_not(None),),
        ),
        # Every event has a focus area: that matrix's total is the year's.
        totals=_totals(
            session, counter.events, by_focus_area.total, year, centre_ids, now or utcnow()
        ),
    )


def years_with_data(session: DbSession, centre_ids: Collection[int] | None) -> list[int]:
    """The years (of their first session, Oslo time) of the events anyone signed up for,
    newest first: the report's year picker offers these."""
    first_start = func.min(Session.starts_at)
    query = (
        select(first_start)
        .join(Event, Event.id == Session.event_id)
        .where(Event.id.in_(select(Registration.event_id).where(Registration.is_active)))
        .group_by(Session.event_id)
    )
    if centre_ids is not None:
        query = query.where(Event.centre_id.in_(centre_ids))
    years = {to_oslo(moment).year for moment in session.scalars(query) if moment is not None}
    return sorted(years, reverse=True)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first moment of the year and of the next, in Oslo time."""
    return datetime(year, 1, 1, tzinfo=OSLO), datetime(year + 1, 1, 1, tzinfo=OSLO)


def _events_of_year(year: int, centre_ids: Collection[int] | None) -> list:
    """Conditions on Event: its first session starts in the year (and it is a chosen centre's).

    Said as "a session in the year and none before it" rather than MIN() over the sessions,
    so PostgreSQL can estimate how many events match and plan the counting well.
    """
    start, end = year_bounds(year)
    in_year = select(Session.event_id).where(Session.starts_at >= start, Session.starts_at < end)
    earlier = select(Session.id).where(Session.event_id == Event.id, Session.starts_at < start)
    conditions = [Event.id.in_(in_year), ~earlier.exists()]
    if centre_ids is not None:
        conditions.append(Event.centre_id.in_(list(centre_ids)))
    return conditions


class _Counter:
    """Counts the year's active registrations on running events, grouped as asked."""

    def __init__(self, session: DbSession, events: list):
        self.session = session
        self.events = events

    def matrix(self, title: str, column_key, labels: dict, only: tuple = ()) -> Matrix:
        """Municipality by `column_key`, with row, column and overall totals, in one query."""
        per_person = self._per_person(column_key, only)
        municipality, column = per_person.c.municipality, per_person.c.column
        people = func.count(distinct(per_person.c.person_id))
        # The cell level comes first: the result takes its column types from it.
        levels = union_all(
            _level(per_person, "cell", municipality, column, func.count()),
            _level(per_person, "row", municipality, None, people),
            _level(per_person, "column", None, column, people),
            _level(per_person, "total", None, None, people),
        )
        found: dict[str, dict] = {"cell": {}, "row": {}, "column": {}, "total": {}}
        for level, number, key, *counts in self.session.execute(levels):
            found[level][number, key] = Counts(*counts)
        return Matrix(
            title=title,
            columns=_columns([key for _, key in found["column"]], labels),
            rows=_rows(self.session, [number for number, _ in found["row"]]),
            cells=found["cell"],
            row_totals={number: counts for (number, _), counts in found["row"].items()},
            column_totals={key: counts for (_, key), counts in found["column"].items()},
            total=found["total"].get((None, None), Counts()),
        )

    def _per_person(self, column_key, only: tuple):
        """CTE: the year's active registrations per municipality, column and person.

        Counting from here shares the join across the levels of a matrix, and its one row
        per person in a cell makes COUNT(*) there a count of distinct people.
        """
        attended = Registration.id.in_(select(Attendance.registration_id))
        return (
            select(
                Registration.municipality_number.label("municipality"),
                column_key.label("column"),
                Registration.person_id.label("person_id"),
                func.count(Registration.id).label("registrations"),
                func.sum(case((attended, 1), else_=0)).label("attendances"),
            )
            .join(Event, Event.id == Registration.event_id)
            .where(
                *self.events,
                Registration.status != RegistrationStatus.CANCELLED,
                Event.status.in_(RUNNING_STATUSES),
                *only,
            )
            .group_by(Registration.municipality_number, column_key, Registration.person_id)
            .cte("per_person")
        )


def _level(per_person, name: str, municipality, column, participants):
    """One level of a matrix (cells, rows, columns or the total), grouped by its keys."""
    keys = [key for key in (municipality, column) if key is not None]
    return select(
        literal(name, String),
        null() if municipality is None else municipality,
        null() if column is None else column,
        _whole(func.sum(per_person.c.registrations)),
        participants,
        _whole(func.sum(per_person.c.attendances)),
    ).group_by(*keys)


def _whole(total):
    """A SUM as a plain integer, zero over no rows (PostgreSQL sums counts as NUMERIC)."""
    return cast(func.coalesce(total, 0), Integer)


def _columns(present: list, labels: dict) -> list[Column]:
    """The columns that have registrations, in the order of `labels`."""
    return [Column(key, label) for key, label in labels.items() if key in present]


def _rows(session: DbSession, numbers: list[str | None]) -> list[Row]:
    """The municipalities, sorted by name, with registrations lacking one last."""
    found = session.scalars(
        select(Municipality).where(Municipality.number.in_([n for n in numbers if n]))
    )
    rows = sorted((Row(m.number, m.name, m.county_name) for m in found), key=lambda row: row.name)
    if None in numbers:
        rows.append(Row(None, UNKNOWN_MUNICIPALITY, ""))
    return rows


def _series_labels(session: DbSession, centre_ids: Collection[int] | None) -> dict[int, str]:
    """Series names by id, sorted; a name used by several centres gets the centre's name."""
    query = select(Series.id, Series.name, Centre.name).join(Centre, Centre.id == Series.centre_id)
    if centre_ids is not None:
        query = query.where(Series.centre_id.in_(list(centre_ids)))
    series = session.execute(query.order_by(Series.name, Centre.name)).all()
    names = [name for _, name, _ in series]
    return {
        series_id: f"{name} ({centre})" if names.count(name) > 1 else name
        for series_id, name, centre in series
    }


def _totals(
    session: DbSession,
    events: list,
    everything: Counts,
    year: int,
    centre_ids: Collection[int] | None,
    now: datetime,
) -> Totals:
    """Events held and cancelled, participation overall, and certifications per kind."""
    over = select(Session.id).where(Session.event_id == Event.id, Session.ends_at <= now).exists()
    held = and_(Event.status.in_(RUNNING_STATUSES), over)
    cancelled = Event.status == EventStatus.CANCELLED
    events_held, events_cancelled = session.execute(
        select(func.count(case((held, Event.id))), func.count(case((cancelled, Event.id)))).where(
            *events
        )
    ).one()
    return Totals(
        events_held=events_held,
        events_cancelled=events_cancelled,
        registrations=everything.registrations,
        participants=everything.participants,
        attendances=everything.attendances,
        certifications=_certifications(session, year, centre_ids),
    )


def _certifications(
    session: DbSession, year: int, centre_ids: Collection[int] | None
) -> list[tuple[str, int]]:
    """Certifications issued through the centres' events in the year and not revoked, per kind."""
    query = (
        select(CertificationKind.name, func.count(Certification.id))
        .join(Certification, Certification.kind_id == CertificationKind.id)
        .join(Event, Event.id == Certification.event_id)
        .where(
            Certification.issued_on >= date(year, 1, 1),
            Certification.issued_on < date(year + 1, 1, 1),
            Certification.revoked_at.is_(None),
        )
        .group_by(CertificationKind.id, CertificationKind.name)
        .order_by(CertificationKind.name)
    )
    if centre_ids is not None:
        query = query.where(Event.centre_id.in_(list(centre_ids)))
    return [(name, count) for name, count in session.execute(query)]
