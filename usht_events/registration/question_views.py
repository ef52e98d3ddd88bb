"""The organiser's page for an event's own questions on its sign-up form: list them with
how many have answered, add, change, move and remove them.

The rules are catalogue/questions.py; this page is registration's because it counts the
answers people gave (removing a question removes them, and the page says how many).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue import questions
from usht_events.catalogue.access import manageable_event
from usht_events.catalogue.models import EventQuestion, QuestionKind
from usht_events.catalogue.questions import QuestionSpec
from usht_events.core.db import db
from usht_events.core.errors import DomainError
from usht_events.core.forms import BaseForm, strip_text
from usht_events.registration.models import Answer

blueprint = Blueprint("questions_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)

MANAGERS = (Role.ADMIN, Role.ORGANISER)


class QuestionForm(BaseForm):
    """One question: its words, how it is answered, and the options of a choice."""

    label = StringField(
        _l("Spørsmål"),
        filters=[strip_text],
        validators=[DataRequired(_l("Skriv spørsmålet.")), Length(max=300)],
    )
    kind = SelectField(
        _l("Svartype"),
        choices=[SelectChoice(kind.value, _l(kind.label)) for kind in QuestionKind],
        default=QuestionKind.SHORT_TEXT.value,
    )
    choices = TextAreaField(
        _l("Svaralternativer (ett per linje)"),
        filters=[strip_text],
        validators=[Length(max=7000)],
    )
    required = BooleanField(_l("Må besvares"))
    help_text = StringField(
        _l("Forklaring under spørsmålet (valgfritt)"),
        filters=[strip_text],
        validators=[Optional(), Length(max=500)],
    )

    def spec(self) -> QuestionSpec:
        """The question the form describes."""
        return QuestionSpec(
            label=self.label.data,
            kind=QuestionKind(self.kind.data),
            required=self.required.data,
            help_text=self.help_text.data or "",
            choices=(self.choices.data or "").split("\n"),
        )

    def fill_from(self, question: EventQuestion) -> None:
        """Show the question as it is."""
        self.label.data, self.kind.data = question.label, question.kind.value
        self.required.data, self.help_text.data = question.required, question.help_text
        self.choices.data = question.choices_text


class ActionForm(BaseForm):
    """Only the CSRF token: the action is the button itself."""


@blueprint.route("/events/<int:event_id>/questions", methods=["GET", "POST"])
@allow(*MANAGERS)
def list_questions(event_id: int):
    """The event's questions in form order, and a form to add one."""
    event = manageable_event(db.session, current_user, event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            questions.add_question(db.session, current_user, event.id, form.spec())
        except DomainError as error:
            db.session.rollback()
            _show(form, error)
        else:
            db.session.commit()
            added = gettext(
                "Spørsmålet «%(label)s» er lagt til i påmeldingsskjemaet.", label=form.label.data
            )
            flash(added, "success")
            return redirect(url_for(".list_questions", event_id=event.id), 303)
    body = render_template(
        "registration/admin/questions.html",
        event=event,
        form=form,
        answered=_answer_counts(event.id),
        tab="questions",
    )
    return body, 400 if form.errors else 200


@blueprint.route("/events/<int:event_id>/questions/<int:question_id>", methods=["GET", "POST"])
@allow(*MANAGERS)
def edit_question(event_id: int, question_id: int):
    """Change a question; answers already given stay as they were written."""
    event, question = _question(event_id, question_id)
    form = QuestionForm()
    if not form.is_submitted():
        form.fill_from(question)
    elif form.validate():
        try:
            questions.update_question(db.session, current_user, question, form.spec())
        except DomainError as error:
            db.session.rollback()
            _show(form, error)
        else:
            db.session.commit()
            flash(gettext("Spørsmålet er endret."), "success")
            return redirect(url_for(".list_questions", event_id=event.id), 303)
    body = render_template(
        "registration/admin/edit_question.html",
        event=event,
        question=question,
        form=form,
        answered=_answer_counts(event.id).get(question.id, 0),
        tab="questions",
    )
    return body, 400 if form.errors else 200


@blueprint.post("/events/<int:event_id>/questions/<int:question_id>/delete")
@allow(*MANAGERS)
def delete_question(event_id: int, question_id: int):
    """Take the question off the form, with the answers given to it."""
    event = manageable_event(db.session, current_user, event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    question = db.session.get(EventQuestion, question_id)
    if question is None or question.event_id != event.id:
        # A second press, or another organiser was first: what was asked is done.
        flash(gettext("Spørsmålet er allerede fjernet."), "info")
        return redirect(url_for(".list_questions", event_id=event.id), 303)
    label = question.label
    questions.remove_question(db.session, current_user, question)
    db.session.commit()
    flash(gettext("Spørsmålet «%(label)s» og svarene på det er fjernet.", label=label), "success")
    return redirect(url_for(".list_questions", event_id=event.id), 303)


@blueprint.post("/events/<int:event_id>/questions/<int:question_id>/move")
@allow(*MANAGERS)
def move_question(event_id: int, question_id: int):
    """Move the question one place up or down the form."""
    event, question = _question(event_id, question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    steps = -1 if request.form.get("direction") == "up" else 1
    questions.move_question(db.session, current_user, question, steps)
    db.session.commit()
    return redirect(url_for(".list_questions", event_id=event.id) + f"#question-{question.id}", 303)


def _question(event_id: int, question_id: int):
    event = manageable_event(db.session, current_user, event_id)
    try:
        return event, questions.question_of_event(db.session, event.id, question_id)
    except DomainError:
        abort(404)


def _answer_counts(event_id: int) -> dict[int, int]:
    """How many have answered each of the event's questions."""
    rows = db.session.execute(
        select(Answer.question_id, func.count(Answer.id))
        .join(EventQuestion, EventQuestion.id == Answer.question_id)
        .where(EventQuestion.event_id == event_id)
        .group_by(Answer.question_id)
    )
    return dict(rows.all())


def _show(form: QuestionForm, error: DomainError) -> None:
    field = form._fields.get(error.field or "", form.label)
    field.errors = [*field.errors, error.localised()]
