"""The back office in English (?lang=en): logging in, passwords, users, the event editor,
importing a programme and the setup pages show no Norwegian but the data typed into them,
and their forms refuse in English with the status they have in Norwegian."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, _csrf_token
from tests.factories import KNOWN_MUNICIPALITIES
from tests.language import norwegian_left
from usht_events.accounts import reset
from usht_events.catalogue.models import CertificationKind, Event, EventStatus, FocusArea, Series
from usht_events.core.db import db, utcnow

YEAR = utcnow().year + 1
FIRST_DAY = date(YEAR, 9, 14)
# Data shows as it was written: the test database's municipalities and counties are
# Norwegian place names, and so is the name the factories give every user.
PLACES = tuple(
    {name for name, _, _ in KNOWN_MUNICIPALITIES.values()}
    | {county for _, _, county in KNOWN_MUNICIPALITIES.values()}
)


@pytest.fixture
def world(make):
    """A centre with a region, a focus area, a certification kind, a series and an event."""
    centre = make.centre("alpha", name="USHT Alpha", region=("3101", "3105", "3107"))
    area = make.focus_area("quality", "Quality work")
    make.certification_kind("mentor", name="Mentor", validity_months=24)
    make.series(centre, slug="network-alpha", name="Network Alpha")
    event = make.event(
        centre=centre,
        focus_area=area,
        title="Alpha course",
        venue="Hall A",
        days=2,
        min_participants=5,
    )
    db.session.commit()
    return {"centre": centre, "event": event}


def _in_english(client):
    """The client, switched to English; the login's welcome (said in Norwegian) is read."""
    client.get("/?lang=en")
    return client


@pytest.fixture
def admin(login_as, world):
    return _in_english(login_as("admin"))


@pytest.fixture
def organiser(login_as, world):
    return _in_english(login_as("organiser", centre=world["centre"]))


def _data(*clients) -> tuple[str, ...]:
    """Everything on the pages that is data rather than our text."""
    users = tuple(value for client in clients for value in (client.user.name, client.user.email))
    return (*PLACES, *users, "USHT Alpha", "alpha@usht.test", "Alpha course", "Hall A")


def _english(client, url: str, *data: str, status: int = 200) -> str:
    response = client.get(f"{url}?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert norwegian_left(page, data=data) == [], url
    return page


def _post_english(client, url: str, data: dict, *, status: int):
    """Post the form on `url` in English; the page it answers with."""
    token = _csrf_token(client.get(f"{url}?lang=en").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == status, response.get_data(as_text=True)
    return response


# Logged out


@pytest.mark.parametrize("url", ["/login", "/login/reset", "/login/reset/not-a-token"])
def test_the_login_and_reset_pages_are_english(client, url):
    status = 400 if url.endswith("not-a-token") else 200
    _english(client, url, status=status)


def test_the_reset_link_and_its_answer_are_english(app, client, make):
    user, _ = make.user(role="organiser", email="reader@example.test")
    db.session.commit()
    token = reset.make_reset_token(app.config["SECRET_KEY"], user)
    _english(client, f"/login/reset/{token}")
    answer = _post_english(client, "/login/reset", {"email": "reader@example.test"}, status=200)
    assert norwegian_left(answer.get_data(as_text=True), data=("reader@example.test",)) == []


def test_an_empty_login_is_refused_in_english(client):
    page = _post_english(client, "/login", {"email": "", "password": ""}, status=400)
    html = page.get_data(as_text=True)
    assert "Enter your e-mail address." in html and "Enter your password." in html
    assert norwegian_left(html) == []


def test_a_wrong_password_is_refused_in_english(client, make):
    user, _ = make.user(role="organiser", email="reader@example.test")
    data = {"email": user.email, "password": "not the password"}
    html = _post_english(client, "/login", data, status=401).get_data(as_text=True)
    assert "Wrong e-mail or password." in html


def test_a_page_that_does_not_exist_says_so_in_english(client):
    page = _english(client, "/admin/no-such-page", status=404)
    assert "Page not found" in page


def test_logging_in_and_out_is_said_in_english(app, make):
    user, password = make.user(role="admin")
    db.session.commit()
    client = app.test_client()
    client.get("/login?lang=en")
    AuthActions(client).login(user.email, password)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "You are logged in." in page
    AuthActions(client).logout()
    assert "You are logged out." in client.get("/").get_data(as_text=True)


# Accounts


def test_the_user_pages_are_english(admin, organiser):
    data = _data(admin, organiser)
    _english(admin, "/admin/users", *data)
    _english(admin, "/admin/users/new", *data)
    _english(admin, f"/admin/users/{organiser.user.id}", *data)
    _english(admin, "/account/password", *data)


def test_a_bad_new_user_is_refused_in_english(admin):
    data = {"email": "not an address", "role": "organiser", "centre": "", "send_link": "y"}
    html = _post_english(admin, "/admin/users/new", data, status=400).get_data(as_text=True)
    assert "Invalid e-mail address: &#39;not an address&#39;" in html
    assert norwegian_left(html, data=(*_data(admin), "not an address")) == []


def test_a_new_user_is_confirmed_in_english(admin, world):
    data = {"email": "new@example.no", "role": "organiser", "centre": str(world["centre"].id)}
    answer = _post_english(admin, "/admin/users/new", data, status=302)
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The user new@example.no has been created." in page
    assert norwegian_left(page, data=(*_data(admin), "new@example.no")) == []


def test_a_short_new_password_is_refused_in_english(admin):
    data = {"current_password": "x", "new_password": "short", "confirm_password": "other"}
    html = _post_english(admin, "/account/password", data, status=400).get_data(as_text=True)
    assert "The password must have at least" in html
    assert "The passwords do not match." in html
    assert norwegian_left(html, data=_data(admin)) == []


# Events


def test_the_event_pages_are_english(organiser, world):
    event = world["event"]
    data = _data(organiser)
    _english(organiser, "/admin/events", *data)
    _english(organiser, "/admin/events/new", *data)
    _english(organiser, f"/admin/events/{event.id}/edit", *data)
    _english(organiser, f"/admin/events/{event.id}/cancel", *data)
    _english(organiser, "/admin/events/import", *data)


def test_a_cancelled_event_is_english(organiser, world):
    event = world["event"]
    data = {"reason": "The venue is closed."}
    answer = _post_english(organiser, f"/admin/events/{event.id}/cancel", data, status=302)
    page = _english(organiser, answer.headers["Location"], *_data(organiser))
    assert "The event is cancelled, and 0 registered people have been e-mailed." in page
    assert db.session.get(Event, event.id).status == EventStatus.CANCELLED


def _event_form(organiser, **fields) -> dict:
    focus_area = db.session.scalar(select(Event.focus_area_id))
    return {
        "title": "Beta course",
        "kind": "course",
        "focus_area": str(focus_area),
        "series": "",
        "certifies_kind": "",
        "format": "physical",
        "sessions-0-day": FIRST_DAY.isoformat(),
        "sessions-0-start_time": "09:00",
        "sessions-0-end_time": "15:00",
        "capacity": "20",
        "waitlist_enabled": "y",
        "open_to": "all",
        "save": "1",
    } | fields


def test_an_event_that_ends_before_it_starts_is_refused_in_english(organiser):
    form = _event_form(organiser, **{"sessions-0-end_time": "08:00", "min_participants": "30"})
    answer = _post_english(organiser, "/admin/events/new", form, status=400)
    html = answer.get_data(as_text=True)
    assert "Day 1: the end time must be after the start time." in html
    assert (
        "The minimum number of participants (30) cannot be larger than the capacity (20)." in html
    )
    assert norwegian_left(html, data=(*_data(organiser), "Beta course")) == []


def test_badly_written_event_fields_are_refused_in_english(organiser):
    form = _event_form(organiser, **{"sessions-0-day": "14.09", "capacity": "many", "title": ""})
    html = _post_english(organiser, "/admin/events/new", form, status=400).get_data(as_text=True)
    assert "Write the date as YYYY-MM-DD, e.g. 2026-09-14." in html
    assert "Enter a whole number." in html and "Enter a title." in html
    assert norwegian_left(html, data=_data(organiser)) == []


def test_a_deadline_after_the_start_is_refused_with_an_english_time(organiser):
    deadline = f"{(FIRST_DAY + timedelta(days=1)).isoformat()}T12:00"
    form = _event_form(organiser, registration_closes_at=deadline)
    html = _post_english(organiser, "/admin/events/new", form, status=400).get_data(as_text=True)
    expected = (
        f"The registration deadline must be before the first day starts (14 Sep {YEAR}, 09:00)."
    )
    assert expected in html


def test_a_new_event_and_its_copy_are_confirmed_in_english(organiser):
    answer = _post_english(organiser, "/admin/events/new", _event_form(organiser), status=302)
    page = _english(organiser, answer.headers["Location"], *_data(organiser), "Beta course")
    assert "The event has been saved as a draft." in page
    event = db.session.scalar(select(Event).where(Event.title == "Beta course"))
    token = _csrf_token(page)
    copied = organiser.post(
        f"/admin/events/{event.id}/duplicate", data={"csrf_token": token, "weeks": "1"}
    )
    page = _english(organiser, copied.headers["Location"], *_data(organiser), "Beta course")
    assert (FIRST_DAY + timedelta(weeks=1)).strftime("with the first day on %A %-d %B %Y") in page


def test_publishing_and_taking_back_are_said_in_english(organiser, world):
    event = world["event"]
    event.status = EventStatus.DRAFT
    db.session.commit()
    edit = f"/admin/events/{event.id}/edit"
    for action, said in (
        ("publish", "The event has been published."),
        ("unpublish", "The event has been changed back to a draft."),
    ):
        token = _csrf_token(organiser.get(f"{edit}?lang=en").get_data(as_text=True))
        organiser.post(f"/admin/events/{event.id}/{action}", data={"csrf_token": token})
        assert said in _english(organiser, edit, *_data(organiser))


def test_a_bad_filter_of_the_events_list_is_refused_in_english(organiser):
    response = organiser.get("/admin/events?lang=en&from=2027-09-14&to=2027-09-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The to date must be after the from date." in html
    assert norwegian_left(html, data=_data(organiser)) == []


def _upload(client, content: bytes):
    token = _csrf_token(client.get("/admin/events/import?lang=en").get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(content), "programme.csv")}
    return client.post("/admin/events/import", data=data, content_type="multipart/form-data")


HEADER = "ref;centre;title;kind;focus_area;starts_at;ends_at;venue;capacity"


def test_an_import_preview_is_english(organiser):
    row = f"A;alpha;Gamma course;course;quality;{YEAR}-09-14T09:00;{YEAR}-09-14T15:00;Hall B;12"
    answer = _upload(organiser, f"{HEADER}\n{row}".encode())
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    assert "Import 1 event" in html
    data = (*_data(organiser), "Gamma course", "Hall B", "Quality work", "programme.csv")
    # The kind's name is read from the event and shown translated: "Course".
    assert norwegian_left(html, data=data) == []


def test_import_problems_are_english(organiser):
    rows = [
        f"A;alpha;Gamma course;course;quality;{YEAR}-09-14T09:00;{YEAR}-09-14T08:00;Hall B;lots",
        f"B;alpha;Delta course;course;quality;{YEAR}-09-14T09:00;{YEAR}-09-14T15:00;Hall B;0",
    ]
    answer = _upload(organiser, "\n".join([HEADER, *rows]).encode())
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400, html
    assert "The file has 3 errors; nothing was imported." in html
    assert "«lots» is not a whole number." in html
    assert f"the end ({YEAR}-09-14 08:00) must be after the start ({YEAR}-09-14 09:00)." in html
    assert "must be a whole number from 1 to 100000 (was 0)." in html
    assert norwegian_left(html, data=(*_data(organiser), "programme.csv")) == []


def test_an_empty_upload_is_refused_in_english(organiser):
    html = _post_english(organiser, "/admin/events/import", {}, status=400).get_data(as_text=True)
    assert "Choose a file with the programme." in html
    assert norwegian_left(html, data=_data(organiser)) == []


# Setup


def test_the_setup_pages_are_english(admin, world):
    kind = db.session.scalar(select(CertificationKind))
    area = db.session.scalar(select(FocusArea))
    series = db.session.scalar(select(Series))
    pages = {
        "/admin/certification-kinds": kind.id,
        "/admin/focus-areas": area.id,
        "/admin/series": series.id,
        "/admin/centres": world["centre"].id,
    }
    data = (*_data(admin), "Mentor", "mentor", "Quality work", "quality", "Network Alpha")
    _english(admin, "/admin/setup", *data)
    for url, row_id in pages.items():
        _english(admin, url, *data, "network-alpha")
        _english(admin, f"{url}/new", *data)
        _english(admin, f"{url}/{row_id}", *data)


def test_a_saved_focus_area_is_confirmed_in_english(admin):
    data = {"slug": "safety", "name": "Patient safety"}
    answer = _post_english(admin, "/admin/focus-areas/new", data, status=303)
    page = _english(admin, answer.headers["Location"], *_data(admin), "Quality work", "quality")
    assert "«Patient safety» has been saved." in page


def test_a_setup_form_is_refused_in_english(admin):
    data = {"slug": "", "name": "Mentor two", "validity_months": "0"}
    answer = _post_english(admin, "/admin/certification-kinds/new", data, status=400)
    html = answer.get_data(as_text=True)
    assert "Enter a short name." in html and "Enter a number from 1 to 600." in html
    assert norwegian_left(html, data=(*_data(admin), "Mentor two")) == []
