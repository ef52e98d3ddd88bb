"""Importing existing certifications from CSV or XLSX: municipalities keep their instructors
in spreadsheets. Every row is checked (municipality number, kind, dates, e-mail), and
either every row is imported or none is; each problem is named by the row as the
spreadsheet shows it (the header is row 1) and the column, as a catalogue id with its
values (catalogue's ImportProblem), so the page says it in the reader's language.

A person is found by e-mail address, or created from the row; an existing person's details
are left as they are (anyone could type any address). An organiser imports for the
municipalities of their centre's region only. Imported certifications are marked
"importert" with where they came from (the row's `source`, else the file name).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue.importer import ImportProblem
from usht_events.catalogue.models import CertificationKind
from usht_events.certification.import_files import COLUMNS, invalid, problem, read_rows
from usht_events.certification.models import Certification, CertificationSource
from usht_events.certification.renewal import expiry_for, refresh_current
from usht_events.core.audit import record_action
from usht_events.core.forms import control_character
from usht_events.core.i18n import N_
from usht_events.organisations.models import Municipality
from usht_events.registration.models import Person

MIN_YEAR = 1990


class _Invalid(Exception):
    """One cell that cannot be read: why, as a catalogue id (N_) and its values."""

    def __init__(self, template: str, /, **details):
        super().__init__(template % details)
        self.template, self.details = template, details


@dataclass(frozen=True)
class PlannedCertification:
    """One row as the import would store it."""

    row: int
    name: str
    email: str
    municipality: Municipality
    workplace: str
    kind: CertificationKind
    issued_on: date
    expires_on: date | None
    source: str
    new_person: bool


def plan_import(
    session: DbSession, filename: str, content: bytes, allowed: set[str] | None, today: date
) -> list[PlannedCertification]:
    """Every row checked; raise INVALID_IMPORT with every problem, or return the plan.

    `allowed`: the municipality numbers the user may import for (None: any).
    """
    rows = read_rows(filename, content)
    lookups = _Lookups.load(session)
    planned, problems = [], []
    for number, cells in rows:
        try:
            planned.append(_plan_row(number, cells, lookups, allowed, today, filename))
        except _RowProblems as found:
            problems += found.problems
    problems += _duplicates(session, planned)
    if problems:
        raise invalid(problems)
    known = set(
        session.scalars(select(Person.email).where(Person.email.in_({p.email for p in planned})))
    )
    return [replace(item, new_person=item.email not in known) for item in planned]


def import_certifications(
    session: DbSession,
    actor: User | None,
    filename: str,
    content: bytes,
    allowed: set[str] | None,
    now: datetime,
    today: date,
) -> list[Certification]:
    """Import the file, all or nothing; audited. Refused imports write nothing."""
    planned = plan_import(session, filename, content, allowed, today)
    people = _people(session, planned)
    certifications = [
        Certification(
            person=people[item.email],
            kind=item.kind,
            municipality_number=item.municipality.number,
            source=CertificationSource.IMPORTED,
            imported_from=item.source,
            issued_on=item.issued_on,
            expires_on=item.expires_on,
            issued_by_id=getattr(actor, "id", None),
            created_at=now,
        )
        for item in planned
    ]
    session.add_all(certifications)
    session.flush()
    refresh_current(session, [(item.person_id, item.kind_id) for item in certifications])
    summary = f"Importerte {len(certifications)} godkjenninger fra {filename}."
    record_action(session, actor, "certification.import", summary)
    return certifications


def _people(session: DbSession, planned: list[PlannedCertification]) -> dict[str, Person]:
    emails = {item.email for item in planned}
    people = {
        person.email: person
        for person in session.scalars(select(Person).where(Person.email.in_(emails)))
    }
    for item in planned:
        if item.email not in people:
            people[item.email] = Person(
                email=item.email,
                name=item.name,
                municipality_number=item.municipality.number,
                workplace=item.workplace,
            )
            session.add(people[item.email])
    session.flush()
    return people


class _RowProblems(Exception):
    def __init__(self, problems: list[ImportProblem]):
        super().__init__(problems)
        self.problems = problems


# Reading the cells of a row


@dataclass(frozen=True)
class _Lookups:
    municipalities: dict[str, Municipality]
    kinds: dict[str, CertificationKind]

    @classmethod
    def load(cls, session: DbSession) -> "_Lookups":
        kinds = list(session.scalars(select(CertificationKind)))
        return cls(
            municipalities={m.number: m for m in session.scalars(select(Municipality))},
            kinds={k.slug.lower(): k for k in kinds} | {k.name.lower(): k for k in kinds},
        )


def _plan_row(number, cells, lookups: _Lookups, allowed, today, filename) -> PlannedCertification:
    values, problems = {}, []
    readers = _readers(lookups, allowed, today)
    for column in COLUMNS:
        raw = cells.get(column, "")
        try:
            values[column] = readers[column](raw)
        except _Invalid as error:
            problems.append(problem(number, column, error.template, **error.details))
    issued, expires = values.get("issued_on"), values.get("expires_on")
    if issued and expires and expires <= issued:
        problems.append(problem(number, "expires_on", N_("må være etter «issued_on».")))
    if problems:
        raise _RowProblems(problems)
    kind = values["kind"]
    return PlannedCertification(
        row=number,
        name=values["name"],
        email=values["email"],
        municipality=values["municipality"],
        workplace=values["workplace"],
        kind=kind,
        issued_on=issued,
        expires_on=expires or expiry_for(kind, issued),
        source=values["source"] or filename[-200:],
        new_person=False,
    )


def _readers(lookups: _Lookups, allowed: set[str] | None, today: date) -> dict:
    return {
        "name": lambda value: _text(value, 200, required=True),
        "email": _email,
        "municipality": lambda value: _municipality(value, lookups, allowed),
        "workplace": lambda value: _text(value, 200),
        "kind": lambda value: _kind(value, lookups),
        "issued_on": lambda value: _day(value, today, required=True),
        "expires_on": lambda value: _day(value, None),
        "source": lambda value: _text(value, 200),
    }


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _short(text: str) -> str:
    return text if len(text) <= 30 else f"{text[:30]}…"


def _text(value: object, limit: int, required: bool = False) -> str:
    text = _shown(value)
    if (char := control_character(text)) is not None:
        code = f"U+{ord(char):04X}"
        raise _Invalid(N_("inneholder tegnet %(code)s, som ikke er tillatt."), code=code)
    if required and not text:
        raise _Invalid(N_("mangler."))
    if len(text) > limit:
        raise _Invalid(N_("er for lang (høyst %(most)s tegn)."), most=limit)
    return text


def _email(value: object) -> str:
    text = _text(value, 254, required=True)
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        message = N_("«%(text)s» er ikke en gyldig e-postadresse.")
        raise _Invalid(message, text=_short(text)) from error
    return text.lower()


def _municipality(value: object, lookups: _Lookups, allowed: set[str] | None) -> Municipality:
    text = _text(value, 10, required=True)
    number = text.zfill(4) if text.isascii() and text.isdigit() else text
    municipality = lookups.municipalities.get(number)
    if municipality is None:
        message = N_("«%(text)s» er ikke et kommunenummer (fire sifre, f.eks. 3107).")
        raise _Invalid(message, text=_short(text))
    if allowed is not None and number not in allowed:
        message = N_("%(municipality)s (%(number)s) hører ikke til senterets region.")
        raise _Invalid(message, municipality=municipality.name, number=number)
    return municipality


def _kind(value: object, lookups: _Lookups) -> CertificationKind:
    text = _text(value, 120, required=True)
    kind = lookups.kinds.get(text.lower())
    if kind is None:
        known = ", ".join(sorted({k.slug for k in lookups.kinds.values()}))
        message = N_("fant ikke godkjenningen «%(text)s» (kjente: %(known)s).")
        raise _Invalid(message, text=_short(text), known=known)
    return kind


def _day(value: object, today: date | None, required: bool = False) -> date | None:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value, 20, required=required)
        if not text:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError as error:
            message = N_("«%(text)s» er ikke en dato (skriv ÅÅÅÅ-MM-DD).")
            raise _Invalid(message, text=_short(text)) from error
    if day.year < MIN_YEAR or day.year > 2100:
        raise _Invalid(N_("%(day)s er utenfor det som kan importeres."), day=day.isoformat())
    if today is not None and day > today:
        raise _Invalid(N_("%(day)s er fram i tid."), day=day.isoformat())
    return day


def _duplicates(session: DbSession, planned: list[PlannedCertification]) -> list[ImportProblem]:
    """Rows that repeat another row, or a certification already stored."""
    problems, seen = [], {}
    for item in planned:
        key = (item.email, item.kind.id, item.issued_on)
        if key in seen:
            message = N_("samme person, godkjenning og dato som rad %(row)s.")
            problems.append(problem(item.row, "email", message, row=seen[key]))
        seen.setdefault(key, item.row)
    stored = set()
    if planned:
        stored = set(
            session.execute(
                select(Person.email, Certification.kind_id, Certification.issued_on)
                .join(Person, Person.id == Certification.person_id)
                .where(
                    tuple_(Person.email, Certification.kind_id).in_(
                        {(item.email, item.kind.id) for item in planned}
                    )
                )
            ).all()
        )
    for item in planned:
        if (item.email, item.kind.id, item.issued_on) in stored:
            message = N_("personen har allerede denne godkjenningen fra samme dato.")
            problems.append(problem(item.row, "email", message))
    return problems
