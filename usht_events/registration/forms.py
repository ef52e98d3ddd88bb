"""The sign-up form."""

import re
import secrets

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from usht_events.catalogue.models import Event, EventQuestion, QuestionKind
from usht_events.core.forms import BaseForm, QuickSelect, strip_text
from usht_events.organisations.models import Municipality
from usht_events.registration import answers, errors
from usht_events.registration.corrections import Details
from usht_events.registration.models import PROFESSION_LABELS, Profession
from usht_events.registration.signup import SignUp

FORM_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def name_field(required: str) -> StringField:
    """Full name; `required` says what to write when it is missing."""
    return StringField(
        _l("Fullt navn"),
        filters=[strip_text],
        validators=[DataRequired(required), Length(max=200)],
    )


def email_field(required: str) -> EmailField:
    """E-mail address, checked for form."""
    return EmailField(
        _l("E-post"),
        filters=[strip_text],
        validators=[
            DataRequired(required),
            Length(max=254, message=_l("E-postadressen er for lang.")),
            Email(_l("Skriv inn en gyldig e-postadresse, for eksempel navn@kommune.no.")),
        ],
    )


def municipality_field(required: str, *, validate_choice: bool = True) -> SelectField:
    """Municipality, limited to the choices the event takes.

    Without `validate_choice`, any four-digit number passes the form, and the caller's rule
    checks that it is a municipality the event takes.
    """
    return SelectField(
        _l("Kommune"),
        validators=[
            DataRequired(required),
            Regexp(r"^[0-9]{4}$", message=_l("Velg en kommune fra listen.")),
        ],
        validate_choice=validate_choice,
        widget=QuickSelect(),
    )


def workplace_field(required: str) -> StringField:
    """Workplace, free text."""
    return StringField(
        _l("Arbeidssted"),
        filters=[strip_text],
        validators=[DataRequired(required), Length(max=200)],
    )


def profession_field(required: str) -> SelectField:
    """One of the fixed professions."""
    return SelectField(
        _l("Yrke"),
        choices=[SelectChoice("", _l("Velg yrke"))]
        + [SelectChoice(p.value, _l(PROFESSION_LABELS[p])) for p in Profession],
        validators=[DataRequired(required)],
    )


def phone_field() -> StringField:
    """Mobile number, optional: digits and spaces, may start with +."""
    return StringField(
        _l("Mobilnummer (valgfritt)"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=20, message=_l("Telefonnummeret er for langt.")),
            Regexp(
                r"^\+?[0-9 ]{8,19}$",
                message=_l("Skriv telefonnummeret med sifre, f.eks. 912 34 567."),
            ),
        ],
    )


def needs_field() -> TextAreaField:
    """Diet or accessibility, optional free text."""
    return TextAreaField(
        _l("Behov for tilrettelegging eller spesialkost (valgfritt)"),
        filters=[strip_text],
        validators=[Optional(), Length(max=1000)],
    )


class SignUpForm(BaseForm):
    """Name, contact, municipality, workplace, profession, needs and consent."""

    name = name_field(_l("Skriv inn navnet ditt."))
    email = email_field(_l("Skriv inn e-postadressen din."))
    phone = phone_field()
    # The sign-up rule checks the choice under the event's lock (unknown_municipality,
    # not_eligible): the ~360 choices are built only when the form is shown.
    municipality = municipality_field(_l("Velg kommunen du jobber i."), validate_choice=False)
    workplace = workplace_field(_l("Skriv inn arbeidsstedet ditt, f.eks. Mysen sykehjem."))
    profession = profession_field(_l("Velg yrket ditt."))
    needs = needs_field()
    consent = BooleanField(
        _l("Jeg samtykker til at opplysningene lagres og brukes til å gjennomføre arrangementet."),
        validators=[DataRequired(_l("Du må samtykke for å kunne melde deg på."))],
    )
    # Same key for every submission of one rendered form: a double click finds the first.
    form_key = HiddenField()

    def __init__(self, *args, municipality_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = municipality_choices
        if not self.form_key.data:
            self.form_key.data = secrets.token_urlsafe(24)

    @property
    def idempotency_key(self) -> str | None:
        key = self.form_key.data or ""
        return key if FORM_KEY_PATTERN.match(key) else None


def with_questions(form_class: type, questions: list[EventQuestion], *, required=True) -> type:
    """The form class with a field for each of the event's own questions, in their order.

    `required=False` (the organiser filling in for someone) makes every question optional.
    """
    if not questions:
        return form_class
    fields = {answers.field_name(item): question_field(item, required) for item in questions}
    return type(form_class.__name__, (form_class,), {"questions": questions, **fields})


def question_field(question: EventQuestion, required: bool = True):
    """One question as a form field, refusing what answers.check_answers would refuse."""
    must_answer = required and question.required
    label = (
        question.label if must_answer else gettext("%(label)s (valgfritt)", label=question.label)
    )
    missing = gettext(errors.ANSWER_REQUIRED.message, label=question.label)
    checks = [DataRequired(missing)] if must_answer else [Optional()]
    options = {"label": label, "description": question.help_text, "validators": checks}
    if question.kind == QuestionKind.YES_NO:
        allowed = [SelectChoice(key, gettext(text)) for key, text in answers.YES_NO_LABELS.items()]
    else:
        allowed = [SelectChoice(choice, choice) for choice in question.choices]
    # Our own refusal for an answer the form never offered, rather than WTForms' wording.
    choice_options = {"choices": allowed, "validate_choice": False, **options}
    choice_options["validators"] = [
        *checks,
        _offered(question, [choice.value for choice in allowed]),
    ]
    if question.kind == QuestionKind.SEVERAL_CHOICES:
        return SelectMultipleField(
            widget=ListWidget(), option_widget=CheckboxInput(), **choice_options
        )
    if question.kind in (QuestionKind.ONE_CHOICE, QuestionKind.YES_NO):
        return RadioField(**choice_options)
    most = answers.MAX_LENGTH[question.kind]
    too_long = gettext(errors.ANSWER_TOO_LONG.message, label=question.label, most=most)
    options["validators"] = [*checks, Length(max=most, message=too_long)]
    field_class = TextAreaField if question.kind == QuestionKind.LONG_TEXT else StringField
    return field_class(filters=[strip_text], **options)


def _offered(question: EventQuestion, keys: list[str]):
    def check(form, field):
        picked = field.data if isinstance(field.data, list) else [field.data]
        if any(item not in keys for item in picked if item):
            raise ValidationError(gettext(errors.ANSWER_NOT_A_CHOICE.message, label=question.label))

    return check


def given_answers(form) -> dict[int, answers.Given]:
    """What the form's question fields hold, by question id."""
    return {item.id: form[answers.field_name(item)].data for item in getattr(form, "questions", ())}


def posted_answers(formdata) -> dict[int, answers.Given]:
    """The `question_<id>` fields of a posted form: one value as text, several as a list
    (ticked boxes); the sign-up rule checks them against the event's questions."""
    found: dict[int, answers.Given] = {}
    for name in formdata or ():
        number = name.removeprefix(answers.FIELD_PREFIX)
        if name.startswith(answers.FIELD_PREFIX) and number.isascii() and number.isdigit():
            values = formdata.getlist(name)
            found[int(number)] = values[0] if len(values) == 1 else values
    return found


def signup_from(form, **fields) -> SignUp:
    """The sign-up a valid form describes: the public one, or the organiser's (with
    `fields` such as `locale` or `source` added, or `answers` read from the posted data)."""
    fields.setdefault("answers", given_answers(form))
    return SignUp(
        name=form.name.data,
        email=form.email.data.lower(),
        phone=form.phone.data or "",
        municipality_number=form.municipality.data,
        workplace=form.workplace.data,
        profession=Profession(form.profession.data),
        needs=form.needs.data or "",
        idempotency_key=form.idempotency_key,
        **fields,
    )


def municipality_choices(session, event: Event) -> list[SelectChoice]:
    """The municipalities someone may pick for this event, grouped for a native select."""
    placeholder = [SelectChoice("", gettext("Velg kommune"))]
    if event.eligible_municipalities:
        return placeholder + _options(
            event.eligible_municipalities, gettext("Kommuner som kan delta")
        )
    region = {m.number for m in event.centre.region}
    # Plain rows, not objects: this list is most of the country and every event page has it.
    others = session.execute(
        select(Municipality.number, Municipality.name, Municipality.county_name)
        .where(Municipality.number.not_in(region))
        .order_by(Municipality.county_name, Municipality.name)
    )
    # The centre's own region first: that is where nearly everyone signing up works.
    region_group = _options(
        event.centre.region, gettext("Regionen til %(centre)s", centre=event.centre.name)
    )
    return (
        placeholder
        + region_group
        + [SelectChoice(m.number, m.name, optgroup=m.county_name) for m in others]
    )


def _options(municipalities, group: str) -> list[SelectChoice]:
    return [
        SelectChoice(m.number, m.name, optgroup=group)
        for m in sorted(municipalities, key=lambda m: m.name)
    ]


class CancelForm(BaseForm):
    """Only the CSRF token: the confirmation is the button itself."""


class DetailsForm(BaseForm):
    """What a participant may correct from their link (registration/corrections.py)."""

    name = name_field(_l("Skriv inn navnet ditt."))
    phone = phone_field()
    municipality = municipality_field(_l("Velg kommunen du jobber i."))
    workplace = workplace_field(_l("Skriv inn arbeidsstedet ditt, f.eks. Mysen sykehjem."))
    needs = needs_field()

    @classmethod
    def for_registration(cls, registration, municipalities, formdata=None) -> "DetailsForm":
        """The form filled in with what is stored; without `municipalities`, no municipality."""
        form = cls(
            formdata=formdata,
            data={
                "name": registration.person.name,
                "phone": registration.person.phone,
                "municipality": registration.municipality_number,
                "workplace": registration.workplace,
                "needs": registration.needs,
            },
        )
        if municipalities:
            form.municipality.choices = municipalities
        else:
            del form.municipality
        return form

    def details(self) -> Details:
        """The corrections the valid form describes."""
        return Details(
            name=self.name.data,
            phone=self.phone.data or "",
            workplace=self.workplace.data,
            needs=self.needs.data or "",
            municipality_number=self.municipality.data if "municipality" in self else None,
        )
