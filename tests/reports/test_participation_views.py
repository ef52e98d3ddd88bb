"""The participation report pages: who may see them, the tables, and the Excel file."""

import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from usht_events.core.db import db, utcnow
from usht_events.core.timezones import OSLO
from usht_events.registration.models import Attendance

YEAR = 2025
URL = "/admin/reports/participation"
XLSX_URL = "/admin/reports/participation.xlsx"
EVIL_SERIES = '=HYPERLINK("http://evil.example","Klikk")'


@pytest.fixture
def centres(app, make):
    """Østfold with a course from Fredrikstad (one attended), Buskerud with one from Drammen."""
    ostfold = make.centre("ostfold", name="USHT Østfold")
    buskerud = make.centre("buskerud", name="USHT Buskerud")
    start = datetime(YEAR, 3, 10, 9, tzinfo=OSLO)
    window = {
        "starts_at": start,
        "registration_opens_at": start - timedelta(days=60),
        "registration_closes_at": start - timedelta(days=1),
    }
    course = make.event(centre=ostfold, series=make.series(ostfold, name=EVIL_SERIES), **window)
    attended = make.registration(course, make.person(municipality="3107"))
    make.registration(course, make.person(municipality="3107"))
    db.session.add(Attendance(registration=attended, session=course.sessions[0]))
    make.registration(make.event(centre=buskerud, **window), make.person(municipality="3301"))
    db.session.commit()
    return ostfold, buskerud


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _workbook(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.data))


def _rows(sheet) -> dict[str, list]:
    """Rows below the header, keyed by their first cell."""
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=3, values_only=True)}


def test_administrator_sees_every_centre_in_accessible_tables(login_as, centres):
    html = _html(login_as("admin").get(f"{URL}?year={YEAR}"))
    assert "<caption" in html
    assert '<th scope="row">Fredrikstad</th>' in html
    assert '<th scope="row">Drammen</th>' in html
    assert 'scope="colgroup"' in html
    assert 'class="table-scroll" role="region"' in html
    assert f'href="{XLSX_URL}?year={YEAR}"' in html


def test_administrator_may_filter_by_any_centre(login_as, centres):
    html = _html(login_as("admin").get(f"{URL}?year={YEAR}&centre=buskerud"))
    assert '<th scope="row">Drammen</th>' in html
    assert "Fredrikstad" not in html


def test_administrator_asking_for_an_unknown_centre_gets_404(login_as, centres):
    assert login_as("admin").get(f"{URL}?year={YEAR}&centre=nowhere").status_code == 404


def test_organiser_sees_own_centre_only_without_a_centre_filter(login_as, centres):
    ostfold, _ = centres
    html = _html(login_as("organiser", centre=ostfold).get(f"{URL}?year={YEAR}"))
    assert '<th scope="row">Fredrikstad</th>' in html
    assert "Drammen" not in html
    assert 'name="centre"' not in html


def test_organiser_asking_for_another_centre_gets_404(login_as, centres):
    ostfold, _ = centres
    client = login_as("organiser", centre=ostfold)
    assert client.get(f"{URL}?year={YEAR}&centre=buskerud").status_code == 404
    assert client.get(f"{XLSX_URL}?year={YEAR}&centre=buskerud").status_code == 404
    assert client.get(f"{URL}?year={YEAR}&centre=ostfold").status_code == 200


@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_municipality_contact_is_forbidden(login_as, centres, url):
    assert login_as("municipality").get(url).status_code == 403


@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("year", ["abc", "25", "1999", "２０２５", "2025.0"])
def test_invalid_year_is_refused_in_norwegian(login_as, year):
    response = login_as("admin").get(f"{URL}?year={year}")
    assert response.status_code == 400
    assert "Årstallet må være et år" in response.get_data(as_text=True)


def test_without_data_the_year_defaults_to_this_year_in_oslo(login_as):
    html = _html(login_as("admin").get(URL))
    assert f"Deltakelse {utcnow().astimezone(OSLO).year}" in html


def test_the_report_opens_on_the_latest_year_with_data(login_as, centres):
    html = _html(login_as("admin").get(URL))
    assert f"Deltakelse {YEAR}" in html
    assert f'<option value="{YEAR}" selected>{YEAR}</option>' in html


def test_the_year_picker_offers_the_years_with_data_and_this_year(login_as, centres, make):
    ostfold, _ = centres
    later = datetime(YEAR + 1, 5, 4, 9, tzinfo=OSLO)
    window = {"registration_opens_at": later - timedelta(60), "registration_closes_at": later}
    make.registration(make.event(centre=ostfold, starts_at=later + timedelta(1), **window))
    db.session.commit()
    html = _html(login_as("organiser", centre=ostfold).get(URL))
    this_year = utcnow().astimezone(OSLO).year
    offered = [int(y) for y in re.findall(r'<option value="(\d{4})"', html)]
    assert offered == sorted({this_year, YEAR + 1, YEAR}, reverse=True)
    assert f"Deltakelse {YEAR + 1}" in html  # the latest year with data, up to this one


def test_excel_download_is_named_after_centre_and_year(login_as, centres):
    response = login_as("admin").get(f"{XLSX_URL}?year={YEAR}&centre=ostfold")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="deltakelse-ostfold-{YEAR}.xlsx"'
    )


def test_excel_figures_match_the_report(login_as, centres):
    workbook = _workbook(login_as("admin").get(f"{XLSX_URL}?year={YEAR}"))
    assert workbook.sheetnames == [
        "Nøkkeltall",
        "Satsningsområde",
        "Type arrangement",
        "Nettverk og program",
    ]
    totals = _rows(workbook["Nøkkeltall"])
    assert totals["Påmeldinger"] == [3]
    assert totals["Deltakere (personer)"] == [3]
    assert totals["Påmeldinger med oppmøte"] == [1]
    kinds = workbook["Type arrangement"]
    assert kinds["A1"].value == f"Deltakelse {YEAR} – Alle sentre: Kommune og type arrangement"
    assert [cell.value for cell in kinds[2][:5]] == [
        "Kommune",
        "Fylke",
        "Kurs – påmeldinger",
        "Kurs – deltakere",
        "Kurs – møtt",
    ]
    assert _rows(kinds)["Fredrikstad"] == ["Østfold", 2, 2, 1, 2, 2, 1]
    assert _rows(kinds)["Totalt"] == [None, 3, 3, 1, 3, 3, 1]


def test_excel_header_is_bold_and_frozen(login_as, centres):
    sheet = _workbook(login_as("admin").get(f"{XLSX_URL}?year={YEAR}"))["Satsningsområde"]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "C3"
    assert sheet.column_dimensions["A"].width >= len("Fredrikstad")


def test_excel_neutralises_text_that_would_be_a_formula(login_as, centres):
    sheet = _workbook(login_as("admin").get(f"{XLSX_URL}?year={YEAR}"))["Nettverk og program"]
    header = sheet[2][2]
    assert header.value == f"'{EVIL_SERIES} – påmeldinger"
    assert header.data_type == "s"
    formulas = [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []


def test_html_escapes_names_from_the_database(login_as, centres):
    html = _html(login_as("admin").get(f"{URL}?year={YEAR}"))
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in html
