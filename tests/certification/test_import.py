"""Importing existing certifications from CSV and XLSX: good files, bad files (a bad row
imports nothing, every problem named by row and column in Norwegian), the organiser's
region, the preview and confirm pages, and the template file."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import _csrf_token
from usht_events.certification import importing
from usht_events.certification.import_files import template_csv, template_xlsx
from usht_events.certification.models import Certification, CertificationSource
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.timezones import to_oslo
from usht_events.registration.models import Person

HEADER = "name;email;municipality;workplace;kind;issued_on;expires_on;source"
TODAY = date(2026, 11, 20)


@pytest.fixture
def reference(any_app, make):
    make.municipality("3107")
    make.municipality("3101")
    make.municipality("3301")
    make.certification_kind("proact-instruktor", validity_months=36, name="ProACT-instruktør")
    make.certification_kind("abc-kontakt", validity_months=None, name="ABC-kontakt")
    db.session.commit()


def _csv(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode("utf-8-sig")


def _import(content: bytes, filename="liste.csv", allowed=None):
    stored = importing.import_certifications(
        db.session, None, filename, content, allowed, utcnow(), TODAY
    )
    db.session.commit()
    return stored


def _problems(content: bytes, filename="liste.csv", allowed=None) -> list[tuple]:
    with pytest.raises(DomainError) as refused:
        _import(content, filename, allowed)
    db.session.rollback()
    assert refused.value.code == "invalid_import"
    return [(p.row, p.column, p.message) for p in refused.value.details["errors"]]


def _count() -> int:
    return db.session.scalar(select(func.count(Certification.id)))


def test_a_good_csv_imports_every_row(reference, make):
    known = make.person(email="kari@fredrikstad.kommune.no", name="Kari N. (fra før)")
    db.session.commit()
    stored = _import(
        _csv(
            "Kari Nordmann;KARI@fredrikstad.kommune.no;3107;Sykehjemmet;proact-instruktor;2025-03-14;;",
            "Ola Hansen;ola@halden.kommune.no;3101;;ABC-kontakt;2024-01-05;;Halden 2024",
            "Per Ås;per@halden.kommune.no;3101;;proact-instruktor;2023-09-01;2025-12-31;",
        )
    )
    assert len(stored) == 3
    kari, ola, per = stored
    assert kari.person_id == known.id and known.name == "Kari N. (fra før)"
    assert kari.source == CertificationSource.IMPORTED and kari.event_id is None
    assert kari.imported_from == "liste.csv" and ola.imported_from == "Halden 2024"
    assert kari.expires_on == date(2028, 3, 14)  # the kind's 36 months
    assert ola.expires_on is None  # a kind that does not expire
    assert per.expires_on == date(2025, 12, 31)  # as the file says
    assert ola.person.name == "Ola Hansen" and ola.person.municipality_number == "3101"
    assert ola.municipality_number == "3101"
    (entry,) = db.session.scalars(select(AuditEntry))
    assert entry.action == "certification.import" and "3 godkjenninger" in entry.summary


def test_a_good_xlsx_with_real_dates_and_numbers_imports(reference):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["Kari", "kari@x.no", 3107, "", "ProACT-instruktør", date(2025, 3, 14), None, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (stored,) = _import(buffer.getvalue(), "liste.xlsx")
    assert stored.municipality_number == "3107" and stored.issued_on == date(2025, 3, 14)


def test_a_bad_row_imports_nothing_and_every_problem_is_named(reference):
    problems = _problems(
        _csv(
            "Kari Nordmann;kari@x.no;3107;;proact-instruktor;2025-03-14;;",
            ";ikke-en-adresse;9999;;sykepleier;14.03.2025;;",
            "Ola;ola@x.no;3107;;proact-instruktor;2027-01-01;;",
            "Per;per@x.no;3107;;proact-instruktor;2025-01-01;2024-01-01;",
        )
    )
    assert problems == [
        (3, "name", "mangler."),
        (3, "email", "«ikke-en-adresse» er ikke en gyldig e-postadresse."),
        (3, "municipality", "«9999» er ikke et kommunenummer (fire sifre, f.eks. 3107)."),
        (
            3,
            "kind",
            "fant ikke godkjenningen «sykepleier» (kjente: abc-kontakt, proact-instruktor).",
        ),
        (3, "issued_on", "«14.03.2025» er ikke en dato (skriv ÅÅÅÅ-MM-DD)."),
        (4, "issued_on", "2027-01-01 er fram i tid."),
        (5, "expires_on", "må være etter «issued_on»."),
    ]
    assert _count() == 0
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_duplicates_in_the_file_and_in_the_database_are_refused(reference):
    _import(_csv("Kari;kari@x.no;3107;;proact-instruktor;2025-03-14;;"))
    problems = _problems(
        _csv(
            "Ola;ola@x.no;3107;;proact-instruktor;2025-03-14;;",
            "Ola;OLA@x.no;3107;;proact-instruktor;2025-03-14;;",
            "Kari;kari@x.no;3107;;proact-instruktor;2025-03-14;;",
        )
    )
    assert problems == [
        (3, "email", "samme person, godkjenning og dato som rad 2."),
        (4, "email", "personen har allerede denne godkjenningen fra samme dato."),
    ]
    assert _count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen er tom; første rad må være kolonnenavn."),
        (HEADER.encode(), "Filen har ingen rader med godkjenninger."),
        (b"navn;epost\nKari;k@x.no", "Mangler kolonnene «name», «email», «municipality», «kind», «issued_on»."),
        ("name;email;municipality;kind;issued_on\nÅse;å@x.no;3107;x;2025-01-01".encode("latin-1"), "Filen er ikke UTF-8. Lagre den som «CSV UTF-8» og prøv igjen."),
    ],
)  # fmt: skip
def test_unreadable_files_say_why(reference, content, message):
    assert any(text == message for _, _, text in _problems(content))


def test_an_organiser_imports_for_their_region_only(reference):
    problems = _problems(
        _csv("Gro;gro@drammen.no;3301;;proact-instruktor;2025-01-01;;"), allowed={"3107"}
    )
    assert problems == [(2, "municipality", "Drammen (3301) hører ikke til senterets region.")]


def test_control_characters_are_refused_by_row_and_column(reference):
    problems = _problems(_csv("Kari\x00;kari@x.no;3107;;proact-instruktor;2025-01-01;;"))
    assert problems == [(2, "name", "inneholder tegnet U+0000, som ikke er tillatt.")]


def test_the_template_files_pass_the_check(reference):
    for filename, content in (("mal.csv", template_csv()), ("mal.xlsx", template_xlsx())):
        (planned,) = importing.plan_import(db.session, filename, content, None, TODAY)
        assert planned.kind.slug == "proact-instruktor" and planned.municipality.number == "3107"


# In the browser: upload, preview, confirm


def _upload(client, content: bytes, filename: str):
    page = client.get("/admin/certifications/import").get_data(as_text=True)
    data = {"csrf_token": _csrf_token(page), "file": (io.BytesIO(content), filename)}
    return client.post(
        "/admin/certifications/import", data=data, content_type="multipart/form-data"
    )


def test_preview_then_confirm(app, login_as, make):
    make.municipality("3107")
    make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    centre = make.centre("ost", region=("3107",))
    organiser = login_as("organiser", centre=centre)
    today = to_oslo(utcnow()).date() - timedelta(days=1)
    content = _csv(f"Kari Nordmann;kari@x.no;3107;;proact-instruktor;{today.isoformat()};;")
    preview = _upload(organiser, content, "liste.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Kari Nordmann" in html and "(ny person)" in html
    assert _count() == 0
    fields = {
        name: html.split(f'name="{name}" value="')[1].split('"')[0]
        for name in ("csrf_token", "filename", "content", "signature")
    }
    done = organiser.post("/admin/certifications/import", data={"step": "confirm", **fields})
    assert done.status_code == 303 and _count() == 1
    tampered = {**fields, "filename": "annen.csv"}
    organiser.post("/admin/certifications/import", data={"step": "confirm", **tampered})
    assert _count() == 1


def test_a_bad_file_shows_the_problems_by_row_and_column(app, login_as, make):
    make.municipality("3107")
    make.certification_kind("proact-instruktor")
    answer = _upload(login_as("admin"), _csv("Kari;kari@x.no;3107;;ukjent;2025-01-01;;"), "a.csv")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Filen har 1 feil; ingenting er importert." in html
    assert "<td>2</td>" in html and "<td>kind</td>" in html and _count() == 0


def test_the_template_downloads(app, login_as):
    admin = login_as("admin")
    answer = admin.get("/admin/certifications/import/template.xlsx")
    assert answer.status_code == 200 and answer.data.startswith(b"PK")
    answer = admin.get("/admin/certifications/import/template.csv")
    assert answer.data.decode("utf-8-sig").splitlines()[0] == HEADER
