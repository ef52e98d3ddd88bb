"""Checking and showing the answers to an event's own questions."""

import pytest

from usht_events.catalogue.models import EventQuestion, QuestionKind
from usht_events.core.errors import DomainError
from usht_events.registration.answers import check_answers, shown


def _question(number: int, kind: QuestionKind, required=False, choices=()) -> EventQuestion:
    return EventQuestion(
        id=number,
        label=f"Spørsmål {number}",
        kind=kind,
        required=required,
        choices_text="\n".join(choices),
    )


GROUP = _question(1, QuestionKind.ONE_CHOICE, True, ("Mysen", "Askim"))
TOPICS = _question(2, QuestionKind.SEVERAL_CHOICES, False, ("Demens", "Ernæring", "Lindring"))
APPROVED = _question(3, QuestionKind.YES_NO, True)
COMMENT = _question(4, QuestionKind.SHORT_TEXT)
QUESTIONS = [GROUP, TOPICS, APPROVED, COMMENT]


def _refusal(given, **options) -> tuple[str, str]:
    with pytest.raises(DomainError) as error:
        check_answers(QUESTIONS, given, **options)
    return error.value.code, error.value.field


def test_answers_are_stored_in_the_forms_order_and_blanks_left_out():
    stored = check_answers(QUESTIONS, {1: "Askim", 2: ["Lindring", "Demens"], 3: "yes", 4: "  "})
    assert stored == {1: "Askim", 2: "Demens\nLindring", 3: "yes"}


def test_a_required_question_left_open_is_refused_beside_its_field():
    assert _refusal({1: "Mysen"}) == ("answer_required", "question_3")


def test_an_organiser_may_leave_a_required_question_open():
    assert check_answers(QUESTIONS, {}, required=False) == {}


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({1: "Oslo", 3: "yes"}, "question_1"),
        ({1: "Mysen", 2: ["Kreft"], 3: "yes"}, "question_2"),
        ({1: "Mysen", 3: "kanskje"}, "question_3"),
    ],
)
def test_an_answer_that_is_not_a_choice_is_refused(given, field):
    assert _refusal(given) == ("answer_not_a_choice", field)


def test_a_text_answer_has_a_length_limit():
    assert _refusal({1: "Mysen", 3: "no", 4: "x" * 301}) == ("answer_too_long", "question_4")


def test_answers_read_as_people_write_them():
    assert shown(APPROVED, "yes") == "Ja"
    assert shown(TOPICS, "Demens\nLindring") == "Demens, Lindring"
    assert shown(COMMENT, None) == ""
