"""An event's own questions: added, checked, changed, ordered, removed, copied."""

from datetime import date

import pytest
from sqlalchemy import select

from usht_events.catalogue.editing import duplicate_event
from usht_events.catalogue.models import EventQuestion, QuestionKind
from usht_events.catalogue.questions import (
    MAX_QUESTIONS,
    QuestionSpec,
    add_question,
    move_question,
    remove_question,
    update_question,
)
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError

GROUP = QuestionSpec(
    "Hvilken ABC-gruppe tilhører du?", QuestionKind.ONE_CHOICE, True, choices=["Mysen", "Askim"]
)
APPROVED = QuestionSpec("Har leder godkjent deltakelsen?", QuestionKind.YES_NO, True)


def _refused(call) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code, error.value.field


def test_questions_are_added_at_the_end_in_order(any_app, make):
    event = make.event()
    add_question(db.session, None, event.id, GROUP)
    add_question(db.session, None, event.id, APPROVED)
    db.session.commit()
    assert [(q.position, q.label) for q in event.questions] == [
        (1, "Hvilken ABC-gruppe tilhører du?"),
        (2, "Har leder godkjent deltakelsen?"),
    ]
    assert event.questions[0].choices == ["Mysen", "Askim"]
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions == ["event.question_add", "event.question_add"]


def test_a_question_needs_its_words(app, make):
    event = make.event()
    spec = QuestionSpec("   ", QuestionKind.SHORT_TEXT)
    assert _refused(lambda: add_question(db.session, None, event.id, spec)) == (
        "question_label_required",
        "label",
    )


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        (["Bare én"], "choices_required"),
        (["Mysen", "mysen"], "choices_repeated"),
        (["x" * 201, "y"], "choice_too_long"),
        ([f"valg {n}" for n in range(31)], "too_many_choices"),
    ],
)
def test_choice_questions_need_sensible_choices(app, make, choices, code):
    event = make.event()
    spec = QuestionSpec("Velg", QuestionKind.SEVERAL_CHOICES, choices=choices)
    assert _refused(lambda: add_question(db.session, None, event.id, spec)) == (code, "choices")


def test_choices_are_dropped_from_a_question_that_has_none(app, make):
    event = make.event()
    spec = QuestionSpec("Kommentar", QuestionKind.LONG_TEXT, choices=["a", "b"])
    assert add_question(db.session, None, event.id, spec).choices == []


def test_an_event_has_at_most_twenty_questions(app, make):
    event = make.event()
    for _ in range(MAX_QUESTIONS):
        add_question(db.session, None, event.id, APPROVED)
    assert _refused(lambda: add_question(db.session, None, event.id, APPROVED))[0] == (
        "too_many_questions"
    )


def test_changing_and_moving_and_removing(app, make):
    event = make.event()
    group = add_question(db.session, None, event.id, GROUP)
    approved = add_question(db.session, None, event.id, APPROVED)
    update_question(db.session, None, group, QuestionSpec("Gruppe", QuestionKind.SHORT_TEXT))
    move_question(db.session, None, approved, -1)
    db.session.commit()
    db.session.refresh(event)
    assert [q.label for q in event.questions] == ["Har leder godkjent deltakelsen?", "Gruppe"]
    assert group.choices == []
    remove_question(db.session, None, approved)
    db.session.commit()
    db.session.refresh(event)
    assert [q.label for q in event.questions] == ["Gruppe"]


def test_a_copy_of_the_event_has_the_same_questions(app, make):
    event = make.event()
    add_question(db.session, None, event.id, GROUP)
    add_question(db.session, None, event.id, APPROVED)
    copy = duplicate_event(
        db.session, None, event, utcnow(), first_day=date(utcnow().year + 1, 6, 1)
    )
    db.session.commit()
    assert [(q.label, q.kind, q.required, q.choices) for q in copy.questions] == [
        (q.label, q.kind, q.required, q.choices) for q in event.questions
    ]
    assert db.session.scalar(select(EventQuestion.id).where(EventQuestion.event_id == copy.id))
