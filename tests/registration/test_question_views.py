"""The organiser's page for an event's own questions."""

import re

import pytest
from sqlalchemy import select

from usht_events.catalogue.models import EventQuestion, QuestionKind
from usht_events.core.db import db
from usht_events.registration.models import Answer


@pytest.fixture
def organiser(login_as, make):
    centre = make.centre("ostfold")
    client = login_as("organiser", centre=centre)
    client.event = make.event(centre=centre, title="Demensomsorgens ABC")
    db.session.commit()
    return client


def _token(client, path) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _add(client, **fields):
    path = f"/admin/events/{client.event.id}/questions"
    data = {"csrf_token": _token(client, path), "kind": "short_text"} | fields
    return client.post(path, data=data)


def test_an_organiser_adds_a_choice_question_to_the_form(organiser):
    response = _add(
        organiser,
        label="Hvilken ABC-gruppe tilhører du?",
        kind="one_choice",
        choices="Mysen\nAskim\n\n",
        required="y",
    )
    assert response.status_code == 303
    (question,) = db.session.scalars(select(EventQuestion)).all()
    assert (question.kind, question.required, question.choices) == (
        QuestionKind.ONE_CHOICE,
        True,
        ["Mysen", "Askim"],
    )
    page = organiser.get(response.location).get_data(as_text=True)
    assert "Hvilken ABC-gruppe tilhører du?" in page and "0 har svart" in page


def test_a_choice_question_without_choices_is_explained_beside_the_field(organiser):
    response = _add(organiser, label="Velg gruppe", kind="several_choices", choices="Bare én")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Feil:" in page
    assert 'id="choices-error">Skriv minst to svaralternativer, ett per linje.' in page
    assert db.session.scalars(select(EventQuestion)).all() == []


def test_moving_and_removing_a_question_with_answers(organiser, make):
    _add(organiser, label="Første")
    _add(organiser, label="Andre")
    first, second = db.session.scalars(select(EventQuestion).order_by(EventQuestion.id)).all()
    registration = make.registration(organiser.event)
    db.session.add(Answer(registration=registration, question=first, value="svar"))
    db.session.commit()
    base = f"/admin/events/{organiser.event.id}/questions"
    first_id = first.id
    token = _token(organiser, base)
    organiser.post(f"{base}/{second.id}/move", data={"csrf_token": token, "direction": "up"})
    db.session.expire_all()
    assert [q.label for q in organiser.event.questions] == ["Andre", "Første"]
    edit = organiser.get(f"{base}/{first.id}").get_data(as_text=True)
    assert "de 1 svarene på det slettes" in edit
    organiser.post(f"{base}/{first.id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert [q.label for q in organiser.event.questions] == ["Andre"]
    assert db.session.scalars(select(Answer)).all() == []
    again = organiser.post(f"{base}/{first_id}/delete", data={"csrf_token": token})
    assert again.status_code == 303  # already gone: said calmly, not a 404


def test_another_centres_organiser_gets_404(login_as, organiser, make):
    other = login_as("organiser", centre=make.centre("vestfold"))
    assert other.get(f"/admin/events/{organiser.event.id}/questions").status_code == 404
