"""The sign-up form."""

import re
import secrets

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from usht_events.catalogue.models import Event
from usht_events.core.forms import BaseForm, QuickSelect, strip_text
from usht_events.organisations.models import Municipality
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


def signup_from(form, **fields) -> SignUp:
    """The sign-up a valid form describes: the public one, or the organiser's (with
    `fields` such as `locale` or `source` added)."""
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
