"""The registration exports: CSV that Norwegian Excel opens in columns, XLSX, no formulas."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from usht_events.registration import participants, places
from usht_events.registration.exports import (
    HEADERS,
    export_rows,
    neutralise_formula,
    registrations_csv,
    registrations_xlsx,
)
from usht_events.registration.models import RegistrationStatus

EVIL = '=HYPERLINK("http://evil.example","Klikk")'
SIGNED_UP = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)  # 09.30 in Oslo


@pytest.mark.parametrize("text", [EVIL, "+1", "-2", "@SUM(A1)", "\tfoo", "\rfoo"])
def test_text_that_starts_a_formula_gets_an_apostrophe(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Kari Nordmann", "", "Ærlig Østby Åsen", "a=b", None, 3])
def test_other_values_are_left_alone(value):
    assert neutralise_formula(value) == value


@pytest.fixture
def rows(app, make):
    """A confirmed place from Fredrikstad with Norwegian letters, and a waitlisted attacker."""
    event = make.event(capacity=1)
    make.registration(
        event,
        make.person(name="Åse Ødegård", phone="912 34 567", workplace="Værøy sykehjem"),
        needs="Glutenfri kost",
        created_at=SIGNED_UP,
    )
    attacker = make.person(name="@SUM(A1)", phone="+1", workplace=EVIL, municipality="3105")
    make.registration(
        event,
        attacker,
        status=RegistrationStatus.WAITLISTED,
        needs="-2",
        created_at=SIGNED_UP,
    )
    registrations = participants.event_registrations(make.session, event.id)
    # The files are made in a request, in the language of the one downloading them.
    with app.test_request_context():
        yield export_rows(registrations, places.waitlist_positions(make.session, event.id))


def _csv(rows) -> list[list[str]]:
    body = registrations_csv(rows)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_starts_with_a_byte_order_mark_and_ends_lines_with_crlf(rows):
    body = registrations_csv(rows)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\r\n") == len(rows) + 1


def test_csv_reads_back_in_columns_with_norwegian_letters(rows):
    header, first, _ = _csv(rows)
    assert header == list(HEADERS)
    assert first == [
        "Åse Ødegård",
        first[1],
        "912 34 567",
        "3107",
        "Fredrikstad",
        "Værøy sykehjem",
        "Sykepleier",
        "Glutenfri kost",
        "Bekreftet",
        "",
        "2027-03-01 09:30",
        "",  # attendance and completion: given by the participants page's export only
        "",
    ]


def test_csv_neutralises_every_formula(rows):
    _, _, attacker = _csv(rows)
    assert attacker[0] == "'@SUM(A1)"
    assert attacker[2] == "'+1"
    assert attacker[5] == "'" + EVIL
    assert attacker[7] == "'-2"
    assert attacker[8:10] == ["På venteliste", "1"]


def _sheet(rows):
    workbook = load_workbook(io.BytesIO(registrations_xlsx(rows, "Kurs i Østfold")))
    return workbook["Påmeldinger"]


def test_xlsx_reads_back_with_norwegian_letters_and_real_dates(rows):
    sheet = _sheet(rows)
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(HEADERS)
    assert values[1][0] == "Åse Ødegård"
    assert values[1][5] == "Værøy sykehjem"
    assert values[1][10] == datetime(2027, 3, 1, 9, 30)
    assert values[2][9] == 1


def test_xlsx_holds_no_formula(rows):
    sheet = _sheet(rows)
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    attacker = [cell.value for cell in sheet[3]]
    assert attacker[0] == "'@SUM(A1)"
    assert attacker[2] == "'+1"
    assert attacker[5] == "'" + EVIL
    assert attacker[7] == "'-2"
