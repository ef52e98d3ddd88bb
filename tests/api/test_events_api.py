"""The public JSON API: fields, counts, filters, paging, errors, privacy and the OpenAPI file."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import event as sa_event

from usht_events.api.views import SPEC_PATH
from usht_events.catalogue.models import EventFormat, EventKind, EventStatus
from usht_events.core.db import db, utcnow
from usht_events.registration.models import RegistrationStatus

SPEC = json.loads(SPEC_PATH.read_text())
WINTER_START = datetime(2030, 3, 12, 8, 0, tzinfo=UTC)  # 09:00 in Oslo, CET
SUMMER_START = datetime(2030, 6, 12, 7, 0, tzinfo=UTC)  # 09:00 in Oslo, CEST


def assert_matches_schema(name: str, body) -> None:
    """Validate a response body against one of the spec's component schemas."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": SPEC["components"],
        "$ref": f"#/components/schemas/{name}",
    }
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response


@pytest.fixture
def api(any_app):
    """A test client on the app, on SQLite and on PostgreSQL in turn."""
    return any_app.test_client()


def _titles(response) -> list[str]:
    return [event["title"] for event in response.json["events"]]


# --- the OpenAPI file -----------------------------------------------------------------


def test_spec_is_valid_openapi_3_1():
    validate_spec(SPEC)
    assert SPEC["openapi"].startswith("3.1")


def test_spec_is_served_at_openapi_json(client):
    response = get_json(client, "/api/v1/openapi.json")
    assert response.json == SPEC


def test_spec_documents_every_list_parameter():
    operation = SPEC["paths"]["/events"]["get"]
    names = {
        SPEC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
        for p in operation["parameters"]
    }
    assert names == {
        "centre",
        "focus",
        "kind",
        "municipality",
        "q",
        "from",
        "to",
        "page",
        "per_page",
    }


# --- the happy path, on both databases --------------------------------------------------


def test_detail_shows_every_public_field(api, make):
    centre = make.centre("ostfold", name="USHT Østfold")
    series = make.series(centre=centre, slug="proact", name="Kompetansenettverk ProACT")
    event = make.event(
        title="ProACT instruktørkurs",
        summary="To dager for nye instruktører.",
        kind=EventKind.INSTRUCTOR_COURSE,
        format=EventFormat.HYBRID,
        centre=centre,
        series=series,
        focus_area=make.focus_area("demensplan-2025", "Demensplan 2025"),
        certifies_kind=make.certification_kind("proact-instruktor", name="ProACT-instruktør"),
        starts_at=WINTER_START,
        days=2,
        capacity=20,
        seats_per_municipality=2,
        min_participants=8,
        eligible=("3101", "3107"),
        registration_opens_at=datetime(2030, 1, 6, 23, 0, tzinfo=UTC),
        registration_closes_at=datetime(2030, 3, 1, 22, 59, tzinfo=UTC),
    )
    body = get_json(api, f"/api/v1/events/{event.id}").json

    assert_matches_schema("Event", body)
    assert body["id"] == event.id
    assert body["kind"] == "instructor_course"
    assert body["kind_label"] == "Instruktørkurs"
    assert body["format"] == "hybrid"
    assert body["status"] == "published"
    assert body["centre"] == {"slug": "ostfold", "name": "USHT Østfold"}
    assert body["focus_area"] == {"slug": "demensplan-2025", "name": "Demensplan 2025"}
    assert body["series"] == {"slug": "proact", "name": "Kompetansenettverk ProACT"}
    assert body["certifies"] == {"slug": "proact-instruktor", "name": "ProACT-instruktør"}
    assert body["eligible_municipalities"] == ["3101", "3107"]
    assert body["capacity"] == 20
    assert body["seats_per_municipality"] == 2
    assert body["min_participants"] == 8
    assert body["url"] == f"http://usht.test/events/{event.id}"
    assert body["ics_url"] == f"http://usht.test/events/{event.id}.ics"


def test_detail_gives_times_in_oslo_time_with_offset(api, make):
    event = make.event(
        starts_at=WINTER_START,
        days=2,
        session_hours=6.5,
        registration_opens_at=datetime(2030, 1, 6, 23, 0, tzinfo=UTC),
        registration_closes_at=datetime(2030, 3, 1, 22, 59, tzinfo=UTC),
    )
    body = get_json(api, f"/api/v1/events/{event.id}").json

    assert body["starts_at"] == "2030-03-12T09:00:00+01:00"
    assert body["ends_at"] == "2030-03-13T15:30:00+01:00"
    assert body["registration_opens_at"] == "2030-01-07T00:00:00+01:00"
    assert body["registration_closes_at"] == "2030-03-01T23:59:00+01:00"
    first, second = event.sessions
    assert body["sessions"] == [
        {
            "id": first.id,
            "title": "",
            "starts_at": "2030-03-12T09:00:00+01:00",
            "ends_at": "2030-03-12T15:30:00+01:00",
            "venue": "Mysen helsehus",
        },
        {
            "id": second.id,
            "title": "",
            "starts_at": "2030-03-13T09:00:00+01:00",
            "ends_at": "2030-03-13T15:30:00+01:00",
            "venue": "Mysen helsehus",
        },
    ]


def test_summer_times_carry_the_summer_offset(api, make):
    event = make.event(starts_at=SUMMER_START)
    body = get_json(api, f"/api/v1/events/{event.id}").json
    assert body["starts_at"] == "2030-06-12T09:00:00+02:00"


def test_session_held_elsewhere_shows_its_own_venue(api, make):
    event = make.event(days=2)
    event.sessions[1].venue = "Sarpsborg scene"
    event.sessions[1].title = "Dag 2"
    sessions = get_json(api, f"/api/v1/events/{event.id}").json["sessions"]
    assert [(s["title"], s["venue"]) for s in sessions] == [
        ("", "Mysen helsehus"),
        ("Dag 2", "Sarpsborg scene"),
    ]


def test_detail_counts_confirmed_and_waitlisted_but_not_cancelled(api, make):
    event = make.event(capacity=3, min_participants=3)
    for status in (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ):
        make.registration(event, status=status)
    body = get_json(api, f"/api/v1/events/{event.id}").json

    assert body["confirmed"] == 2
    assert body["waitlisted"] == 1
    assert body["seats_left"] == 1
    assert body["still_needed"] == 1
    assert body["registration_state"] == "open"


def test_event_without_limits_has_null_capacity_and_seats(api, make):
    event = make.event(capacity=None, kind=EventKind.WEBINAR, format=EventFormat.DIGITAL)
    make.registration(event)
    body = get_json(api, f"/api/v1/events/{event.id}").json

    assert_matches_schema("Event", body)
    assert body["capacity"] is None
    assert body["seats_left"] is None
    assert body["min_participants"] is None
    assert body["still_needed"] == 0
    assert body["series"] is None
    assert body["certifies"] is None
    assert body["eligible_municipalities"] == []


def test_list_shows_published_events_soonest_first_with_counts(api, make):
    later = make.event(title="Seminar om ernæring", starts_at=SUMMER_START)
    sooner = make.event(
        title="Lindrende behandling", starts_at=WINTER_START, status=EventStatus.CONFIRMED
    )
    make.registration(later, status=RegistrationStatus.WAITLISTED)
    make.registration(sooner)
    make.registration(sooner)
    response = get_json(api, "/api/v1/events")
    body = response.json

    assert_matches_schema("EventList", body)
    assert _titles(response) == ["Lindrende behandling", "Seminar om ernæring"]
    assert [(e["confirmed"], e["waitlisted"]) for e in body["events"]] == [(2, 0), (0, 1)]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 20, 2, 1)


def test_list_gives_series_and_certification_of_each_event(api, make):
    kind = make.certification_kind("hhlr-instruktor", name="HHLR-instruktør")
    make.event(title="A", starts_at=WINTER_START, certifies_kind=kind)
    make.event(title="B", starts_at=SUMMER_START, series=make.series(name="KlinObsKommune"))
    events = get_json(api, "/api/v1/events").json["events"]

    assert [e["certifies"] for e in events] == [
        {"slug": "hhlr-instruktor", "name": "HHLR-instruktør"},
        None,
    ]
    assert [e["series"] and e["series"]["name"] for e in events] == [None, "KlinObsKommune"]


def test_event_endpoints_may_be_cached_for_a_minute(api, make):
    event = make.event()
    for url in ("/api/v1/events", f"/api/v1/events/{event.id}"):
        assert get_json(api, url).headers["Cache-Control"] == "public, max-age=60"


def test_no_personal_data_or_private_link_in_any_response(api, make):
    event = make.event(
        digital_link="https://teams.example.com/meet/secret-room",
        contact_email="kontaktperson@usht.test",
    )
    people = [
        make.person(email="kari.nordmann@example.no", name="Kari Nordmann"),
        make.person(email="ola.hansen@example.no", name="Ola Hansen", phone="+4791234567"),
    ]
    make.registration(event, person=people[0])
    make.registration(event, person=people[1], status=RegistrationStatus.WAITLISTED)

    for url in ("/api/v1/events", f"/api/v1/events/{event.id}"):
        text = get_json(api, url).get_data(as_text=True)
        for secret in (
            "kari.nordmann@example.no",
            "Kari Nordmann",
            "ola.hansen@example.no",
            "Ola Hansen",
            "91234567",
            "secret-room",
            "kontaktperson@usht.test",
        ):
            assert secret not in text, f"{secret!r} leaked through {url}"


# --- visibility -------------------------------------------------------------------------


def test_draft_is_neither_listed_nor_found(client, make):
    draft = make.event(title="Hemmelig utkast", status=EventStatus.DRAFT)
    make.event(title="Publisert")

    assert _titles(get_json(client, "/api/v1/events")) == ["Publisert"]
    body = get_json(client, f"/api/v1/events/{draft.id}", 404).json
    assert_matches_schema("Error", body)
    assert body == {"message": "Arrangementet finnes ikke."}


def test_cancelled_event_is_found_by_id_but_not_listed(client, make):
    cancelled = make.event(title="Avlyst kurs", status=EventStatus.CANCELLED)

    assert get_json(client, "/api/v1/events").json["events"] == []
    body = get_json(client, f"/api/v1/events/{cancelled.id}").json
    assert body["status"] == "cancelled"
    assert body["registration_state"] == "cancelled"


def test_past_events_are_not_listed_without_a_start_date(client, make):
    make.event(title="Ferdig", starts_at=utcnow() - timedelta(days=3))
    make.event(title="Kommer")
    assert _titles(get_json(client, "/api/v1/events")) == ["Kommer"]


# --- filters ----------------------------------------------------------------------------


@pytest.fixture
def programme(make):
    """Three upcoming events that differ in centre, focus area, kind, eligibility and text."""
    ostfold = make.centre("ostfold")
    buskerud = make.centre("buskerud")
    make.event(
        title="ProACT instruktørkurs",
        centre=ostfold,
        kind=EventKind.INSTRUCTOR_COURSE,
        focus_area=make.focus_area("demensplan-2025"),
        eligible=("3101",),
        starts_at=WINTER_START,
    )
    make.event(
        title="ABC-seminar",
        centre=ostfold,
        kind=EventKind.SEMINAR,
        summary="Demensomsorgens ABC for nye ABC-kontakter",
        starts_at=WINTER_START + timedelta(days=30),
    )
    make.event(
        title="Nettverkssamling lindrende",
        centre=buskerud,
        kind=EventKind.NETWORK_GATHERING,
        focus_area=make.focus_area("lindrende-behandling"),
        starts_at=SUMMER_START,
    )
    make.municipality("3107")


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("centre=buskerud", ["Nettverkssamling lindrende"]),
        ("focus=demensplan-2025", ["ProACT instruktørkurs"]),
        ("kind=seminar", ["ABC-seminar"]),
        ("municipality=3107", ["ABC-seminar", "Nettverkssamling lindrende"]),
        ("q=demensomsorgens", ["ABC-seminar"]),
        ("from=2030-04-01", ["ABC-seminar", "Nettverkssamling lindrende"]),
        ("to=2030-03-12", ["ProACT instruktørkurs"]),
        ("from=2030-04-01&to=2030-04-30", ["ABC-seminar"]),
        ("centre=ostfold&kind=instructor_course", ["ProACT instruktørkurs"]),
        ("centre=&kind=", ["ProACT instruktørkurs", "ABC-seminar", "Nettverkssamling lindrende"]),
    ],
)
def test_list_applies_the_calendars_filters(client, programme, query, titles):
    response = get_json(client, f"/api/v1/events?{query}")
    assert _titles(response) == titles
    assert response.json["total"] == len(titles)


def test_filters_work_on_postgresql_too(pg_app, programme):
    response = get_json(pg_app.test_client(), "/api/v1/events?centre=ostfold&q=ABC")
    assert _titles(response) == ["ABC-seminar"]


# --- paging -----------------------------------------------------------------------------


def test_list_pages_through_events(api, make):
    for day in range(5):
        make.event(title=f"Kurs dag {day}", starts_at=WINTER_START + timedelta(days=day))

    first = get_json(api, "/api/v1/events?per_page=2").json
    last = get_json(api, "/api/v1/events?per_page=2&page=3").json
    beyond = get_json(api, "/api/v1/events?per_page=2&page=4").json

    assert [e["title"] for e in first["events"]] == ["Kurs dag 0", "Kurs dag 1"]
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 5, 3)
    assert [e["title"] for e in last["events"]] == ["Kurs dag 4"]
    assert beyond["events"] == []
    assert beyond["page"] == 4


def test_empty_list_has_one_page(client):
    body = get_json(client, "/api/v1/events").json
    assert_matches_schema("EventList", body)
    assert (body["events"], body["total"], body["pages"]) == ([], 0, 1)


def test_per_page_up_to_one_hundred_is_accepted(client):
    assert get_json(client, "/api/v1/events?per_page=100").json["per_page"] == 100


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-45", "from"),
        ("to=12.03.2026", "to"),
        ("from=2026-03-12&to=2026-03-01", "to"),
        ("centre=finnes-ikke", "centre"),
        ("kind=party", "kind"),
        ("municipality=9999", "municipality"),
        ("q=" + "x" * 101, "q"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=101", "per_page"),
        ("per_page=-5", "per_page"),
    ],
)
def test_invalid_query_gets_400_json_naming_the_parameter(client, query, field):
    body = get_json(client, f"/api/v1/events?{query}", 400).json
    assert_matches_schema("ValidationError", body)
    assert body["message"].startswith("Ugyldige parametere")
    assert list(body["errors"]) == [field]


def test_impossible_date_is_explained_in_norwegian(client):
    body = get_json(client, "/api/v1/events?from=2026-13-45", 400).json
    assert body["errors"]["from"] == ["Skriv datoen som ÅÅÅÅ-MM-DD, f.eks. 2026-03-12."]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events/999999",
        "/api/v1/events/abc",
        "/api/v1/events/12.5",
        "/api/v1/events/1/sessions",
    ],
)
def test_missing_event_gets_404_json(client, url):
    body = get_json(client, url, 404).json
    assert_matches_schema("Error", body)
    assert body == {"message": "Arrangementet finnes ikke."}


def test_unknown_api_path_gets_404_json(client):
    body = get_json(client, "/api/v1/finnes-ikke", 404).json
    assert body["message"] == "Siden finnes ikke, eller den er flyttet."


def test_error_page_outside_the_api_stays_html(client):
    response = client.get("/events/999999")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_api_is_readable_without_a_session_or_csrf_token(client, make):
    event = make.event()
    db.session.commit()
    response = client.get(f"/api/v1/events/{event.id}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_list_takes_the_same_number_of_queries_for_a_longer_page(app, make):
    def queries_for_list() -> int:
        statements = []

        def count(*args):
            statements.append(args[2])

        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            get_json(app.test_client(), "/api/v1/events")
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    def add_events(n: int) -> None:
        for _ in range(n):
            make.event(series=make.series(), certifies_kind=make.certification_kind())

    add_events(1)
    few = queries_for_list()
    add_events(5)
    assert queries_for_list() == few


# --- every error under /api/v1 is JSON in the file's shape ------------------------------


def assert_json_error(response, status: int, schema: str = "Error") -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    assert_matches_schema(schema, response.json)
    return response.json


@pytest.mark.parametrize("number", ["0", "2147483648", "99999999999999999999"])
def test_an_id_out_of_range_is_a_json_404(api, number):
    body = assert_json_error(api.get(f"/api/v1/events/{number}"), 404)
    assert body == {"message": "Arrangementet finnes ikke."}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/events/1", "/api/v1/openapi.json"])
def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(api, method, path):
    response = api.open(path, method=method)
    body = assert_json_error(response, 405)
    assert body == {"message": "Denne handlingen er ikke tillatt her."}
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(
    ("query", "names"),
    [("q=%00", ["q"]), ("centre=ost%00fold&page=1", ["centre"]), ("q=a&%00=b", ["\x00"])],
)
def test_a_nul_in_the_query_is_a_json_400_naming_the_parameter(api, query, names):
    body = assert_json_error(api.get(f"/api/v1/events?{query}"), 400, "ValidationError")
    assert body["message"].startswith("Ugyldige parametere")
    assert list(body["errors"]) == names


def test_a_nul_in_the_query_of_an_event_is_a_json_400(api, make):
    event = make.event()
    body = assert_json_error(api.get(f"/api/v1/events/{event.id}?lang=%00"), 400)
    assert body["errors"] == {
        "lang": ["Feltet inneholder usynlige tegn eller kontrolltegn som ikke er tillatt."]
    }


def test_other_control_characters_in_the_search_are_a_json_400(api):
    body = assert_json_error(api.get("/api/v1/events?q=a%1Bb"), 400, "ValidationError")
    assert list(body["errors"]) == ["q"]


@pytest.mark.parametrize("path", ["/api/v1", "/api/v1/", "/api/v1/events/%00"])
def test_the_api_root_and_odd_paths_answer_json(api, path):
    response = api.get(path)
    assert response.status_code in {400, 404}
    assert_json_error(response, response.status_code)


def test_the_html_site_keeps_its_html_errors(client):
    response = client.post("/events")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def test_a_server_error_under_the_api_is_json_and_elsewhere_html(tmp_path):
    from tests.conftest import base_config
    from usht_events import create_app

    config = base_config(f"sqlite:///{tmp_path / 'boom.sqlite'}", tmp_path)
    broken = create_app(config | {"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    def boom():
        raise RuntimeError("a bug in a view")

    # Routes only this test's own app has: nothing of ours fails on purpose.
    broken.add_url_rule("/api/v1/boom", "api_boom", boom)
    broken.add_url_rule("/boom", "boom", boom)
    client = broken.test_client()
    body = assert_json_error(client.get("/api/v1/boom"), 500)
    assert body == {"message": "Det oppstod en feil hos oss. Prøv igjen om litt."}
    page = client.get("/boom")
    assert page.status_code == 500
    assert page.mimetype == "text/html"
