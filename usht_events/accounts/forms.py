"""Forms for logging in, passwords, and the administrator's user pages."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from usht_events.accounts.models import Role
from usht_events.accounts.passwords import MIN_PASSWORD_LENGTH
from usht_events.core.forms import BaseForm, strip_text

NO_CENTRE = _l("Ikke knyttet til et senter")
TOO_SHORT = _l("Passordet må ha minst %(length)s tegn.", length=MIN_PASSWORD_LENGTH)


class LoginForm(BaseForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-post"),
        validators=[DataRequired(_l("Skriv inn e-postadressen din.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Passord"),
        validators=[DataRequired(_l("Skriv inn passordet ditt.")), Length(max=200)],
    )


def _new_password_field() -> PasswordField:
    return PasswordField(
        _l("Nytt passord"),
        validators=[
            DataRequired(_l("Skriv inn et nytt passord.")),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=TOO_SHORT),
        ],
    )


def _confirm_password_field() -> PasswordField:
    return PasswordField(
        _l("Gjenta nytt passord"),
        validators=[
            DataRequired(_l("Skriv inn det nye passordet en gang til.")),
            EqualTo("new_password", _l("Passordene er ikke like.")),
        ],
    )


class NewPasswordForm(BaseForm):
    """A new password, typed twice."""

    new_password = _new_password_field()
    confirm_password = _confirm_password_field()


class ChangePasswordForm(BaseForm):
    """The current password, then a new one twice."""

    current_password = PasswordField(
        _l("Nåværende passord"),
        validators=[DataRequired(_l("Skriv inn passordet du har nå.")), Length(max=200)],
    )
    new_password = _new_password_field()
    confirm_password = _confirm_password_field()


class ResetRequestForm(BaseForm):
    """The address to send a reset link to."""

    email = EmailField(
        _l("E-post"),
        validators=[DataRequired(_l("Skriv inn e-postadressen din.")), Length(max=254)],
    )


class ConfirmForm(BaseForm):
    """An empty form: a button with a CSRF token."""


class UserForm(BaseForm):
    """A user's name, role and bindings; the e-mail address only when creating."""

    email = EmailField(
        _l("E-post"),
        validators=[DataRequired(_l("Skriv inn e-postadressen.")), Length(max=254)],
    )
    name = StringField(_l("Navn"), filters=[strip_text], validators=[Length(max=200)])
    role = SelectField(
        _l("Rolle"),
        choices=[SelectChoice(role.value, _l(role.label)) for role in Role],
        default=Role.ORGANISER.value,
    )
    centre = SelectField(
        _l("Senter (for arrangører)"), choices=[SelectChoice("", NO_CENTRE)], default=""
    )
    municipalities = SelectMultipleField(_l("Kommuner (for kommunekontakter)"), choices=[])
    active = BooleanField(_l("Aktiv (kan logge inn)"), default=True)
    send_link = BooleanField(_l("Send e-post med lenke for å velge passord"), default=True)

    def set_choices(self, centres, municipalities) -> None:
        """Fill the centre and municipality choices from the database."""
        self.centre.choices = [SelectChoice("", NO_CENTRE)] + [
            SelectChoice(str(centre.id), centre.name) for centre in centres
        ]
        self.municipalities.choices = [
            SelectChoice(m.number, m.name, optgroup=m.county_name) for m in municipalities
        ]
