"""`flask import-events`: a programme from CSV or XLSX, every row valid or nothing written."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from usht_events.catalogue.import_file import COLUMNS, REQUIRED_COLUMNS
from usht_events.catalogue.importer import import_events
from usht_events.catalogue.models import Event, EventKind, EventStatus, Session
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError

YEAR = utcnow().year + 1


def row(**values) -> dict:
    """A valid row: day one of a two-day ProACT instructor course in Østfold next year."""
    return {
        "ref": "P1",
        "centre": "ostfold",
        "title": "ProACT-instruktørkurs",
        "kind": "instructor_course",
        "focus_area": "pasientsikkerhet",
        "starts_at": f"{YEAR}-09-14T09:00",
        "ends_at": f"{YEAR}-09-14T15:30",
        "venue": "Mysen helsehus",
        "capacity": "16",
        "min_participants": "",
        "seats_per_municipality": "2",
        "waitlist": "ja",
        "registration_closes_at": f"{YEAR}-09-07T12:00",
        "certifies": "proact-instruktor",
    } | values


def day_two(**values) -> dict:
    return row(**({"starts_at": f"{YEAR}-09-15T09:00", "ends_at": f"{YEAR}-09-15T15:30"} | values))


def webinar(**values) -> dict:
    return (
        row(
            ref="W1",
            centre="vestfold",
            title="Webinar om digitalt tilsyn",
            kind="Webinar",
            focus_area="Velferdsteknologi",
            starts_at=f"{YEAR}-10-01T12:00",
            ends_at=f"{YEAR}-10-01T13:00",
            venue="",
            capacity="",
            seats_per_municipality="",
            waitlist="",
            registration_closes_at="",
            certifies="",
        )
        | values
    )


def csv_bytes(rows, delimiter=",", bom=False, columns=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def write_csv(tmp_path, rows, **options):
    path = tmp_path / "program.csv"
    path.write_bytes(csv_bytes(rows, **options))
    return path


def write_xlsx(tmp_path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values[column] for column in COLUMNS])
    path = tmp_path / "program.xlsx"
    workbook.save(path)
    return path


def run_import(app, path):
    return app.test_cli_runner().invoke(args=["import-events", str(path)])


def problems_of(rows, **options) -> list[str]:
    """Import the rows through the rule; return the problems as people read them."""
    with pytest.raises(DomainError) as raised:
        import_events(db.session, "program.csv", csv_bytes(rows, **options), utcnow())
    assert raised.value.code == "invalid_import"
    assert event_count() == 0
    return [str(problem) for problem in raised.value.details["errors"]]


def imported(rows, **options) -> list[Event]:
    result = import_events(db.session, "program.csv", csv_bytes(rows, **options), utcnow())
    db.session.commit()
    return [item.event for item in result]


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


# The happy path, on both databases


def test_csv_import_prints_ref_and_id_per_event_in_file_order(any_app, centres, tmp_path):
    result = run_import(any_app, write_csv(tmp_path, [row(), webinar(), day_two()]))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["P1", "W1"]
    ids = [int(line.split("\t")[1]) for line in lines]
    titles = [db.session.get(Event, event_id).title for event_id in ids]
    assert titles == ["ProACT-instruktørkurs", "Webinar om digitalt tilsyn"]
    assert result.stderr == ""


def test_rows_with_the_same_ref_are_one_event_with_a_session_per_row(any_app, centres, tmp_path):
    run_import(any_app, write_csv(tmp_path, [day_two(), webinar(), row()]))
    course = db.session.scalar(select(Event).where(Event.title == "ProACT-instruktørkurs"))
    starts = [s.starts_at for s in course.sessions]
    assert starts == [datetime(YEAR, 9, 14, 7, tzinfo=UTC), datetime(YEAR, 9, 15, 7, tzinfo=UTC)]
    assert course.kind == EventKind.INSTRUCTOR_COURSE
    assert course.certifies_kind.slug == "proact-instruktor"
    assert (course.capacity, course.seats_per_municipality, course.waitlist_enabled) == (
        16,
        2,
        True,
    )
    assert db.session.scalar(select(func.count()).select_from(Session)) == 3


def test_xlsx_import_creates_the_events(any_app, centres, tmp_path):
    result = run_import(any_app, write_xlsx(tmp_path, [row(), day_two(), webinar()]))
    assert result.exit_code == 0, result.stderr
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["P1", "W1"]
    course = db.session.scalar(select(Event).where(Event.title == "ProACT-instruktørkurs"))
    assert len(course.sessions) == 2
    assert course.capacity == 16


def test_xlsx_accepts_typed_cells(app, centres, tmp_path):
    typed = row(
        ref=7,
        starts_at=datetime(YEAR, 9, 14, 9),
        ends_at=datetime(YEAR, 9, 14, 15),
        capacity=16,
        seats_per_municipality=2.0,
        waitlist=False,
        registration_closes_at=datetime(YEAR, 9, 1, 12),
    )
    result = run_import(app, write_xlsx(tmp_path, [typed]))
    assert result.exit_code == 0, result.stderr
    event = db.session.get(Event, int(result.stdout.split("\t")[1]))
    assert result.stdout.startswith("7\t")
    assert (event.capacity, event.seats_per_municipality, event.waitlist_enabled) == (16, 2, False)


def test_one_bad_row_imports_nothing_and_names_row_and_column(any_app, centres, tmp_path):
    rows = [row(), day_two(), webinar(starts_at="2026-13-01")]
    result = run_import(any_app, write_csv(tmp_path, rows))
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "Rad 4, kolonne «starts_at»: «2026-13-01» er ikke et gyldig tidspunkt" in result.stderr
    assert event_count() == 0


def test_imported_events_are_published_and_open_from_now(app, centres):
    before = utcnow()
    (event,) = imported([row()])
    assert event.status == EventStatus.PUBLISHED
    assert before <= event.registration_opens_at <= utcnow()
    assert event.registration_closes_at == datetime(YEAR, 9, 7, 10, tzinfo=UTC)


def test_imported_as_drafts_nothing_is_published(app, centres):
    result = import_events(db.session, "program.csv", csv_bytes([row()]), utcnow(), publish=False)
    (event,) = [item.event for item in result]
    assert event.status == EventStatus.DRAFT
    assert event.published_at is None and event.registration_opens_at is None


def test_cli_imports_as_drafts_when_asked(app, centres, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["import-events", "--draft", str(write_csv(tmp_path, [row()]))]
    )
    assert result.exit_code == 0, result.output
    (status,) = db.session.scalars(select(Event.status)).all()
    assert status == EventStatus.DRAFT


def test_centre_by_name_as_well_as_slug(app, centres):
    (event,) = imported([row(centre=" usht ostfold ")])
    assert event.centre.slug == "ostfold"


@pytest.mark.parametrize(
    "starts",
    [f"14.09.{YEAR} 09:00", f"14.9.{YEAR} 9:00", f"14.09.{YEAR} kl. 09.00", f"14.9.{YEAR} kl 9.00"],
)
def test_norwegian_dates_are_read_as_oslo_time(app, centres, starts):
    (event,) = imported([row(starts_at=starts)])
    assert event.starts_at == datetime(YEAR, 9, 14, 7, tzinfo=UTC)  # 09.00 in summer time


def test_a_norwegian_date_that_does_not_exist_is_refused(app, centres):
    assert problems_of([row(starts_at=f"31.09.{YEAR} 09:00")]) == [
        f"Rad 2, kolonne «starts_at»: «31.09.{YEAR} 09:00» er ikke et gyldig tidspunkt "
        "(skriv f.eks. 12.03.2026 09:00 eller 2026-03-12T09:00)."
    ]


def test_semicolon_csv_with_bom_is_read(app, centres):
    (event,) = imported([row(title="Kurs; med semikolon")], delimiter=";", bom=True)
    assert event.title == "Kurs; med semikolon"
    assert event.centre.slug == "ostfold"


def test_naive_times_are_oslo_time(app, centres):
    winter = {"starts_at": f"{YEAR}-01-14T09:00", "ends_at": f"{YEAR}-01-14T15:00"}
    (event,) = imported([row(registration_closes_at="", **winter)])
    assert event.starts_at == datetime(YEAR, 1, 14, 8, tzinfo=UTC)


def test_times_with_an_offset_are_accepted(app, centres):
    (event,) = imported([row(starts_at=f"{YEAR}-09-14T09:00+00:00")])
    assert event.starts_at == datetime(YEAR, 9, 14, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "focus"),
    [
        ("instructor_course", "pasientsikkerhet"),
        ("Instruktørkurs", "Pasientsikkerhet og kvalitetsforbedring"),
        ("INSTRUKTØRKURS", "PASIENTSIKKERHET"),
    ],
)
def test_kind_and_focus_area_by_code_or_norwegian_name(app, centres, kind, focus):
    (event,) = imported([row(kind=kind, focus_area=focus)])
    assert event.kind == EventKind.INSTRUCTOR_COURSE
    assert event.focus_area.slug == "pasientsikkerhet"


@pytest.mark.parametrize(
    ("word", "expected"),
    [("ja", True), ("Nei", False), ("yes", True), ("no", False), ("true", True),
     ("false", False), ("1", True), ("0", False), ("", True)],
)  # fmt: skip
def test_waitlist_yes_or_no_defaults_to_yes(app, centres, word, expected):
    (event,) = imported([row(waitlist=word)])
    assert event.waitlist_enabled is expected


def test_optional_numbers_may_be_empty(app, centres):
    (event,) = imported([webinar()])
    assert (event.capacity, event.min_participants, event.seats_per_municipality) == (None,) * 3
    assert event.certifies_kind is None


def test_empty_registration_deadline_closes_at_first_session(app, centres):
    (event,) = imported([day_two(registration_closes_at=""), row(registration_closes_at="")])
    assert event.registration_closes_at == datetime(YEAR, 9, 14, 7, tzinfo=UTC)


def test_a_session_held_elsewhere_keeps_its_own_venue(app, centres):
    (event,) = imported([row(), day_two(venue="Askim helsehus")])
    assert event.venue == "Mysen helsehus"
    assert [s.venue for s in event.sessions] == ["", "Askim helsehus"]
    assert [s.place for s in event.sessions] == ["Mysen helsehus", "Askim helsehus"]


# One test per validation rule


def test_invalid_time_is_refused(app, centres):
    assert problems_of([row(), day_two(starts_at="2026-13-01")]) == [
        "Rad 3, kolonne «starts_at»: «2026-13-01» er ikke et gyldig tidspunkt "
        "(skriv f.eks. 12.03.2026 09:00 eller 2026-03-12T09:00)."
    ]


def test_date_without_time_is_refused(app, centres):
    (problem,) = problems_of([row(ends_at=f"{YEAR}-09-14")])
    assert problem.startswith("Rad 2, kolonne «ends_at»:")


def test_missing_required_columns_are_named(app, centres):
    columns = [c for c in COLUMNS if c not in ("title", "starts_at")]
    (problem,) = problems_of([row()], columns=columns)
    assert problem == "Rad 1: Mangler kolonnene «title», «starts_at»."


def test_unknown_column_is_refused(app, centres):
    buffer = csv_bytes([row()]).replace(b"capacity", b"capasity", 1)
    with pytest.raises(DomainError) as raised:
        import_events(db.session, "program.csv", buffer, utcnow())
    assert [str(p) for p in raised.value.details["errors"]] == [
        "Rad 1, kolonne «capasity»: ukjent kolonne."
    ]


def test_optional_columns_may_be_left_out(app, centres):
    (event,) = imported([row()], columns=REQUIRED_COLUMNS)
    assert (event.capacity, event.waitlist_enabled, event.venue) == (None, True, "")


def test_required_value_missing_is_refused(app, centres):
    assert problems_of([row(title="")]) == ["Rad 2, kolonne «title»: må fylles ut."]


def test_rows_with_the_same_ref_must_agree(app, centres):
    assert problems_of([row(), day_two(capacity="20")]) == [
        "Rad 3, kolonne «capacity»: «20» avviker fra rad 2 («16»); "
        "alle rader med ref «P1» må ha samme verdi."
    ]


def test_end_must_be_after_start(app, centres):
    (problem,) = problems_of([row(ends_at=f"{YEAR}-09-14T08:00")])
    assert problem == (
        f"Rad 2, kolonne «ends_at»: slutt ({YEAR}-09-14 08:00) "
        f"må være etter start ({YEAR}-09-14 09:00)."
    )


def test_min_participants_must_not_exceed_capacity(app, centres):
    assert problems_of([row(min_participants="25")]) == [
        "Rad 2, kolonne «min_participants»: minimum (25) kan ikke være større enn kapasiteten (16)."
    ]


def test_registration_deadline_must_be_before_first_session(app, centres):
    (problem,) = problems_of([row(registration_closes_at=f"{YEAR}-09-14T09:00")])
    assert problem.startswith("Rad 2, kolonne «registration_closes_at»: påmeldingsfristen")
    assert "må være før første økt starter" in problem


def test_registration_deadline_in_the_past_is_refused(app, centres):
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    (problem,) = problems_of([row(registration_closes_at=past)])
    assert problem.startswith("Rad 2, kolonne «registration_closes_at»:")
    assert problem.endswith("er allerede passert.")


def test_event_that_has_started_is_refused(app, centres):
    start = utcnow() - timedelta(hours=1)
    times = {
        "starts_at": start.isoformat(timespec="minutes"),
        "ends_at": (start + timedelta(hours=3)).isoformat(timespec="minutes"),
    }
    (problem,) = problems_of([row(registration_closes_at="", **times)])
    assert problem.startswith("Rad 2, kolonne «starts_at»: første økt")


def test_unknown_centre_is_refused(app, centres):
    assert problems_of([row(centre="oslo")]) == [
        "Rad 2, kolonne «centre»: fant ikke senteret «oslo» (kjente: ostfold, vestfold)."
    ]


def test_unknown_kind_is_refused(app, centres):
    (problem,) = problems_of([row(kind="kursus")])
    assert problem.startswith("Rad 2, kolonne «kind»: fant ikke typen «kursus» (kjente: kurs,")


def test_unknown_focus_area_is_refused(app, centres):
    (problem,) = problems_of([row(focus_area="rus")])
    assert problem.startswith("Rad 2, kolonne «focus_area»: fant ikke satsningsområdet «rus»")


def test_unknown_certification_kind_is_refused(app, centres):
    (problem,) = problems_of([row(certifies="hhlr")])
    assert problem.startswith("Rad 2, kolonne «certifies»: fant ikke godkjenningen «hhlr»")


def test_capacity_must_be_a_whole_number(app, centres):
    assert problems_of([row(capacity="seksten")]) == [
        "Rad 2, kolonne «capacity»: «seksten» er ikke et helt tall."
    ]


def test_capacity_must_be_at_least_one(app, centres):
    assert problems_of([row(capacity="0")]) == [
        "Rad 2, kolonne «capacity»: må være et helt tall fra 1 til 100000 (var 0)."
    ]


def test_waitlist_must_be_yes_or_no(app, centres):
    (problem,) = problems_of([row(waitlist="kanskje")])
    assert problem.startswith("Rad 2, kolonne «waitlist»: «kanskje» er verken ja eller nei")


def test_title_must_not_be_too_long(app, centres):
    assert problems_of([row(title="x" * 201)]) == [
        "Rad 2, kolonne «title»: er for lang (høyst 200 tegn)."
    ]


def test_every_problem_is_reported_not_only_the_first(app, centres):
    problems = problems_of([row(centre="oslo", capacity="x"), day_two(), webinar(kind="?")])
    assert [p.split(":")[0] for p in problems] == [
        "Rad 2, kolonne «centre»",
        "Rad 2, kolonne «capacity»",
        "Rad 4, kolonne «kind»",
    ]


def test_blank_rows_are_skipped_but_keep_row_numbers(app, centres):
    blank = dict.fromkeys(COLUMNS, "")
    assert problems_of([row(), blank, day_two(ends_at="nå")]) == [
        "Rad 4, kolonne «ends_at»: «nå» er ikke et gyldig tidspunkt "
        "(skriv f.eks. 12.03.2026 09:00 eller 2026-03-12T09:00)."
    ]


def test_file_without_rows_is_refused(app, centres):
    assert problems_of([]) == ["Filen har ingen rader med arrangementer."]


def test_empty_file_is_refused(app, centres):
    with pytest.raises(DomainError) as raised:
        import_events(db.session, "program.csv", b"", utcnow())
    assert raised.value.code == "invalid_import"


def test_csv_that_is_not_utf8_is_refused(app, centres):
    content = csv_bytes([row()]).decode().encode("cp1252")
    with pytest.raises(DomainError) as raised:
        import_events(db.session, "program.csv", content, utcnow())
    assert "UTF-8" in str(raised.value.details["errors"][0])


def test_a_file_that_is_not_xlsx_is_refused(app, centres):
    with pytest.raises(DomainError) as raised:
        import_events(db.session, "program.xlsx", b"not a workbook", utcnow())
    assert raised.value.code == "invalid_import"


def test_errors_go_to_stderr_one_per_line(app, centres, tmp_path):
    rows = [row(centre="oslo"), day_two(capacity="x")]
    result = run_import(app, write_csv(tmp_path, rows))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[1:] == [
        "Rad 2, kolonne «centre»: fant ikke senteret «oslo» (kjente: ostfold, vestfold).",
        "Rad 3, kolonne «capacity»: «x» er ikke et helt tall.",
    ]
