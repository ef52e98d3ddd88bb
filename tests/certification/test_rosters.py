"""A municipality's roster: grouped by kind, filtered, sorted, paged, as CSV and Excel, and
visible to that municipality's contacts, its region's organisers and administrators only."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from usht_events.certification.rosters import PER_PAGE
from usht_events.core.db import db, utcnow
from usht_events.core.timezones import to_oslo


@pytest.fixture
def roster(app, make):
    """Fredrikstad (3107) in centre «ost»'s region; Halden (3101) too; Drammen (3301) not."""
    today = to_oslo(utcnow()).date()
    centre = make.centre("ost", region=("3107", "3101"))
    make.centre("vest", region=("3301",))
    proact = make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    hhlr = make.certification_kind("hhlr-instruktor", name="HHLR-instruktør")

    def certify(name, kind, expires, municipality="3107", **fields):
        person = make.person(name=name, municipality=municipality, workplace=f"{name} sykehjem")
        return make.certification(
            person=person,
            kind=kind,
            issued_on=today - timedelta(days=400),
            expires_on=expires,
            **fields,
        )

    certify("Anne Gyldig", proact, today + timedelta(days=300))
    certify("Bjørn Snart", proact, today + timedelta(days=20))
    certify("Cecilie Ute", proact, today - timedelta(days=5))
    certify("Dag Trukket", hhlr, today + timedelta(days=300), revoked_at=utcnow())
    certify("Eva Evig", hhlr, None)
    certify("Frank Halden", proact, today + timedelta(days=300), municipality="3101")
    certify("Gro Drammen", proact, today + timedelta(days=300), municipality="3301")
    db.session.commit()
    return centre


def _names(html: str) -> list[str]:
    return [name for name in NAMES if name in html]


NAMES = (
    "Anne Gyldig",
    "Bjørn Snart",
    "Cecilie Ute",
    "Dag Trukket",
    "Eva Evig",
    "Frank Halden",
    "Gro Drammen",
)


def test_contact_sees_their_municipality_grouped_by_kind_with_statuses(login_as, roster):
    contact = login_as("municipality", municipalities=("3107",))
    page = contact.get("/municipalities/3107/instructors")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _names(html) == ["Anne Gyldig", "Bjørn Snart", "Cecilie Ute", "Dag Trukket", "Eva Evig"]
    assert html.index("HHLR-instruktør</caption>") < html.index("ProACT-instruktør</caption>")
    for status in ("Gyldig", "Utløper innen 90 dager", "Utløpt", "Tilbakekalt", "Utløper ikke"):
        assert status in html
    assert "Anne Gyldig sykehjem" in html
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("kind=hhlr-instruktor", ["Dag Trukket", "Eva Evig"]),
        ("status=expiring", ["Bjørn Snart"]),
        ("status=expired", ["Cecilie Ute"]),
        ("status=revoked", ["Dag Trukket"]),
        ("kind=proact-instruktor&status=valid", ["Anne Gyldig"]),
    ],
)
def test_filter_by_kind_and_status(login_as, roster, query, names):
    contact = login_as("municipality", municipalities=("3107",))
    html = contact.get(f"/municipalities/3107/instructors?{query}").get_data(as_text=True)
    table = html[html.index('id="list-heading"') :]
    assert _names(table) == names


def test_sort_by_expiry_and_by_status(login_as, roster):
    contact = login_as("municipality", municipalities=("3107",))
    html = contact.get("/municipalities/3107/instructors?kind=proact-instruktor&sort=expires")
    table = html.get_data(as_text=True).split('id="list-heading"')[1]
    order = [table.index(name) for name in ("Cecilie Ute", "Bjørn Snart", "Anne Gyldig")]
    assert order == sorted(order)
    html = contact.get("/municipalities/3107/instructors?sort=status").get_data(as_text=True)
    table = html.split('id="list-heading"')[1].split("ProACT-instruktør</caption>")[1]
    order = [table.index(name) for name in ("Cecilie Ute", "Bjørn Snart", "Anne Gyldig")]
    assert order == sorted(order)


def test_unknown_filters_answer_400_with_the_whole_roster(login_as, roster):
    contact = login_as("municipality", municipalities=("3107",))
    page = contact.get("/municipalities/3107/instructors?status=nope&sort=%3Cscript%3E")
    assert page.status_code == 400
    assert len(_names(page.get_data(as_text=True))) == 5


def test_csv_and_xlsx_carry_the_filtered_roster(login_as, roster):
    contact = login_as("municipality", municipalities=("3107",))
    answer = contact.get("/municipalities/3107/instructors.csv?kind=proact-instruktor")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="godkjente-3107.csv"'
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Godkjenning",
        "Navn",
        "Arbeidssted",
        "Godkjent",
        "Utløper",
        "Status",
        "Kurs",
    ]
    assert [row[1] for row in rows[1:]] == ["Anne Gyldig", "Bjørn Snart", "Cecilie Ute"]
    assert rows[2][5] == "Utløper innen 90 dager" and rows[2][6] == "Importert"
    answer = contact.get("/municipalities/3107/instructors.xlsx")
    sheet = load_workbook(io.BytesIO(answer.data)).active
    values = list(sheet.values)
    assert len(values) == 6 and values[0][0] == "Godkjenning"
    assert isinstance(values[1][3], date)


def test_a_formula_typed_as_a_workplace_is_defused(login_as, roster, make):
    person = make.person(name="Hacker", workplace='=HYPERLINK("http://x")')
    make.certification(person=person)
    db.session.commit()
    contact = login_as("municipality", municipalities=("3107",))
    text = contact.get("/municipalities/3107/instructors.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(contact.get("/municipalities/3107/instructors.xlsx").data))
    assert '\'=HYPERLINK("http://x")' in [row[2] for row in sheet.active.values]


def test_a_large_roster_comes_a_page_at_a_time(login_as, app, make):
    kind = make.certification_kind("abc-kontakt", name="ABC-kontakt")
    for number in range(PER_PAGE + 5):
        make.certification(person=make.person(name=f"Person {number:03d}"), kind=kind)
    db.session.commit()
    contact = login_as("municipality", municipalities=("3107",))
    first = contact.get("/municipalities/3107/instructors").get_data(as_text=True)
    assert "Person 000" in first and f"Person {PER_PAGE:03d}" not in first
    assert "side 1 av 2" in first and "Neste side" in first
    second = contact.get("/municipalities/3107/instructors?page=2").get_data(as_text=True)
    assert f"Person {PER_PAGE:03d}" in second and "Person 000" not in second
    assert (
        len(contact.get("/municipalities/3107/instructors.csv").data.splitlines()) == PER_PAGE + 6
    )


# Who sees which roster


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_organisers_see_their_regions_rosters_only(login_as, roster, suffix):
    organiser = login_as("organiser", centre=roster)
    assert organiser.get(f"/municipalities/3107/instructors{suffix}").status_code == 200
    assert organiser.get(f"/municipalities/3101/instructors{suffix}").status_code == 200
    refused = organiser.get(f"/municipalities/3301/instructors{suffix}")
    assert refused.status_code == 404 and b"Gro Drammen" not in refused.data


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_administrators_see_every_roster(login_as, roster, suffix):
    admin = login_as("admin")
    for number in ("3107", "3101", "3301"):
        assert admin.get(f"/municipalities/{number}/instructors{suffix}").status_code == 200
    assert admin.get(f"/municipalities/9999/instructors{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_the_public_sees_no_roster(client, roster, suffix):
    answer = client.get(f"/municipalities/3107/instructors{suffix}")
    assert answer.status_code == 302 and "/login" in answer.location
    assert b"Anne" not in answer.data
