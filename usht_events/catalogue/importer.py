"""Import a programme of events from CSV or XLSX: every row valid, or nothing written.

One row per session; rows with the same `ref` are one event and must agree on everything
but the session's own columns (starts_at, ends_at, venue). Errors name the row as the
person sees it in the spreadsheet (the header is row 1) and the column, in the reader's
language.
Every cell is checked before it is read: no control characters, counts from 1 to
MAX_COUNT, times within MIN_YEAR..MAX_YEAR, so nothing the database would refuse gets
that far. Reading the file into rows is import_file.py.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.import_file import (
    COLUMNS,
    EVENT_COLUMNS,
    REQUIRED_COLUMNS,
    UNREADABLE,
    CellError,
    ImportProblem,
    ParsedRow,
    character_code,
    invalid_import,
    read_rows,
    short,
    shown,
)
from usht_events.catalogue.models import (
    CertificationKind,
    Event,
    EventKind,
    EventStatus,
    FocusArea,
    Session,
)
from usht_events.core.forms import control_character
from usht_events.core.i18n import N_
from usht_events.core.timezones import OSLO, to_oslo
from usht_events.organisations.models import Centre

TRUE_WORDS = {"ja", "yes", "true", "1", "j", "y"}
FALSE_WORDS = {"nei", "no", "false", "0", "n"}
DATETIME_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# How Norwegian spreadsheets write a time: 15.09.2027 09:00, 15.9.2027 kl. 9.00.
NORWEGIAN_DATETIME = re.compile(
    r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\s+(?:kl\.?\s*)?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
)
# Places, participants, seats: far above any course, far below what a column holds.
MAX_COUNT = 100_000
# Event times; beyond these Python cannot even convert them to UTC.
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class ImportedEvent:
    """An event the import created, with the ref it had in the file."""

    ref: str
    event: Event


def import_events(
    session: DbSession, filename: str, content: bytes, now: datetime, *, publish: bool = True
) -> list[ImportedEvent]:
    """Validate the whole file, then create its events: published with sign-up open from
    now, or, with `publish=False`, as drafts to look over and publish one by one."""
    rows = read_rows(filename, content)
    problems = parse_rows(rows, _Lookups.load(session))
    groups = _group_by_ref(rows)
    for ref, group in groups.items():
        problems += check_event(ref, group, now)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column else -1))
        raise invalid_import(problems)
    imported = [
        ImportedEvent(ref, _create_event(group, now, publish)) for ref, group in groups.items()
    ]
    session.add_all(item.event for item in imported)
    session.flush()
    return imported


# Reading cells


@dataclass(frozen=True)
class _Lookups:
    """What names in the file may refer to, keyed by lower-cased code or name."""

    centres: dict[str, Centre]  # by slug and by name
    kinds: dict[str, EventKind]
    focus_areas: dict[str, FocusArea]
    certifications: dict[str, CertificationKind]

    @classmethod
    def load(cls, session: DbSession) -> "_Lookups":
        focus_areas = list(session.scalars(select(FocusArea)))
        certifications = list(session.scalars(select(CertificationKind)))
        return cls(
            centres=_by_slug_and_name(list(session.scalars(select(Centre)))),
            kinds={k.value: k for k in EventKind} | {k.label.lower(): k for k in EventKind},
            focus_areas=_by_slug_and_name(focus_areas),
            certifications=_by_slug_and_name(certifications),
        )


def _by_slug_and_name(rows: list) -> dict[str, object]:
    return {row.slug.lower(): row for row in rows} | {row.name.lower(): row for row in rows}


def _text(value: object, limit: int = 200) -> str:
    text = shown(value).strip()
    if len(text) > limit:
        raise CellError(N_("er for lang (høyst %(limit)s tegn)."), limit=limit)
    return text


def _lookup(table: dict, not_found: str, known: list[str]) -> Callable[[object], object]:
    """Read a name or code from `table`; `not_found` says which was missing (N_-marked)."""

    def find(value: object) -> object:
        found = table.get(shown(value).strip().lower())
        if found is None:
            raise CellError(not_found, value=shown(value), known=", ".join(known))
        return found

    return find


def _moment(value: object) -> datetime:
    moment = _parse_moment(value)
    if moment is None:
        raise CellError(
            N_(
                "«%(value)s» er ikke et gyldig tidspunkt "
                "(skriv f.eks. 12.03.2026 09:00 eller 2026-03-12T09:00)."
            ),
            value=shown(value),
        )
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise CellError(
            N_("«%(value)s» er utenfor det som kan importeres (år %(first)s–%(last)s)."),
            value=shown(value),
            first=MIN_YEAR,
            last=MAX_YEAR,
        )
    # A time without offset is Oslo wall-clock time.
    return moment.replace(tzinfo=OSLO) if moment.tzinfo is None else moment


def _parse_moment(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    # A date alone is refused: a session from midnight is almost surely a mistake.
    if not isinstance(value, str):
        return None
    text = value.strip()
    if norwegian := NORWEGIAN_DATETIME.fullmatch(text):
        parts = {name: int(number) for name, number in norwegian.groupdict().items()}
        try:
            return datetime(**parts)
        except ValueError:
            return None
    if not DATETIME_SHAPE.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _count(value: object) -> int:
    """A whole number from 1 to MAX_COUNT, from a text or a number cell."""
    text = shown(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]+", text):
        raise CellError(N_("«%(value)s» er ikke et helt tall."), value=short(text))
    # Leading zeros are harmless; past that, more digits than MAX_COUNT has is out of range
    # (and int() refuses thousands of digits outright).
    digits = text.lstrip("-").lstrip("0") or "0"
    too_long = len(digits) > len(str(MAX_COUNT))
    if text.startswith("-") or too_long or not 1 <= int(digits) <= MAX_COUNT:
        raise CellError(
            N_("må være et helt tall fra 1 til %(most)s (var %(value)s)."),
            most=MAX_COUNT,
            value=short(text),
        )
    return int(digits)


def _yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = shown(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(
        N_("«%(value)s» er verken ja eller nei (bruk ja eller nei)."), value=shown(value)
    )


def _readers(lookups: _Lookups) -> dict[str, Callable[[object], object]]:
    kind_names = [kind.label.lower() for kind in EventKind]
    return {
        "ref": lambda value: _text(value, 100),
        "centre": _lookup(lookups.centres, CENTRE_NOT_FOUND, _slugs(lookups.centres)),
        "title": _text,
        "kind": _lookup(lookups.kinds, KIND_NOT_FOUND, kind_names),
        "focus_area": _lookup(
            lookups.focus_areas, FOCUS_AREA_NOT_FOUND, _slugs(lookups.focus_areas)
        ),
        "starts_at": _moment,
        "ends_at": _moment,
        "venue": _text,
        "capacity": _count,
        "min_participants": _count,
        "seats_per_municipality": _count,
        "waitlist": _yes_no,
        "registration_closes_at": _moment,
        "certifies": _lookup(
            lookups.certifications, CERTIFICATION_NOT_FOUND, _slugs(lookups.certifications)
        ),
    }


CENTRE_NOT_FOUND = N_("fant ikke senteret «%(value)s» (kjente: %(known)s).")
KIND_NOT_FOUND = N_("fant ikke typen «%(value)s» (kjente: %(known)s).")
FOCUS_AREA_NOT_FOUND = N_("fant ikke satsningsområdet «%(value)s» (kjente: %(known)s).")
CERTIFICATION_NOT_FOUND = N_("fant ikke godkjenningen «%(value)s» (kjente: %(known)s).")


def _slugs(table: dict) -> list[str]:
    return sorted({row.slug for row in table.values()})


# Checking rows and events


CONTROL_CHARACTER = N_(
    "inneholder tegnet %(code)s, som ikke er tillatt (et kontrolltegn eller usynlig tegn)."
)


def parse_rows(rows: list[ParsedRow], lookups: _Lookups) -> list[ImportProblem]:
    """Read every cell of every row into `values`; return a problem per cell that will not."""
    readers = _readers(lookups)
    problems = []
    for row in rows:
        for column, read in readers.items():
            raw = row.raw.get(column, "")
            if raw == "":
                if column in REQUIRED_COLUMNS:
                    problems.append(ImportProblem(row.number, column, N_("må fylles ut.")))
                continue
            if isinstance(raw, str) and (char := control_character(raw)) is not None:
                values = (("code", character_code(char)),)
                problems.append(ImportProblem(row.number, column, CONTROL_CHARACTER, values))
                continue
            try:
                row.values[column] = read(raw)
            except CellError as error:
                problems.append(ImportProblem(row.number, column, error.text, error.values))
        problems += _check_row(row)
    return problems


def _check_row(row: ParsedRow) -> list[ImportProblem]:
    values, problems = row.values, []
    start, end = values.get("starts_at"), values.get("ends_at")
    if start and end and end <= start:
        message = N_("slutt (%(end)s) må være etter start (%(start)s).")
        times = (("end", _local(end)), ("start", _local(start)))
        problems.append(ImportProblem(row.number, "ends_at", message, times))
    minimum, capacity = values.get("min_participants"), values.get("capacity")
    if minimum and capacity and minimum > capacity:
        message = N_("minimum (%(minimum)s) kan ikke være større enn kapasiteten (%(capacity)s).")
        numbers = (("minimum", minimum), ("capacity", capacity))
        problems.append(ImportProblem(row.number, "min_participants", message, numbers))
    return problems


def _local(moment: datetime) -> str:
    return to_oslo(moment).strftime("%Y-%m-%d %H:%M")


def _group_by_ref(rows: list[ParsedRow]) -> dict[str, list[ParsedRow]]:
    # A ref that did not read (its own problem) groups under "", which check_event skips.
    groups: dict[str, list[ParsedRow]] = {}
    for row in rows:
        groups.setdefault(row.values.get("ref", ""), []).append(row)
    return groups


def check_event(ref: str, rows: list[ParsedRow], now: datetime) -> list[ImportProblem]:
    """Rows of one event agree, and its sign-up deadline lies between now and the start."""
    if not ref:
        return []
    problems = _check_agreement(ref, rows)
    starts = [row.values.get("starts_at") for row in rows]
    if all(starts):
        problems += _check_deadline(rows[0], min(starts), now)
    return problems


def _check_agreement(ref: str, rows: list[ParsedRow]) -> list[ImportProblem]:
    problems = []
    first = rows[0]
    for row in rows[1:]:
        for column in EVENT_COLUMNS:
            ours, theirs = _value(row, column), _value(first, column)
            # A cell that did not read has its own problem already.
            if UNREADABLE in (ours, theirs) or ours == theirs:
                continue
            message = N_(
                "«%(value)s» avviker fra rad %(row)s («%(first)s»); alle rader med ref "
                "«%(ref)s» må ha samme verdi."
            )
            values = (
                ("value", shown(row.raw.get(column, ""))),
                ("row", first.number),
                ("first", shown(first.raw.get(column, ""))),
                ("ref", ref),
            )
            problems.append(ImportProblem(row.number, column, message, values))
    return problems


def _value(row: ParsedRow, column: str) -> object:
    if column in row.values:
        return row.values[column]
    return None if row.raw.get(column, "") == "" else UNREADABLE


def _check_deadline(first: ParsedRow, first_start: datetime, now: datetime) -> list[ImportProblem]:
    closes = first.values.get("registration_closes_at")
    if closes is not None and closes >= first_start:
        message = N_("påmeldingsfristen (%(closes)s) må være før første økt starter (%(start)s).")
        values = (("closes", _local(closes)), ("start", _local(first_start)))
        return [ImportProblem(first.number, "registration_closes_at", message, values)]
    if closes is not None and closes <= now:
        message = N_("påmeldingsfristen (%(closes)s) er allerede passert.")
        values = (("closes", _local(closes)),)
        return [ImportProblem(first.number, "registration_closes_at", message, values)]
    if closes is None and first_start <= now:
        message = N_("første økt (%(start)s) har allerede startet.")
        return [
            ImportProblem(first.number, "starts_at", message, (("start", _local(first_start)),))
        ]
    return []


# Writing


def _create_event(rows: list[ParsedRow], now: datetime, publish: bool) -> Event:
    values = rows[0].values
    first_start = min(row.values["starts_at"] for row in rows)
    event = Event(
        centre=values["centre"],
        title=values["title"],
        kind=values["kind"],
        focus_area=values["focus_area"],
        certifies_kind=values.get("certifies"),
        venue=values.get("venue", ""),
        contact_email=values["centre"].email,
        capacity=values.get("capacity"),
        min_participants=values.get("min_participants"),
        seats_per_municipality=values.get("seats_per_municipality"),
        waitlist_enabled=values.get("waitlist", True),
        status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
        published_at=now if publish else None,
        registration_opens_at=now if publish else None,
        registration_closes_at=values.get("registration_closes_at") or first_start,
    )
    event.sessions = [
        Session(
            starts_at=row.values["starts_at"],
            ends_at=row.values["ends_at"],
            # Only a day held elsewhere than the event's venue names its own.
            venue="" if row.values.get("venue", "") == event.venue else row.values["venue"],
        )
        for row in sorted(rows, key=lambda row: row.values["starts_at"])
    ]
    return event
