"""An event's own questions on its sign-up form: adding, changing, ordering, removing, and
copying them with the event.

The answers are the registration area's (registration/answers.py). Removing a question
removes its answers with it (the database cascades); the page says how many first.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.catalogue import errors
from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.models import Event, EventQuestion, QuestionKind
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError

MAX_QUESTIONS = 20
MAX_CHOICES = 30
MAX_CHOICE_LENGTH = 200


@dataclass(frozen=True)
class QuestionSpec:
    """What the organiser writes: the question, how it is answered, and its options."""

    label: str
    kind: QuestionKind
    required: bool = False
    help_text: str = ""
    choices: list[str] = field(default_factory=list)


def add_question(session: DbSession, actor: User | None, event_id: int, spec: QuestionSpec):
    """Add a question at the end of the event's form."""
    event = lock_event(session, event_id)
    if len(event.questions) >= MAX_QUESTIONS:
        raise DomainError(errors.TOO_MANY_QUESTIONS, most=MAX_QUESTIONS)
    question = EventQuestion(position=_next_position(session, event.id))
    _apply(question, spec)
    event.questions.append(question)
    session.flush()
    record_action(
        session, actor, "event.question_add", f"La til spørsmålet «{question.label}».", event.id
    )
    return question


def update_question(
    session: DbSession, actor: User | None, question: EventQuestion, spec: QuestionSpec
) -> EventQuestion:
    """Change a question; answers already given are kept as they were written."""
    lock_event(session, question.event_id)
    _apply(question, spec)
    session.flush()
    summary = f"Endret spørsmålet «{question.label}»."
    record_action(session, actor, "event.question_update", summary, question.event_id)
    return question


def remove_question(session: DbSession, actor: User | None, question: EventQuestion) -> None:
    """Take the question off the form; its answers go with it."""
    lock_event(session, question.event_id)
    summary = f"Fjernet spørsmålet «{question.label}» og svarene på det."
    record_action(session, actor, "event.question_remove", summary, question.event_id)
    session.delete(question)
    session.flush()


def move_question(
    session: DbSession, actor: User | None, question: EventQuestion, steps: int
) -> None:
    """Move the question up (steps < 0) or down the form, past its neighbour."""
    event = lock_event(session, question.event_id)
    ordered = list(event.questions)
    here = ordered.index(question)
    there = max(0, min(len(ordered) - 1, here + steps))
    if here == there:
        return
    ordered.insert(there, ordered.pop(here))
    for position, item in enumerate(ordered, start=1):
        item.position = position
    session.flush()
    summary = f"Flyttet spørsmålet «{question.label}» til plass {there + 1}."
    record_action(session, actor, "event.question_move", summary, event.id)


def copy_questions(source: Event, target: Event) -> None:
    """Give a copied event the same questions, in the same order (no answers)."""
    target.questions = [
        EventQuestion(
            position=item.position,
            label=item.label,
            help_text=item.help_text,
            kind=item.kind,
            required=item.required,
            choices_text=item.choices_text,
        )
        for item in source.questions
    ]


def question_of_event(session: DbSession, event_id: int, question_id: int) -> EventQuestion:
    """The event's question with this id, or QUESTION_NOT_FOUND."""
    question = session.get(EventQuestion, question_id)
    if question is None or question.event_id != event_id:
        raise DomainError(errors.QUESTION_NOT_FOUND)
    return question


def _apply(question: EventQuestion, spec: QuestionSpec) -> None:
    label = " ".join(spec.label.split())
    if not label:
        raise DomainError(errors.QUESTION_LABEL_REQUIRED)
    choices = [" ".join(choice.split()) for choice in spec.choices]
    choices = [choice for choice in choices if choice]
    if spec.kind.has_choices:
        _check_choices(choices)
    question.label = label
    question.kind = spec.kind
    question.required = spec.required
    question.help_text = spec.help_text.strip()
    question.choices_text = "\n".join(choices) if spec.kind.has_choices else ""


def _check_choices(choices: list[str]) -> None:
    if len(choices) < 2:
        raise DomainError(errors.CHOICES_REQUIRED)
    if len(choices) > MAX_CHOICES:
        raise DomainError(errors.TOO_MANY_CHOICES, most=MAX_CHOICES)
    if any(len(choice) > MAX_CHOICE_LENGTH for choice in choices):
        raise DomainError(errors.CHOICE_TOO_LONG, most=MAX_CHOICE_LENGTH)
    if len({choice.casefold() for choice in choices}) < len(choices):
        raise DomainError(errors.CHOICES_REPEATED)


def _next_position(session: DbSession, event_id: int) -> int:
    last = session.scalar(
        select(func.max(EventQuestion.position)).where(EventQuestion.event_id == event_id)
    )
    return (last or 0) + 1
