"""The organiser's event editor over HTTP: forms, mails, the audit log, and who may do what."""

import io
import re
from datetime import date, time, timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from usht_events.catalogue.importer import import_events
from usht_events.catalogue.models import Event, EventKind, EventStatus
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.outbox import OutboxMessage
from usht_events.core.timezones import oslo_datetime, to_oslo
from usht_events.registration.models import RegistrationStatus

YEAR = utcnow().year + 1
DAY_ONE = date(YEAR, 9, 14)


class FormFields(HTMLParser):
    """The values a browser would submit from the first POST form in the page's <main>,
    or from the form with the given id."""

    def __init__(self, form_id: str | None = None):
        super().__init__()
        self.form_id = form_id
        self.fields: dict[str, object] = {}
        self._state = "header"
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main" and self._state == "header":
            self._state = "before"
        wanted = self.form_id is None or attrs.get("id") == self.form_id
        if tag == "form" and self._state == "before" and attrs.get("method") == "post" and wanted:
            self._state = "inside"
        if self._state != "inside":
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self._add(name, attrs.get("value", ""), attrs.get("type") == "checkbox")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._state == "inside":
            self._state = "after"
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def _add(self, name, value, many):
        if many and name in self.fields:
            existing = self.fields[name]
            self.fields[name] = (
                [*existing, value] if isinstance(existing, list) else [existing, value]
            )
        else:
            self.fields[name] = value


def form_of(response, form_id: str | None = None) -> dict[str, object]:
    assert response.status_code == 200, response.get_data(as_text=True)
    parser = FormFields(form_id)
    parser.feed(response.get_data(as_text=True))
    # A textarea's text starts after a newline the browser drops.
    return {k: v.removeprefix("\n") if isinstance(v, str) else v for k, v in parser.fields.items()}


def token(client, csrf_token) -> str:
    return csrf_token(client.get("/admin/events").get_data(as_text=True))


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def centre(make):
    """USHT Østfold with part of its region, a focus area and a certification kind."""
    make.focus_area()
    make.certification_kind()
    return make.centre("ostfold", name="USHT Østfold", region=("3101", "3105", "3107"))


@pytest.fixture
def organiser(login_as, centre):
    return login_as("organiser", centre=centre)


def new_event_form(make, csrf, **fields) -> dict:
    """A filled-in form for a two-day ProACT instructor course."""
    values = {
        "csrf_token": csrf,
        "title": "ProACT-instruktørkurs",
        "kind": "instructor_course",
        "focus_area": str(make.focus_area().id),
        "series": "",
        "certifies_kind": str(make.certification_kind().id),
        "format": "physical",
        "venue": "Mysen helsehus",
        "sessions-0-day": DAY_ONE.isoformat(),
        "sessions-0-start_time": "09:00",
        "sessions-0-end_time": "15:30",
        "sessions-1-day": (DAY_ONE + timedelta(days=1)).isoformat(),
        "sessions-1-start_time": "09:00",
        "sessions-1-end_time": "15:00",
        "capacity": "16",
        "waitlist_enabled": "y",
        "seats_per_municipality": "2",
        "min_participants": "8",
        "registration_closes_at": f"{(DAY_ONE - timedelta(days=7)).isoformat()}T12:00",
        "required_sessions": "",
        "open_to": "selected",
        "eligible": ["3101", "3107"],
        "save": "1",
    }
    return values | fields


def outbox(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def actions(event_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.event_id == event_id).order_by(AuditEntry.id)
        )
    )


def test_organiser_creates_an_event_with_two_sessions(organiser, make, csrf_token):
    response = organiser.post(
        "/admin/events/new", data=new_event_form(make, token(organiser, csrf_token))
    )
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert response.headers["Location"].endswith(f"/admin/events/{event.id}/edit")
    assert event.status == EventStatus.DRAFT and event.centre_id == organiser.user.centre_id
    starts = [to_oslo(s.starts_at) for s in event.sessions]
    assert [(s.date(), s.time()) for s in starts] == [
        (DAY_ONE, time(9)),
        (DAY_ONE + timedelta(1), time(9)),
    ]
    assert (event.capacity, event.seats_per_municipality, event.min_participants) == (16, 2, 8)
    assert event.certifies_kind is not None
    assert {m.number for m in event.eligible_municipalities} == {"3101", "3107"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.event_id == event.id))
    assert (entry.action, entry.user_id) == ("event.create", organiser.user.id)


def test_add_day_shows_one_more_row_and_saves_nothing(organiser, make, csrf_token):
    data = new_event_form(make, token(organiser, csrf_token), add_session="Legg til dag")
    del data["save"]
    response = organiser.post("/admin/events/new", data=data)
    assert response.status_code == 200
    assert 'name="sessions-2-day"' in html(response)
    assert 'value="ProACT-instruktørkurs"' in html(response)
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_an_empty_extra_row_is_ignored(organiser, make, csrf_token):
    data = new_event_form(make, token(organiser, csrf_token), **{"sessions-2-day": ""})
    assert organiser.post("/admin/events/new", data=data).status_code == 302
    assert len(db.session.scalar(select(Event)).sessions) == 2


def test_errors_are_shown_in_norwegian_and_nothing_saved(organiser, make, csrf_token):
    data = new_event_form(
        make,
        token(organiser, csrf_token),
        **{"sessions-1-end_time": "08:00", "min_participants": "20", "sessions-0-day": "14.09"},
    )
    response = organiser.post("/admin/events/new", data=data)
    assert response.status_code == 400
    page = html(response)
    assert "Skriv datoen som ÅÅÅÅ-MM-DD" in page
    assert 'href="#sessions-0-day"' in page
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_rule_errors_are_shown_beside_their_fields(organiser, make, csrf_token):
    data = new_event_form(
        make,
        token(organiser, csrf_token),
        **{"sessions-1-end_time": "08:00", "min_participants": "20", "registration_closes_at": ""},
    )
    page = html(organiser.post("/admin/events/new", data=data))
    assert "Dag 2: sluttidspunktet må være etter starttidspunktet." in page
    assert "Minste antall deltakere (20) kan ikke være større enn kapasiteten (16)." in page
    assert 'href="#sessions-1-end_time"' in page and 'href="#min_participants"' in page


def test_raising_capacity_promotes_and_mails_the_waiting(organiser, make, centre):
    event = make.event(centre=centre, capacity=1)
    make.registration(event)
    waiting = make.registration(event, status=RegistrationStatus.WAITLISTED)
    url = f"/admin/events/{event.id}/edit"
    data = form_of(organiser.get(url), "event-form") | {"capacity": "2"}
    response = organiser.post(url, data=data)
    assert response.status_code == 302, html(response)
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert [m.registration_id for m in outbox("promoted")] == [waiting.id]
    assert outbox("event_changed") == [] and event.sequence == 0
    assert actions(event.id) == ["event.update"]


def test_capacity_below_confirmed_is_refused_beside_the_field(organiser, make, centre):
    event = make.event(centre=centre, capacity=2)
    make.registration(event)
    make.registration(event)
    url = f"/admin/events/{event.id}/edit"
    response = organiser.post(
        url, data=form_of(organiser.get(url), "event-form") | {"capacity": "1"}
    )
    assert response.status_code == 400
    assert "lavere enn antall bekreftede" in html(response)
    db.session.refresh(event)
    assert event.capacity == 2 and actions(event.id) == []


def test_moving_a_session_raises_sequence_and_mails_everyone(organiser, make, centre):
    event = make.event(centre=centre, days=2)
    make.registration(event)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    make.registration(event, status=RegistrationStatus.CANCELLED)
    url = f"/admin/events/{event.id}/edit"
    data = form_of(organiser.get(url), "event-form")
    later = date.fromisoformat(data["sessions-1-day"]) + timedelta(days=7)
    response = organiser.post(url, data=data | {"sessions-1-day": later.isoformat()})
    assert response.status_code == 302, html(response)
    db.session.refresh(event)
    assert event.sequence == 1
    assert to_oslo(event.sessions[1].starts_at).date() == later
    assert len(outbox("event_changed")) == 2


def test_saving_unchanged_form_changes_nothing(organiser, make, centre):
    event = make.event(centre=centre, days=2, eligible=("3101",), summary="Kort")
    url = f"/admin/events/{event.id}/edit"
    assert organiser.post(url, data=form_of(organiser.get(url), "event-form")).status_code == 302
    db.session.refresh(event)
    summaries = db.session.scalars(select(AuditEntry.summary)).all()
    assert event.sequence == 0 and summaries == [] and outbox("event_changed") == []


def test_cancel_page_says_how_many_will_be_told(organiser, make, centre):
    event = make.event(centre=centre)
    make.registration(event)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    page = html(organiser.get(f"/admin/events/{event.id}/cancel"))
    assert "2 påmeldte" in page and 'name="reason"' in page


def test_cancel_tells_every_active_registration(organiser, make, centre, csrf_token):
    event = make.event(centre=centre)
    make.registration(event)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    make.registration(event, status=RegistrationStatus.CANCELLED)
    url = f"/admin/events/{event.id}/cancel"
    data = {"csrf_token": token(organiser, csrf_token), "reason": "For få påmeldte."}
    assert organiser.post(url, data=data).status_code == 302
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED
    assert event.cancellation_reason == "For få påmeldte."
    assert len(outbox("event_cancelled")) == 2
    assert actions(event.id) == ["event.cancel"]


def test_cancel_needs_a_reason(organiser, make, centre, csrf_token):
    event = make.event(centre=centre)
    url = f"/admin/events/{event.id}/cancel"
    response = organiser.post(url, data={"csrf_token": token(organiser, csrf_token), "reason": ""})
    assert response.status_code == 400 and "Skriv en kort begrunnelse." in html(response)


def test_duplicate_makes_a_draft_copy(organiser, make, centre, csrf_token):
    start = oslo_datetime(DAY_ONE, time(9))
    event = make.event(centre=centre, starts_at=start, days=2)
    make.registration(event)
    data = {"csrf_token": token(organiser, csrf_token), "weeks": "26", "first_day": ""}
    response = organiser.post(f"/admin/events/{event.id}/duplicate", data=data)
    copy = db.session.scalar(select(Event).where(Event.id != event.id))
    assert response.headers["Location"].endswith(f"/admin/events/{copy.id}/edit")
    assert copy.status == EventStatus.DRAFT and copy.title == event.title
    assert to_oslo(copy.sessions[0].starts_at).date() == DAY_ONE + timedelta(weeks=26)
    assert actions(copy.id) == ["event.duplicate"]


def test_duplicate_needs_weeks_or_a_day(organiser, make, centre, csrf_token):
    event = make.event(centre=centre)
    data = {"csrf_token": token(organiser, csrf_token), "weeks": "", "first_day": ""}
    organiser.post(f"/admin/events/{event.id}/duplicate", data=data)
    assert db.session.scalar(select(func.count(Event.id))) == 1
    page = html(organiser.get(f"/admin/events/{event.id}/edit"))
    assert "Fyll inn enten antall uker eller en ny første dag." in page


def test_publish_then_unpublish(organiser, make, centre, csrf_token):
    event = make.event(centre=centre, status=EventStatus.DRAFT, published_at=None)
    csrf = {"csrf_token": token(organiser, csrf_token)}
    assert organiser.post(f"/admin/events/{event.id}/publish", data=csrf).status_code == 302
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    assert organiser.post(f"/admin/events/{event.id}/unpublish", data=csrf).status_code == 302
    db.session.refresh(event)
    assert event.status == EventStatus.DRAFT
    assert actions(event.id) == ["event.publish", "event.unpublish"]


def test_unpublish_is_refused_in_norwegian_while_anyone_has_a_place(
    organiser, make, centre, csrf_token
):
    event = make.event(centre=centre)
    make.registration(event)
    csrf = {"csrf_token": token(organiser, csrf_token)}
    organiser.post(f"/admin/events/{event.id}/unpublish", data=csrf)
    page = html(organiser.get(f"/admin/events/{event.id}/edit"))
    assert "1 aktive påmeldinger og kan ikke gjøres om til utkast" in page
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED and actions(event.id) == []


def test_list_shows_own_events_with_counts(organiser, make, centre):
    event = make.event(centre=centre, title="Demensomsorgens ABC", capacity=20)
    make.registration(event)
    make.registration(event, status=RegistrationStatus.WAITLISTED)
    long_ago = utcnow() - timedelta(days=30)
    make.event(
        centre=centre,
        title="Gammelt kurs",
        starts_at=long_ago,
        registration_opens_at=long_ago - timedelta(days=30),
    )
    make.event(centre=make.centre("vestfold"), title="Vestfold-kurs")
    page = html(organiser.get("/admin/events"))
    assert "Demensomsorgens ABC" in page
    assert re.search(r'class="fill__text" id="fill-\d+">1 / 20</span>', page)
    assert f'href="/admin/events/{event.id}/registrations">Demensomsorgens ABC</a>' in page
    assert f'href="/admin/events/{event.id}/edit"' in page
    assert "Gammelt kurs" not in page and "Vestfold-kurs" not in page
    assert "Gammelt kurs" in html(organiser.get("/admin/events?when=past"))
    assert "Demensomsorgens ABC" not in html(organiser.get("/admin/events?status=draft"))


def test_list_searches_title_and_filters_by_kind_and_dates(organiser, make, centre):
    now = utcnow()
    make.event(centre=centre, title="ProACT-instruktørkurs", kind=EventKind.INSTRUCTOR_COURSE)
    make.event(centre=centre, title="Fagdag om ernæring", kind=EventKind.PROFESSIONAL_DAY)
    later = make.event(centre=centre, title="Konferanse i mai", starts_at=now + timedelta(90))
    searched = html(organiser.get("/admin/events?q=proact"))
    assert "ProACT-instruktørkurs" in searched and "Fagdag om ernæring" not in searched
    kinds = html(organiser.get("/admin/events?kind=professional_day"))
    assert "Fagdag om ernæring" in kinds and "ProACT-instruktørkurs" not in kinds
    day = to_oslo(later.starts_at).date().isoformat()
    dated = html(organiser.get(f"/admin/events?from={day}&to={day}"))
    assert "Konferanse i mai" in dated and "Fagdag om ernæring" not in dated


def test_list_explains_a_bad_date_with_400(organiser):
    response = organiser.get("/admin/events?from=2027-13-40&to=2027-01-01")
    assert response.status_code == 400
    assert "Skriv datoen som ÅÅÅÅ-MM-DD" in html(response)


def test_administrator_sees_every_centre_and_chooses_one(login_as, make, centre):
    make.event(centre=make.centre("vestfold"), title="Vestfold-kurs")
    admin = login_as("admin")
    assert "Vestfold-kurs" in html(admin.get("/admin/events"))
    assert 'name="centre"' in html(admin.get("/admin/events/new"))


def test_organiser_has_no_centre_choice(organiser):
    assert 'name="centre"' not in html(organiser.get("/admin/events/new"))


EVENT_URLS = [
    ("get", "/admin/events/{id}/edit"),
    ("post", "/admin/events/{id}/edit"),
    ("post", "/admin/events/{id}/duplicate"),
    ("post", "/admin/events/{id}/publish"),
    ("post", "/admin/events/{id}/unpublish"),
    ("get", "/admin/events/{id}/cancel"),
    ("post", "/admin/events/{id}/cancel"),
]


@pytest.mark.parametrize(("method", "url"), EVENT_URLS)
def test_organiser_of_another_centre_gets_404(organiser, make, csrf_token, method, url):
    other = make.event(centre=make.centre("vestfold"))
    data = {"csrf_token": token(organiser, csrf_token), "reason": "x", "weeks": "1"}
    response = getattr(organiser, method)(url.format(id=other.id), data=data)
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.status == EventStatus.PUBLISHED and actions(other.id) == []


@pytest.mark.parametrize(
    "url", ["/admin/events", "/admin/events/new", "/admin/events/import", "/admin/events/1/edit"]
)
def test_municipality_contact_gets_403(login_as, centre, url):
    assert login_as("municipality").get(url).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/admin/events")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Importing a programme


def csv_file(*rows: str) -> bytes:
    header = "ref;centre;title;kind;focus_area;starts_at;ends_at;venue;capacity"
    return "\n".join([header, *rows]).encode()


GOOD_ROWS = (
    f"A;ostfold;HHLR-instruktørkurs;kurs;leve-hele-livet;{YEAR}-09-14T09:00;{YEAR}-09-14T15:00;Mysen;12",
    f"A;ostfold;HHLR-instruktørkurs;kurs;leve-hele-livet;{YEAR}-09-15T09:00;{YEAR}-09-15T15:00;Mysen;12",
    f"B;ostfold;Fagdag demens;fagdag;leve-hele-livet;{YEAR}-10-01T09:00;{YEAR}-10-01T15:00;Sarpsborg;80",
)


def upload(client, csrf, content: bytes, filename: str = "program.csv"):
    data = {"csrf_token": csrf, "file": (io.BytesIO(content), filename)}
    return client.post("/admin/events/import", data=data, content_type="multipart/form-data")


def test_import_preview_shows_rows_and_saves_nothing(organiser, centre, csrf_token):
    response = upload(organiser, token(organiser, csrf_token), csv_file(*GOOD_ROWS))
    page = html(response)
    assert response.status_code == 200, page
    assert "HHLR-instruktørkurs" in page and "Fagdag demens" in page
    assert "Importer 2 arrangementer" in page
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_confirm_saves_every_event(organiser, centre, csrf_token):
    preview = upload(organiser, token(organiser, csrf_token), csv_file(*GOOD_ROWS))
    response = organiser.post("/admin/events/import", data=form_of(preview))
    assert response.status_code == 302
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert [(e.title, len(e.sessions)) for e in events] == [
        ("HHLR-instruktørkurs", 2),
        ("Fagdag demens", 1),
    ]
    assert all(actions(e.id) == ["event.import"] for e in events)


def test_xlsx_preview(organiser, centre, csrf_token):
    workbook = Workbook()
    for line in csv_file(*GOOD_ROWS).decode().splitlines():
        workbook.active.append(line.split(";"))
    content = io.BytesIO()
    workbook.save(content)
    response = upload(organiser, token(organiser, csrf_token), content.getvalue(), "plan.xlsx")
    assert response.status_code == 200 and "Importer 2 arrangementer" in html(response)


def test_a_bad_file_shows_row_and_column_errors_and_saves_nothing(organiser, centre, csrf_token):
    bad = GOOD_ROWS[2].replace(f"{YEAR}-10-01T15:00", "i morgen").replace(";80", ";null")
    response = upload(organiser, token(organiser, csrf_token), csv_file(*GOOD_ROWS[:2], bad))
    page = html(response)
    assert response.status_code == 400
    assert re.search(r"<td>4</td>\s*<td>ends_at</td>", page)
    assert re.search(r"<td>4</td>\s*<td>capacity</td>", page)
    assert "ingenting er importert" in page
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_another_centres_programme_is_refused(organiser, make, centre, csrf_token):
    make.centre("vestfold")
    row = GOOD_ROWS[2].replace("B;ostfold", "B;vestfold")
    page = html(upload(organiser, token(organiser, csrf_token), csv_file(row)))
    assert "du kan bare importere arrangementer for ditt eget senter" in page
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_a_swapped_file_is_refused_at_confirm(organiser, centre, csrf_token):
    preview = upload(organiser, token(organiser, csrf_token), csv_file(*GOOD_ROWS))
    data = form_of(preview)
    other = upload(organiser, data["csrf_token"], csv_file(GOOD_ROWS[2]))
    data["content"] = form_of(other)["content"]
    response = organiser.post("/admin/events/import", data=data)
    assert response.headers["Location"].endswith("/admin/events/import")
    assert "Last opp filen på nytt" in html(organiser.get("/admin/events/import"))
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_upload_without_a_file_is_refused(organiser, centre, csrf_token):
    response = organiser.post(
        "/admin/events/import", data={"csrf_token": token(organiser, csrf_token)}
    )
    assert response.status_code == 400 and "Velg en fil med programmet." in html(response)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_import_template_reads_back_as_a_valid_programme(organiser, make, centre, extension):
    """The downloaded template, imported as it is, creates its example event."""
    make.focus_area("demens", "Demensplan 2025")
    response = organiser.get(f"/admin/events/import/template.{extension}")
    assert response.status_code == 200
    assert f'filename="mal-program.{extension}"' in response.headers["Content-Disposition"]
    result = import_events(db.session, f"mal.{extension}", response.data, utcnow(), publish=False)
    (item,) = result
    assert item.event.title == "ProACT-instruktørkurs"
    assert item.event.centre == centre and len(item.event.sessions) == 2


def test_web_import_as_drafts_publishes_nothing(organiser, make, centre, csrf_token):
    make.focus_area("demens", "Demensplan 2025")
    template = organiser.get("/admin/events/import/template.csv").data
    page = organiser.post(
        "/admin/events/import",
        data={
            "csrf_token": token(organiser, csrf_token),
            "file": (io.BytesIO(template), "program.csv"),
            "as_drafts": "y",
        },
        content_type="multipart/form-data",
    )
    preview = html(page)
    assert "blir opprettet som utkast" in preview
    confirm = form_of(page)
    organiser.post("/admin/events/import", data=confirm)
    (event,) = db.session.scalars(select(Event)).all()
    assert event.status == EventStatus.DRAFT
    assert actions(event.id) == ["event.import"]
