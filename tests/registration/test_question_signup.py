"""An event's own questions on the sign-up form: shown, checked beside their fields, stored
with the place, and shown to the organiser, in the exports and on the person's page."""

import re

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from tests.registration.test_signup_views import _form_fields, _valid
from tests.tables import csv_table, xlsx_table
from usht_events.catalogue.models import EventQuestion, QuestionKind
from usht_events.core.db import db
from usht_events.registration.models import Answer, Registration


@pytest.fixture
def event(app, make):
    make.municipality("3107")
    event = make.event(title="Demensomsorgens ABC", capacity=30)
    questions = [
        ("Hvilken ABC-gruppe tilhører du?", QuestionKind.ONE_CHOICE, True, "Mysen\nAskim"),
        ("Har leder godkjent deltakelsen?", QuestionKind.YES_NO, True, ""),
        ("Hvilke dager passer?", QuestionKind.SEVERAL_CHOICES, False, "Mandag\nTirsdag\nOnsdag"),
        ("Stilling", QuestionKind.SHORT_TEXT, False, ""),
    ]
    event.questions = [
        EventQuestion(position=number, label=label, kind=kind, required=required, choices_text=text)
        for number, (label, kind, required, text) in enumerate(questions, start=1)
    ]
    event.questions[0].help_text = "Gruppen du følger på arbeidsplassen."
    db.session.commit()
    return event


def _fields(event) -> dict[str, str]:
    return {question.label: f"question_{question.id}" for question in event.questions}


def _post(client, event, **answers):
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    return client.post(f"/events/{event.id}", data=_form_fields(page) | _valid() | answers)


def _answers() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(EventQuestion.label, Answer.value)
        .join(Answer.question)
        .order_by(EventQuestion.position)
    )
    return [tuple(row) for row in rows]


def test_the_form_asks_each_question_in_its_own_way(client, event):
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    names = _fields(event)
    group = names["Hvilken ABC-gruppe tilhører du?"]
    # A choice is a fieldset whose legend is the question, with its hint.
    assert re.search(
        rf'<fieldset class="ds-fieldset form-field" id="{group}" aria-describedby="{group}-hint">'
        r"\s*<legend class=\"ds-label\">Hvilken ABC-gruppe tilhører du\?</legend>",
        page,
    )
    assert 'type="radio" value="Askim"' in page and f'name="{group}"' in page
    yes_no = names["Har leder godkjent deltakelsen?"]
    assert re.findall(rf'name="{yes_no}" required type="radio" value="(\w+)"', page) == [
        "yes",
        "no",
    ]
    assert f'name="{names["Hvilke dager passer?"]}" type="checkbox" value="Tirsdag"' in page
    assert "Hvilke dager passer? (valgfritt)" in page
    assert "Stilling (valgfritt)" in page
    assert "svarene dine på spørsmålene over" in page


def test_a_missing_required_answer_is_shown_beside_it_and_nothing_is_stored(client, event):
    names = _fields(event)
    response = _post(
        client,
        event,
        **{names["Har leder godkjent deltakelsen?"]: "yes", names["Stilling"]: "Fagleder"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    group = names["Hvilken ABC-gruppe tilhører du?"]
    assert f'id="{group}-error">Svar på spørsmålet «Hvilken ABC-gruppe tilhører du?».' in page
    assert f'href="#{group}"' in page  # the error summary leads to the group
    assert 'value="Fagleder"' in page  # what was typed is kept
    assert db.session.scalar(select(func.count(Registration.id))) == 0


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        (
            "Hvilken ABC-gruppe tilhører du?",
            "Halden",
            "Velg et av alternativene til «Hvilken ABC-gruppe tilhører du?».",
        ),
        (
            "Har leder godkjent deltakelsen?",
            "kanskje",
            "Velg et av alternativene til «Har leder godkjent deltakelsen?».",
        ),
        ("Stilling", "x" * 301, "Svaret på «Stilling» kan ha høyst 300 tegn."),
    ],
)
def test_an_answer_the_form_never_offered_is_refused(client, event, question, value, message):
    names = _fields(event)
    answers = {
        names["Hvilken ABC-gruppe tilhører du?"]: "Mysen",
        names["Har leder godkjent deltakelsen?"]: "no",
    } | {names[question]: value}
    response = _post(client, event, **answers)
    assert response.status_code == 422
    assert f'id="{names[question]}-error">{message}' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Answer.registration_id))) == 0


def test_answers_are_stored_with_the_place_and_shown_to_the_organiser(client, event, login_as):
    names = _fields(event)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    data = (
        _form_fields(page)
        | _valid()
        | {
            names["Hvilken ABC-gruppe tilhører du?"]: "Askim",
            names["Har leder godkjent deltakelsen?"]: "yes",
            names["Hvilke dager passer?"]: ["Onsdag", "Mandag"],
        }
    )
    response = client.post(f"/events/{event.id}", data=data)
    assert response.status_code == 303
    assert _answers() == [
        ("Hvilken ABC-gruppe tilhører du?", "Askim"),
        ("Har leder godkjent deltakelsen?", "yes"),
        ("Hvilke dager passer?", "Mandag\nOnsdag"),
    ]
    manage = client.get(response.location).get_data(as_text=True)
    assert "Mandag, Onsdag" in manage

    organiser = login_as("organiser", centre=event.centre)
    listing = organiser.get(f"/admin/events/{event.id}/registrations").get_data(as_text=True)
    assert "Hvilken ABC-gruppe tilhører du?" in listing and "Mandag, Onsdag" in listing
    rows = csv_table(organiser.get(f"/admin/events/{event.id}/registrations.csv").data)
    header, kari = rows[0], rows[1]
    at = header.index("Hvilken ABC-gruppe tilhører du?")
    assert header[at : at + 4] == [question.label for question in event.questions]
    assert kari[at : at + 4] == ["Askim", "Ja", "Mandag, Onsdag", ""]
    sheet = xlsx_table(organiser.get(f"/admin/events/{event.id}/registrations.xlsx").data)
    assert list(sheet[1][at : at + 3]) == ["Askim", "Ja", "Mandag, Onsdag"]
    person_id = db.session.scalar(select(Registration.person_id))
    person = organiser.get(f"/admin/people/{person_id}").get_data(as_text=True)
    assert "Har leder godkjent deltakelsen?" in person and "Mandag, Onsdag" in person


def test_an_organiser_may_leave_a_required_question_unanswered(event, login_as):
    organiser = login_as("organiser", centre=event.centre)
    url = f"/admin/events/{event.id}/registrations/new"
    page = organiser.get(url).get_data(as_text=True)
    assert "Hvilken ABC-gruppe tilhører du? (valgfritt)" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    data = _valid(email="ringte@example.no") | {"csrf_token": token, "form_key": key}
    data[_fields(event)["Stilling"]] = "Assistent"
    response = organiser.post(url, data=data)
    assert response.status_code == 303
    assert _answers() == [("Stilling", "Assistent")]


def test_the_english_form_translates_what_is_ours_not_the_organisers_words(client, event):
    page = client.get(f"/events/{event.id}?lang=en").get_data(as_text=True)
    yes_no = _fields(event)["Har leder godkjent deltakelsen?"]
    assert re.search(rf'for="{yes_no}-0">Yes</label>', page)
    assert "Stilling (optional)" in page


def _question_reads(client, event, **answers) -> list[str]:
    """The statements a sign-up POST sends that read the event's questions."""
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(f"/events/{event.id}", data=_form_fields(page) | _valid() | answers)
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 303
    return [text for text in seen if "FROM event_question" in text]


def test_an_event_without_questions_reads_none_on_sign_up(client, make):
    make.municipality("3107")
    plain = make.event(title="Fagdag", capacity=30)
    db.session.commit()
    # Only the facts query's EXISTS looks at the table: no question rows are read.
    reads = _question_reads(client, plain)
    assert len(reads) == 1 and "EXISTS" in reads[0]


def test_an_event_with_questions_reads_them_once_and_stores_the_answers(client, event):
    names = _fields(event)
    reads = _question_reads(
        client,
        event,
        **{
            names["Hvilken ABC-gruppe tilhører du?"]: "Askim",
            names["Har leder godkjent deltakelsen?"]: "no",
            names["Hvilke dager passer?"]: "Onsdag",
        },
    )
    assert len(reads) == 2, "the EXISTS in the facts, then the questions themselves"
    assert _answers() == [
        ("Hvilken ABC-gruppe tilhører du?", "Askim"),
        ("Har leder godkjent deltakelsen?", "no"),
        ("Hvilke dager passer?", "Onsdag"),
    ]
