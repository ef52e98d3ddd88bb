"""The administrators' setup pages: certification kinds, focus areas, series and centres
with their regions, created and changed in the browser, every change logged."""

import pytest
from sqlalchemy import select

from tests.conftest import _csrf_token
from usht_events.catalogue.models import CertificationKind, FocusArea, Series
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.organisations.models import Centre


@pytest.fixture
def admin(app, login_as, make):
    for number in ("3107", "3101", "3118", "3301"):
        make.municipality(number)
    db.session.commit()
    return login_as("admin")


def _post(client, url, data):
    token = _csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_administrator_adds_and_changes_a_certification_kind(admin):
    answer = _post(
        admin,
        "/admin/certification-kinds/new",
        {"slug": "mentor-demens", "name": "Mentor (demens)", "validity_months": "36"},
    )
    assert answer.status_code == 303
    kind = db.session.scalar(select(CertificationKind))
    assert (kind.slug, kind.name, kind.validity_months) == ("mentor-demens", "Mentor (demens)", 36)
    answer = _post(
        admin,
        f"/admin/certification-kinds/{kind.id}",
        {"slug": "mentor-demens", "name": "Mentor (demens)", "validity_months": ""},
    )
    assert answer.status_code == 303
    db.session.refresh(kind)
    assert kind.validity_months is None
    assert "Mentor (demens)" in admin.get("/admin/certification-kinds").get_data(as_text=True)
    assert _actions() == ["certification_kind.create", "certification_kind.update"]
    summary = db.session.scalars(select(AuditEntry.summary).order_by(AuditEntry.id)).all()[1]
    assert summary == "Endret validity_months for «Mentor (demens)» (mentor-demens)."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "Mentor Demens", "name": "X"}, "Kortnavnet kan bare ha små bokstaver"),
        ({"slug": "proact-instruktor", "name": "Ny"}, "Kortnavnet «proact-instruktor» er allerede i bruk."),
        ({"slug": "ny", "name": "ProACT-instruktør"}, "Navnet «ProACT-instruktør» er allerede i bruk."),
        ({"slug": "ny", "name": "Ny", "validity_months": "0"}, "Skriv et tall fra 1 til 600."),
        ({"slug": "ny", "name": ""}, "Skriv inn et navn."),
    ],
)  # fmt: skip
def test_a_kind_that_clashes_or_is_malformed_is_refused_beside_its_field(
    admin, make, data, message
):
    make.certification_kind("proact-instruktor", name="ProACT-instruktør")
    db.session.commit()
    answer = _post(admin, "/admin/certification-kinds/new", data)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert (
        db.session.scalar(select(CertificationKind.id).where(CertificationKind.slug == "ny"))
        is None
    )


def test_focus_areas_and_series(admin, make):
    centre = make.centre("ost")
    db.session.commit()
    assert (
        _post(admin, "/admin/focus-areas/new", {"slug": "demens", "name": "Demensplan"}).status_code
        == 303
    )
    area = db.session.scalar(select(FocusArea))
    assert (
        _post(
            admin, f"/admin/focus-areas/{area.id}", {"slug": "demens", "name": "Demensplan 2025"}
        ).status_code
        == 303
    )
    db.session.refresh(area)
    assert area.name == "Demensplan 2025"
    data = {"centre": str(centre.id), "slug": "fagnettverk-demens", "name": "Fagnettverk demens"}
    assert _post(admin, "/admin/series/new", data).status_code == 303
    series = db.session.scalar(select(Series))
    assert (series.centre_id, series.slug) == (centre.id, "fagnettverk-demens")
    assert "Fagnettverk demens" in admin.get("/admin/series").get_data(as_text=True)
    assert _actions() == ["focus_area.create", "focus_area.update", "series.create"]


def test_a_centre_with_its_region(admin):
    data = {
        "slug": "indre",
        "name": "USHT Indre Østfold",
        "host": "3118",
        "email": "usht@indre.no",
        "region": ["3107", "3101"],
    }
    assert _post(admin, "/admin/centres/new", data).status_code == 303
    centre = db.session.scalar(select(Centre))
    assert {m.number for m in centre.region} == {"3107", "3101"}
    answer = _post(admin, f"/admin/centres/{centre.id}", {**data, "region": ["3107", "3301"]})
    assert answer.status_code == 303
    db.session.refresh(centre)
    assert {m.number for m in centre.region} == {"3107", "3301"}
    assert _actions() == ["centre.create", "centre.update"]
    listing = admin.get("/admin/centres").get_data(as_text=True)
    assert "USHT Indre Østfold" in listing and "2 kommuner" in listing


def test_a_centre_needs_a_known_host_and_region(admin):
    data = {"slug": "x", "name": "X", "host": "9999", "region": ["3107"]}
    answer = _post(admin, "/admin/centres/new", data)
    assert answer.status_code == 400 and "Velg et av alternativene i listen." in answer.get_data(
        as_text=True
    )
    answer = _post(admin, "/admin/centres/new", {**data, "host": "3118", "region": ["9999"]})
    assert answer.status_code == 400
    assert db.session.scalar(select(Centre)) is None


@pytest.mark.parametrize("role", ["organiser", "municipality"])
def test_only_administrators_keep_the_setup(login_as, app, role):
    client = login_as(role)
    for url in (
        "/admin/setup",
        "/admin/centres",
        "/admin/certification-kinds/new",
        "/admin/series",
    ):
        assert client.get(url).status_code == 403
