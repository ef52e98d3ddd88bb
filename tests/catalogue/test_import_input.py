"""A programme file with control characters or absurd numbers is refused, cell by cell.

Before every cell was checked, a NUL in a CSV cell or a capacity of 99999999999999999999
reached the database, and PostgreSQL answered with an error: the command failed with a
traceback and the web import with a 500. Both ways in, both file kinds, both databases.
"""

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.catalogue.test_import_events import (
    COLUMNS,
    csv_bytes,
    day_two,
    row,
    run_import,
    write_csv,
    write_xlsx,
)
from tests.conftest import AuthActions, _csrf_token
from usht_events.catalogue.importer import MAX_COUNT
from usht_events.catalogue.models import Event
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.organisations.models import Centre

TEXT_COLUMNS = ("ref", "centre", "title", "kind", "focus_area", "venue", "certifies")
COUNT_COLUMNS = ("capacity", "min_participants", "seats_per_municipality")
RANGE = f"må være et helt tall fra 1 til {MAX_COUNT}"


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _cli_problems(app, path) -> list[str]:
    result = run_import(app, path)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert _count(Event) == 0
    return result.stderr.splitlines()[1:]


def _refusal(column: str, char: str, row_number: int = 2) -> str:
    return (
        f"Rad {row_number}, kolonne «{column}»: inneholder tegnet U+{ord(char):04X}, som ikke "
        "er tillatt (et kontrolltegn eller usynlig tegn)."
    )


# Control characters


@pytest.mark.parametrize("column", (*TEXT_COLUMNS, "starts_at", "capacity", "waitlist"))
def test_a_nul_in_any_csv_cell_is_refused_by_row_and_column(any_app, centres, tmp_path, column):
    value = f"{row()[column]}\x00" if row()[column] else "\x00"
    problems = _cli_problems(any_app, write_csv(tmp_path, [row(**{column: value}), day_two()]))
    assert problems == [_refusal(column, "\x00")]


@pytest.mark.parametrize("char", ["\x1b", "\x7f", "\u202e", "\u200b", "\n", "\t"])
def test_other_control_characters_in_csv_are_refused_too(any_app, centres, tmp_path, char):
    problems = _cli_problems(any_app, write_csv(tmp_path, [row(title=f"Kurs{char}dag")]))
    assert problems == [_refusal("title", char)]


@pytest.mark.parametrize("char", ["\x7f", "\x85", "\u202e", "\u200b"])
def test_control_characters_in_xlsx_cells_are_refused(any_app, centres, tmp_path, char):
    # XML, and so XLSX, cannot hold NUL or most C0 controls; these it can.
    problems = _cli_problems(any_app, write_xlsx(tmp_path, [row(venue=f"My{char}sen")]))
    assert problems == [_refusal("venue", char)]


def test_a_control_character_in_the_header_is_refused(app, centres, tmp_path):
    content = csv_bytes([row()]).replace(b"venue", b"ven\x00ue", 1)
    path = tmp_path / "program.csv"
    path.write_bytes(content)
    assert _cli_problems(app, path) == [
        "Rad 1: kolonne 8 har et navn med tegnet U+0000, som ikke er tillatt "
        "(et kontrolltegn eller usynlig tegn)."
    ]


def test_a_cell_too_large_for_the_csv_reader_is_refused(app, centres, tmp_path):
    path = write_csv(tmp_path, [row(title="x" * 200_000)])
    assert _cli_problems(app, path) == [
        "Filen kunne ikke leses som CSV (en celle er for stor, eller filen er skadet)."
    ]


# Numbers


@pytest.mark.parametrize("column", COUNT_COLUMNS)
@pytest.mark.parametrize("number", ["99999999999999999999", "-5", "0", str(MAX_COUNT + 1)])
def test_counts_outside_the_range_are_refused_in_csv(any_app, centres, tmp_path, column, number):
    values = {"capacity": "", column: number}
    problems = _cli_problems(any_app, write_csv(tmp_path, [row(**values)]))
    assert problems == [f"Rad 2, kolonne «{column}»: {RANGE} (var {number})."]


@pytest.mark.parametrize("column", COUNT_COLUMNS)
@pytest.mark.parametrize("number", [10**20, 1e30, -3, 0, MAX_COUNT + 1])
def test_counts_outside_the_range_are_refused_in_xlsx(any_app, centres, tmp_path, column, number):
    values = {"capacity": "", column: number}
    problems = _cli_problems(any_app, write_xlsx(tmp_path, [row(**values)]))
    (problem,) = problems
    assert problem.startswith(f"Rad 2, kolonne «{column}»: {RANGE} (var ")


def test_a_number_too_long_to_read_is_refused_and_shown_short(app, centres, tmp_path):
    problems = _cli_problems(app, write_csv(tmp_path, [row(capacity="9" * 5000)]))
    assert problems == [f"Rad 2, kolonne «capacity»: {RANGE} (var {'9' * 20}…)."]


def test_the_largest_count_is_accepted(any_app, centres, tmp_path):
    values = dict.fromkeys(COUNT_COLUMNS, str(MAX_COUNT))
    result = run_import(any_app, write_xlsx(tmp_path, [row(**values)]))
    assert result.exit_code == 0, result.stderr
    event = db.session.scalar(select(Event))
    assert (event.capacity, event.min_participants, event.seats_per_municipality) == (
        MAX_COUNT,
    ) * 3


@pytest.mark.parametrize("moment", ["9999-12-31T23:30-05:00", "0001-01-01T00:10+01:00"])
def test_a_time_beyond_the_calendar_is_refused(any_app, centres, tmp_path, moment):
    problems = _cli_problems(any_app, write_csv(tmp_path, [row(starts_at=moment)]))
    assert problems[0].startswith("Rad 2, kolonne «starts_at»:")


def test_every_problem_of_a_file_is_listed_at_once(app, centres, tmp_path):
    rows = [row(title="A\x00", capacity="100001"), day_two(title="A\x00", capacity="-1")]
    assert _cli_problems(app, write_csv(tmp_path, rows)) == [
        _refusal("title", "\x00"),
        f"Rad 2, kolonne «capacity»: {RANGE} (var 100001).",
        _refusal("title", "\x00", 3),
        f"Rad 3, kolonne «capacity»: {RANGE} (var -1).",
    ]


# In the browser, on both databases


def _xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    for values in rows:
        workbook.active.append([values[column] for column in COLUMNS])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


@pytest.fixture
def organiser(any_app, make, centres):
    ostfold = db.session.scalar(select(Centre).where(Centre.slug == "ostfold"))
    user, password = make.user(role="organiser", centre=ostfold)
    db.session.commit()
    client = any_app.test_client()
    assert AuthActions(client).login(user.email, password).status_code == 302
    return client


def _upload(client, content: bytes, filename: str):
    csrf = _csrf_token(client.get("/admin/events/import").get_data(as_text=True))
    data = {"csrf_token": csrf, "file": (io.BytesIO(content), filename)}
    return client.post("/admin/events/import", data=data, content_type="multipart/form-data")


def _problem_rows(page: str) -> list[tuple[str, str, str]]:
    cells = r"<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*</tr>"
    return [
        tuple(cell.replace("&#34;", '"') for cell in found) for found in re.findall(cells, page)
    ]


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("program.csv", csv_bytes([row(title="Kurs\x00"), day_two(title="Kurs\x00")])),
        ("program.csv", csv_bytes([row(capacity="99999999999999999999")])),
        ("program.xlsx", _xlsx_bytes([row(venue="Mysen\u202e", seats_per_municipality=1e20)])),
    ],
)
def test_the_web_import_lists_the_problems_and_saves_nothing(organiser, filename, content):
    response = _upload(organiser, content, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "ingenting er importert" in page
    problems = _problem_rows(page)
    assert problems and all(number in {"2", "3"} for number, _, _ in problems)
    assert all(
        "kontrolltegn" in message or f"fra 1 til {MAX_COUNT}" in message
        for _, _, message in problems
    )
    assert (_count(Event), _count(AuditEntry)) == (0, 0)


def test_the_web_import_names_the_range_of_a_count(organiser):
    response = _upload(organiser, csv_bytes([row(min_participants="0")]), "program.csv")
    assert _problem_rows(response.get_data(as_text=True)) == [
        ("2", "min_participants", f"{RANGE} (var 0).")
    ]


@pytest.mark.parametrize("name", ["program\x00.csv", "program\x1b[31m.csv"])
def test_a_file_name_with_a_control_character_is_refused(organiser, name):
    response = _upload(organiser, csv_bytes([row()]), name)
    assert response.status_code == 400
    assert "Filnavnet inneholder tegn som ikke er tillatt" in response.get_data(as_text=True)
    assert (_count(Event), _count(AuditEntry)) == (0, 0)
