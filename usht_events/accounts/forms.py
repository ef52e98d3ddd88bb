"""Forms for logging in."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        "E-post", validators=[DataRequired("Skriv inn e-postadressen din."), Length(max=254)]
    )
    password = PasswordField(
        "Passord", validators=[DataRequired("Skriv inn passordet ditt."), Length(max=200)]
    )
