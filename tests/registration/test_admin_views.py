"""The organiser's participant pages over HTTP: actions, mails, audit, and who sees what."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import _csrf_token
from tests.tables import csv_table, xlsx_table
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage
from usht_events.core.timezones import format_date_span, to_oslo
from usht_events.registration.models import Registration, RegistrationSource, RegistrationStatus

CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


@pytest.fixture
def world(app, make):
    """A full two-day course at Østfold: Kari and Ola have the seats, Per waits."""
    ostfold = make.centre("ostfold", name="USHT Østfold", region=("3107", "3105"))
    make.centre("buskerud", name="USHT Buskerud", region=("3301",))
    event = make.event(centre=ostfold, capacity=2, days=2, title="ProACT-instruktørkurs")
    kari = make.registration(event, make.person(name="Kari Nordmann", phone="912 34 567"))
    ola = make.registration(event, make.person(name="Ola Hansen", municipality="3105"))
    per = make.registration(event, make.person(name="Per Venter"), status=WAITLISTED)
    db.session.commit()
    return {"centre": ostfold, "event": event, "kari": kari, "ola": ola, "per": per}


@pytest.fixture
def organiser(login_as, world):
    return login_as("organiser", centre=world["centre"])


def _post(client, url, data=None):
    token = _csrf_token(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _status(registration) -> RegistrationStatus:
    return db.session.get(Registration, registration.id).status


def _urls(world) -> list[tuple[str, str]]:
    event_id, rid = world["event"].id, world["per"].id
    person_id = world["kari"].person_id
    return [
        ("get", f"/admin/events/{event_id}/registrations"),
        ("get", f"/admin/events/{event_id}/registrations.csv"),
        ("get", f"/admin/events/{event_id}/registrations.xlsx"),
        ("get", f"/admin/events/{event_id}/registrations/new"),
        ("post", f"/admin/events/{event_id}/registrations/new"),
        ("post", f"/admin/registrations/{rid}/cancel"),
        ("post", f"/admin/registrations/{rid}/promote"),
        ("post", f"/admin/registrations/{rid}/resend"),
        ("get", f"/admin/events/{event_id}/message"),
        ("post", f"/admin/events/{event_id}/message"),
        ("get", f"/admin/events/{event_id}/attendance-sheet"),
        ("get", f"/admin/people/{person_id}"),
    ]


def _call(client, method, url):
    return client.get(url) if method == "get" else _post(client, url)


def test_list_shows_counts_and_every_column(organiser, world):
    html = organiser.get(f"/admin/events/{world['event'].id}/registrations").get_data(as_text=True)
    for text in ("Kari Nordmann", "912 34 567", "Sarpsborg", "Hjemmetjenesten", "Sykepleier"):
        assert text in html
    assert "<dt>Bekreftet</dt><dd>2</dd>" in html
    assert "<dt>På venteliste</dt><dd>1</dd>" in html
    assert '<th scope="row">Fredrikstad</th><td>1</td><td>1</td>' in html


def test_list_filters_by_status(organiser, world):
    url = f"/admin/events/{world['event'].id}/registrations?status=waitlisted"
    html = organiser.get(url).get_data(as_text=True)
    assert "Per Venter" in html
    assert "Kari Nordmann" not in html


def test_exports_download_as_files_that_are_not_cached(organiser, world):
    url = f"/admin/events/{world['event'].id}/registrations"
    csv_response = organiser.get(url + ".csv")
    assert csv_response.mimetype == "text/csv"
    assert csv_response.headers["Cache-Control"] == "no-store"
    assert csv_response.headers["Content-Disposition"].startswith("attachment;")
    names = [row[0] for row in csv_table(csv_response.data)]
    assert names == ["Navn", "Kari Nordmann", "Ola Hansen", "Per Venter"]
    xlsx = organiser.get(url + ".xlsx?status=waitlisted")
    assert [row[0] for row in xlsx_table(xlsx.data)[1:]] == ["Per Venter"]


def test_exports_name_the_event_above_the_table_and_in_the_file_name(organiser, world, make):
    event = world["event"]
    make.registration(event, make.person(name="Siri Avmeldt"), status=CANCELLED)
    db.session.commit()
    url = f"/admin/events/{event.id}/registrations"
    response = organiser.get(url + ".csv")
    first_day = f"{to_oslo(event.starts_at):%Y-%m-%d}"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="pameldinger-proact-instruktorkurs-{first_day}.csv"'
    )
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "ProACT-instruktørkurs"
    assert lines[1] == f"{format_date_span(event.starts_at, event.ends_at)}, USHT Østfold"
    assert lines[2] == ""
    # The cancelled stay out of the list to print unless asked for.
    assert "Siri Avmeldt" not in [row[0] for row in csv_table(response.data)]
    with_cancelled = organiser.get(url + ".xlsx?with_cancelled=1")
    assert with_cancelled.headers["Content-Disposition"].endswith(f'-{first_day}.xlsx"')
    sheet = load_workbook(io.BytesIO(with_cancelled.data)).active
    assert sheet["A1"].value == "ProACT-instruktørkurs"
    assert sheet.freeze_panes == "B5"
    names = [row[0] for row in xlsx_table(with_cancelled.data)[1:]]
    assert names == ["Kari Nordmann", "Ola Hansen", "Per Venter", "Siri Avmeldt"]


def _add_form(client, event_id, **changes):
    url = f"/admin/events/{event_id}/registrations/new"
    page = client.get(url).get_data(as_text=True)
    data = {
        "csrf_token": _csrf_token(page),
        "name": "Åse Ødegård",
        "email": "Ase@Example.no",
        "phone": "",
        "municipality": "3107",
        "workplace": "Værøy sykehjem",
        "profession": "nurse",
        "needs": "",
        "consent": "y",
    }
    return client.post(url, data=data | changes)


def test_adding_by_hand_to_a_full_event_waitlists_mails_and_audits(organiser, world):
    response = _add_form(organiser, world["event"].id)
    assert response.status_code == 303
    registration = db.session.scalar(
        select(Registration).where(Registration.source == RegistrationSource.ORGANISER)
    )
    assert registration.person.email == "ase@example.no"
    assert registration.status == WAITLISTED
    assert _kinds() == ["waitlisted"]
    assert _actions() == ["registration.add"]


def test_adding_by_hand_shows_errors_beside_the_fields(organiser, world):
    response = _add_form(organiser, world["event"].id, name="", consent="", email="nei")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv inn navnet til personen." in html
    assert "Bekreft at personen har samtykket." in html
    assert "Skriv inn en gyldig e-postadresse" in html
    assert _kinds() == []


def test_adding_someone_already_registered_says_so(organiser, world):
    email = world["kari"].person.email
    response = _add_form(organiser, world["event"].id, email=email)
    assert response.status_code == 422
    assert "allerede påmeldt" in response.get_data(as_text=True)


REASON = "Du ringte og sa at du er syk den uken. God bedring!"


def test_cancelling_moves_the_next_one_up_and_mails_both(organiser, world):
    url = f"/admin/registrations/{world['kari'].id}/cancel"
    response = _post(organiser, url, {"reason": REASON})
    assert response.status_code == 303
    assert (_status(world["kari"]), _status(world["per"])) == (CANCELLED, CONFIRMED)
    assert _kinds() == ["cancelled_by_organiser", "promoted"]
    assert _actions() == ["registration.cancel"]
    html = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kari Nordmann er meldt av og får begrunnelsen på e-post. 1 fikk plass" in html


def test_the_organisers_cancellation_mails_its_reason_not_a_thank_you(organiser, world):
    _post(organiser, f"/admin/registrations/{world['kari'].id}/cancel", {"reason": REASON})
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "cancelled_by_organiser")
    ).one()
    assert mail.subject.startswith("Arrangøren har meldt deg av: ProACT-instruktørkurs")
    for body in (mail.body_text, mail.body_html):
        assert "Arrangøren har meldt deg av ProACT-instruktørkurs" in body
        assert REASON in body
        assert "Takk for at du ga beskjed" not in body
        assert "du har meldt deg av" not in body
    names = [attachment.filename for attachment in mail.attachments]
    assert names == ["avlysning-1.ics", "avlysning-2.ics"], "the two days leave the calendar"
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.summary.endswith(f"Begrunnelse: {REASON}")


def test_the_manage_page_tells_of_the_organisers_cancellation_and_its_reason(
    organiser, client, world
):
    _post(organiser, f"/admin/registrations/{world['kari'].id}/cancel", {"reason": REASON})
    page = client.get(f"/r/{world['kari'].token}").get_data(as_text=True)
    assert "Arrangøren har meldt deg av" in page
    assert f"Begrunnelse fra arrangøren: {REASON}" in page
    assert "Du er meldt av" not in page
    english = client.get(f"/r/{world['kari'].token}?lang=en").get_data(as_text=True)
    assert "The organiser has cancelled your place" in english
    assert REASON in english


def test_the_manage_page_of_ones_own_cancellation_gives_no_organisers_reason(client, world):
    token = world["kari"].token
    page = client.get(f"/r/{token}/cancel").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(f"/r/{token}/cancel", data={"csrf_token": csrf})
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Du er meldt av" in page
    assert "Arrangøren har meldt deg av" not in page
    assert db.session.get(Registration, world["kari"].id).cancellation_reason == ""


def test_the_participants_own_cancellation_keeps_its_thank_you(client, world):
    token = world["kari"].token
    page = client.get(f"/r/{token}/cancel").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/r/{token}/cancel", data={"csrf_token": csrf}).status_code == 303
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "cancelled")).one()
    assert "Takk for at du ga beskjed!" in mail.body_text
    assert _actions() == []


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_cancelling_without_a_fitting_reason_changes_nothing(organiser, world, reason):
    response = _post(
        organiser, f"/admin/registrations/{world['kari'].id}/cancel", {"reason": reason}
    )
    assert response.status_code == 303
    html = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kari Nordmann er ikke meldt av." in html
    assert _status(world["kari"]) == CONFIRMED
    assert (_kinds(), _actions()) == ([], [])


def test_the_participants_page_asks_for_the_reason_beside_the_cancel_button(organiser, world):
    html = organiser.get(f"/admin/events/{world['event'].id}/registrations").get_data(as_text=True)
    rid = world["kari"].id
    label = (
        f'<label class="ds-label" for="cancel-reason-{rid}">Begrunnelse til Kari Nordmann</label>'
    )
    assert label in html
    assert re.search(
        rf'<textarea[^>]*id="cancel-reason-{rid}"[^>]*name="reason"[^>]*required', html
    )


def test_promoting_without_a_free_seat_says_to_raise_the_capacity(organiser, world):
    response = _post(organiser, f"/admin/registrations/{world['per'].id}/promote")
    html = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Øk kapasiteten på arrangementet" in html
    assert _status(world["per"]) == WAITLISTED
    assert (_kinds(), _actions()) == ([], [])


def test_promoting_with_a_free_seat_confirms_and_mails(organiser, world):
    world["event"].capacity = 3
    db.session.commit()
    _post(organiser, f"/admin/registrations/{world['per'].id}/promote")
    assert _status(world["per"]) == CONFIRMED
    assert _kinds() == ["promoted"]
    assert _actions() == ["registration.promote"]


def test_resending_queues_a_fresh_confirmation(organiser, world):
    response = _post(organiser, f"/admin/registrations/{world['kari'].id}/resend")
    assert response.status_code == 303
    assert _kinds() == ["confirmation"]
    assert _actions() == ["registration.resend"]


def test_actions_without_a_csrf_token_are_refused(organiser, world):
    response = organiser.post(f"/admin/registrations/{world['kari'].id}/cancel")
    assert response.status_code == 400
    assert _status(world["kari"]) == CONFIRMED


def test_message_page_previews_how_many_get_it(organiser, world):
    html = organiser.get(f"/admin/events/{world['event'].id}/message").get_data(as_text=True)
    assert "Alle påmeldte (3 personer)" in html
    assert "De på ventelisten (1 person)" in html


def test_message_goes_through_the_outbox_once_per_recipient(organiser, world):
    url = f"/admin/events/{world['event'].id}/message"
    data = {"audience": "confirmed", "subject": "Husk matpakke", "body": "Ta med mat."}
    response = _post(organiser, url, data)
    assert response.status_code == 303
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert sorted(m.registration_id for m in messages) == [world["kari"].id, world["ola"].id]
    assert {m.kind for m in messages} == {"message"}
    assert _actions() == ["event.message"]


def test_message_without_subject_is_refused(organiser, world):
    url = f"/admin/events/{world['event'].id}/message"
    response = _post(organiser, url, {"audience": "all", "subject": "", "body": "x"})
    assert response.status_code == 422
    assert "Skriv inn et emne." in response.get_data(as_text=True)
    assert _kinds() == []


def test_attendance_sheet_lists_the_confirmed_with_a_column_per_session(organiser, world):
    url = f"/admin/events/{world['event'].id}/attendance-sheet"
    html = organiser.get(url).get_data(as_text=True)
    assert html.index("Kari Nordmann") < html.index("Ola Hansen")
    assert "Per Venter" not in html
    assert html.count('<th scope="col" class="attendance-sheet__signature">') == 2
    assert "css/print.css" in html


def test_person_page_shows_registrations_at_own_centre_only(login_as, make, organiser, world):
    person = world["kari"].person
    other = make.event(centre=make.centre("buskerud"), title="Buskerud-seminar")
    make.registration(other, person)
    db.session.commit()
    html = organiser.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "ProACT-instruktørkurs" in html
    assert "Buskerud-seminar" not in html
    admin_html = login_as("admin").get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Buskerud-seminar" in admin_html


def test_organiser_of_another_centre_gets_404_everywhere_and_sees_no_names(login_as, make, world):
    client = login_as("organiser", centre=make.centre("buskerud"))
    for method, url in _urls(world):
        response = _call(client, method, url)
        assert response.status_code == 404, url
        assert "Kari Nordmann" not in response.get_data(as_text=True)
    assert _status(world["per"]) == WAITLISTED
    assert (_kinds(), _actions()) == ([], [])


def test_municipality_contact_is_forbidden_everywhere(login_as, world):
    client = login_as("municipality", municipalities=("3107",))
    for method, url in _urls(world):
        assert _call(client, method, url).status_code == 403, url


def test_anonymous_visitor_is_sent_to_log_in(client, world):
    for method, url in _urls(world):
        response = _call(client, method, url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
