"""Answers to an event's own questions (catalogue/questions.py): checked and stored with a
new place, shown on the participants page, the exports and the person's page.

A one-choice or text answer is stored as given, several choices one per line, yes or no
as "yes" or "no". The forms check the answers beside their fields; `check_answers` checks
them again where they are stored, so no way in can store an answer the form would refuse.
"""

from collections import defaultdict

from sqlalchemy import insert, select
from sqlalchemy.orm import Session as DbSession

from usht_events.catalogue.models import EventQuestion, QuestionKind
from usht_events.core.errors import DomainError
from usht_events.core.i18n import N_
from usht_events.registration import errors
from usht_events.registration.models import Answer

# Longest answers kept, by kind of question.
MAX_LENGTH = {QuestionKind.SHORT_TEXT: 300, QuestionKind.LONG_TEXT: 3000}
YES, NO = "yes", "no"
YES_NO_LABELS = {YES: N_("Ja"), NO: N_("Nei")}

Given = str | list[str] | None


FIELD_PREFIX = "question_"


def field_name(question: EventQuestion) -> str:
    """The sign-up form's field for the question."""
    return f"{FIELD_PREFIX}{question.id}"


def event_questions(session: DbSession, event_id: int) -> list[EventQuestion]:
    """The event's questions in form order."""
    return list(
        session.scalars(
            select(EventQuestion)
            .where(EventQuestion.event_id == event_id)
            .order_by(EventQuestion.position, EventQuestion.id)
        )
    )


def check_answers(
    questions: list[EventQuestion], given: dict[int, Given], *, required: bool = True
) -> dict[int, str]:
    """The answers as stored, keyed by question id; refuses a missing or impossible one.

    `required=False` (an organiser filling in for someone) lets a required question be
    left unanswered.
    """
    stored = {}
    for question in questions:
        value = _stored(question, given.get(question.id))
        if value:
            stored[question.id] = value
        elif required and question.required:
            raise DomainError(
                errors.ANSWER_REQUIRED, label=question.label, field=field_name(question)
            )
    return stored


def store_answers(session: DbSession, registration_id: int, answers: dict[int, str]) -> None:
    """Write a new place's answers, in the caller's transaction."""
    if answers:
        session.execute(
            insert(Answer),
            [
                {"registration_id": registration_id, "question_id": question_id, "value": value}
                for question_id, value in answers.items()
            ],
        )


def answers_by_registration(
    session: DbSession, registration_ids: list[int]
) -> dict[int, dict[int, str]]:
    """Registration id -> question id -> stored answer, for many registrations at once."""
    found: dict[int, dict[int, str]] = defaultdict(dict)
    if registration_ids:
        rows = session.execute(
            select(Answer.registration_id, Answer.question_id, Answer.value).where(
                Answer.registration_id.in_(registration_ids)
            )
        )
        for registration_id, question_id, value in rows:
            found[registration_id][question_id] = value
    return found


def shown_answers(
    session: DbSession, registration_ids: list[int], translate=lambda text: text
) -> dict[int, list[tuple[str, str]]]:
    """Registration id -> (question, answer as read) for each question answered, in the
    form's order: for the participants page, the person's page and their own page."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if registration_ids:
        rows = session.execute(
            select(Answer.registration_id, EventQuestion, Answer.value)
            .join(EventQuestion, EventQuestion.id == Answer.question_id)
            .where(Answer.registration_id.in_(registration_ids))
            .order_by(EventQuestion.position, EventQuestion.id)
        )
        for registration_id, question, value in rows:
            found[registration_id].append((question.label, shown(question, value, translate)))
    return found


def shown(question: EventQuestion, value: str | None, translate=lambda text: text) -> str:
    """An answer as a person reads it: "Ja", or several choices joined with commas."""
    if not value:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return translate(YES_NO_LABELS.get(value, value))
    if question.kind == QuestionKind.SEVERAL_CHOICES:
        return ", ".join(value.split("\n"))
    return value


def _stored(question: EventQuestion, given: Given) -> str:
    if question.kind == QuestionKind.SEVERAL_CHOICES:
        picked = [item for item in (given or []) if item] if isinstance(given, list) else []
        picked = picked or ([given] if isinstance(given, str) and given else [])
        if any(item not in question.choices for item in picked):
            _not_a_choice(question)
        # In the order the form shows them, whatever order they came in.
        return "\n".join(choice for choice in question.choices if choice in picked)
    text = given if isinstance(given, str) else ""
    text = text.strip()
    if not text:
        return ""
    if question.kind == QuestionKind.ONE_CHOICE and text not in question.choices:
        _not_a_choice(question)
    if question.kind == QuestionKind.YES_NO and text not in (YES, NO):
        _not_a_choice(question)
    most = MAX_LENGTH.get(question.kind)
    if most is not None and len(text) > most:
        raise DomainError(
            errors.ANSWER_TOO_LONG, label=question.label, most=most, field=field_name(question)
        )
    return text


def _not_a_choice(question: EventQuestion) -> None:
    raise DomainError(errors.ANSWER_NOT_A_CHOICE, label=question.label, field=field_name(question))
