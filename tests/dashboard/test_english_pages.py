"""The organiser's pages in English (?lang=en): the overview, decisions, failed mail, the
event log, certifying and certifications, their import, the event's questions, adding a
participant, the attendance sheet and a person's page leave no Norwegian behind but data.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.certification.conftest import attend
from tests.conftest import _csrf_token
from tests.language import norwegian_left, visible_text
from usht_events.catalogue import questions
from usht_events.catalogue.models import CertificationKind, Event, EventQuestion, QuestionKind
from usht_events.catalogue.questions import QuestionSpec
from usht_events.certification.models import Certification, CertificationSource
from usht_events.core.audit import AuditEntry, record_action
from usht_events.core.db import db, utcnow
from usht_events.organisations.models import Centre, Municipality
from usht_events.registration.corrections import SELF_CORRECTION
from usht_events.registration.decisions import too_few_reason
from usht_events.registration.models import Answer, Registration, RegistrationStatus

EN = "?lang=en"


@dataclass
class World:
    """A finished course that certifies, an event awaiting its decision, and their people."""

    centre: Centre
    kind: CertificationKind
    course: Event
    day: Event
    completed: Registration
    halfway: Registration
    waiting: Registration
    certified: Registration
    question: EventQuestion
    certification: Certification
    revoked: Certification


@pytest.fixture
def world(app, make) -> World:
    centre = make.centre("west", region=("3107", "3101"), name="USHT West")
    kind = make.certification_kind("trainer", name="Trainer", validity_months=24)
    start = (utcnow() - timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    course = make.event(
        centre=centre,
        title="Alpha Course",
        venue="Main hall",
        starts_at=start,
        days=2,
        certifies_kind=kind,
        registration_opens_at=start - timedelta(days=40),
        registration_closes_at=start - timedelta(days=1),
    )
    day = make.event(
        centre=centre,
        title="Beta Day",
        venue="Main hall",
        starts_at=utcnow() + timedelta(days=3),
        min_participants=3,
        decision_at=utcnow() - timedelta(hours=1),
    )

    def person(name: str, email: str):
        return make.person(name=name, email=email, workplace="Home care", phone="912 34 567")

    completed = make.registration(course, person=person("Anna Smith", "anna@example.org"))
    halfway = make.registration(course, person=person("Ben Jones", "ben@example.org"))
    waiting = make.registration(
        course,
        person=person("Cara Lee", "cara@example.org"),
        status=RegistrationStatus.WAITLISTED,
    )
    certified = make.registration(course, person=person("Dan Brown", "dan@example.org"))
    make.registration(day, person=completed.person)
    attend(completed)
    attend(certified)
    attend(halfway, course.sessions[0])
    spec = QuestionSpec("Which group?", QuestionKind.ONE_CHOICE, True, "Pick one", ["Red", "Blue"])
    question = questions.add_question(db.session, None, course.id, spec)
    db.session.add(Answer(registration_id=completed.id, question_id=question.id, value="Red"))
    certification = make.certification(
        person=certified.person, kind=kind, event=course, source=CertificationSource.EVENT
    )
    revoked = make.certification(
        person=make.person(name="Eve Adams", email="eve@example.org", workplace="Home care"),
        kind=kind,
        imported_from="staff.csv",
        revoked_at=utcnow(),
        revoked_reason="Wrong person",
    )
    record_action(db.session, None, SELF_CORRECTION, "Rettet telefonnummeret.", course.id)
    make.failed_mail(course, subject="Confirmation: Alpha Course")
    db.session.commit()
    return World(
        centre, kind, course, day, completed, halfway, waiting, certified, question,
        certification, revoked,
    )  # fmt: skip


@pytest.fixture
def organiser(login_as, world):
    client = login_as("organiser", centre=world.centre)
    assert client.get(f"/admin{EN}").status_code == 200  # English from now on
    return client


def _data(world: World, client, *more: str) -> tuple[str, ...]:
    """What the pages show that is data: names, titles, places, addresses, and the log's
    summaries, which were written in Norwegian when the change was made."""
    people = db.session.scalars(select(Registration)).all()
    return (
        world.centre.name,
        world.kind.name,
        world.course.title,
        world.day.title,
        "Main hall",
        "Home care",
        "Which group?",
        "Pick one",
        "Red",
        "Blue",
        "staff.csv",
        "Wrong person",
        "Eve Adams",
        "eve@example.org",
        "deltaker@example.no",  # the failed mail's address
        client.user.name,
        client.user.email,
        *(item.person.name for item in people),
        *(item.person.email for item in people),
        *db.session.scalars(select(Municipality.name)),
        *db.session.scalars(select(Municipality.county_name)),
        *db.session.scalars(select(AuditEntry.summary)),
        *more,
    )


def _post(client, path: str, data: dict | None = None, **options):
    token = _csrf_token(client.get(f"/admin{EN}").get_data(as_text=True))
    return client.post(f"{path}{EN}", data={"csrf_token": token, **(data or {})}, **options)


def _left(html: str, world, client, *more: str) -> list[str]:
    """The Norwegian on the page that is not data."""
    assert '<html lang="en"' in html
    return norwegian_left(html, data=_data(world, client, *more))


def _english(client, world, path: str, *more: str) -> str:
    """The page's visible text, once it is checked to be English."""
    response = client.get(f"{path}{EN}")
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert _left(html, world, client, *more) == [], path
    return visible_text(html)


def test_the_overview_failed_mail_and_event_log_are_english(organiser, world):
    html = _english(organiser, world, "/admin")
    assert "Awaiting a decision (1)" in html
    _english(organiser, world, "/admin/mail/failed")
    log = _english(organiser, world, f"/admin/events/{world.course.id}/log")
    assert "The participant" in log and "Automatic" in log


def test_the_cancel_step_of_a_decision_is_english(organiser, world):
    answer = _post(organiser, f"/admin/events/{world.day.id}/decision", {"decision": "cancel"})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Yes, cancel the event" in html
    # The reason is filled in for the participants, who read Norwegian mail by default.
    prefilled = too_few_reason(1, world.day.min_participants)
    assert _left(html, world, organiser, prefilled) == []
    refused = _post(
        organiser,
        f"/admin/events/{world.day.id}/decision",
        {"decision": "cancel", "reason": ""},
    )
    assert refused.status_code == 400
    assert "Write why the event is cancelled." in refused.get_data(as_text=True)


def test_certifying_and_a_certification_are_english(organiser, world):
    html = _english(organiser, world, f"/admin/events/{world.course.id}/certify")
    assert "Will be certified (1)" in html and "Already certified (1)" in html
    assert "Attended 1 of 2 sessions; 2 are required." in html
    assert "Is on the waiting list." in html
    _english(organiser, world, f"/admin/certifications/{world.certification.id}")
    revoked = _english(organiser, world, f"/admin/certifications/{world.revoked.id}")
    assert "Revoked " in revoked and "Imported: staff.csv" in revoked
    done = _post(organiser, f"/admin/events/{world.course.id}/certify")
    assert done.status_code == 303
    page = _english(organiser, world, f"/admin/events/{world.course.id}/certify")
    assert "1 participant is certified as Trainer." in page


def _upload(client, content: bytes, filename: str):
    page = client.get(f"/admin/certifications/import{EN}").get_data(as_text=True)
    data = {"csrf_token": _csrf_token(page), "file": (io.BytesIO(content), filename)}
    return client.post(
        f"/admin/certifications/import{EN}", data=data, content_type="multipart/form-data"
    )


def test_the_certification_import_is_english(organiser, world):
    _english(organiser, world, "/admin/certifications/import")
    header = "name;email;municipality;workplace;kind;issued_on;expires_on;source"
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    good = f"Finn Hall;finn@example.org;3107;Home care;trainer;{yesterday};;staff.csv"
    preview = _upload(organiser, f"{header}\r\n{good}".encode(), "list.csv")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Import 1 certification" in html and "(new person)" in html
    assert _left(html, world, organiser, "Finn Hall", "list.csv") == []
    bad = "Gil Ray;not-an-address;9999;;unknown;2099-01-01;;"
    refused = _upload(organiser, f"{header}\r\n{bad}".encode(), "list.csv")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "“not-an-address” is not a valid e-mail address." in html
    assert "2099-01-01 is in the future." in html
    assert _left(html, world, organiser, "list.csv") == []
    empty = _upload(organiser, b"", "list.csv")
    assert empty.status_code == 400
    assert "Choose a file with certifications." in empty.get_data(as_text=True)


def test_the_questions_pages_are_english(organiser, world):
    path = f"/admin/events/{world.course.id}/questions"
    html = _english(organiser, world, path)
    assert "1 person has answered." in html and "One choice" in html
    _english(organiser, world, f"{path}/{world.question.id}")
    added = _post(organiser, path, {"label": "Which team?", "kind": "short_text"})
    assert added.status_code == 303
    html = _english(organiser, world, path, "Which team?")
    assert "The question “Which team?” has been added to the registration form." in html


def test_an_invalid_question_is_refused_in_english(organiser, world):
    path = f"/admin/events/{world.course.id}/questions"
    empty = _post(organiser, path, {"label": "", "kind": "short_text"})
    assert empty.status_code == 400
    html = empty.get_data(as_text=True)
    assert 'id="label-error">Write the question.' in html
    assert _left(html, world, organiser) == []
    one_choice = _post(organiser, path, {"label": "Pick", "kind": "one_choice", "choices": "Red"})
    assert one_choice.status_code == 400
    html = one_choice.get_data(as_text=True)
    assert 'id="choices-error">Write at least two options, one per line.' in html
    assert _left(html, world, organiser, "Pick") == []


def test_adding_a_participant_is_english_and_so_are_its_errors(organiser, world):
    path = f"/admin/events/{world.day.id}/registrations/new"
    _english(organiser, world, path)
    refused = _post(organiser, path, {"name": "", "email": "nope"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Enter the person's name." in visible_text(html)
    # The example address in the e-mail error ("name@kommune.no") is an address, not words.
    assert _left(html, world, organiser, "nope", "name@kommune.no") == []


def test_the_attendance_sheet_and_the_person_page_are_english(organiser, world):
    sheet = _english(organiser, world, f"/admin/events/{world.course.id}/attendance-sheet")
    assert "Signature" in sheet
    person = _english(organiser, world, f"/admin/people/{world.completed.person_id}")
    assert "2 of 2 sessions" in person and "Nurse" in person
