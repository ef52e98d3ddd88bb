"""The forms of the check-in desk: the walk-in's details; scans and undo are plain posts."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from usht_events.registration.forms import (
    SignUpForm,
    email_field,
    municipality_field,
    name_field,
    profession_field,
    workplace_field,
)


class WalkInForm(SignUpForm):
    """The sign-up form, worded for the organiser at the door, with the capacity choice."""

    name = name_field(_l("Skriv inn navnet til personen."))
    email = email_field(_l("Skriv inn e-postadressen til personen."))
    municipality = municipality_field(_l("Velg kommunen personen jobber i."))
    workplace = workplace_field(_l("Skriv inn arbeidsstedet, f.eks. Mysen sykehjem."))
    profession = profession_field(_l("Velg yrket til personen."))
    consent = BooleanField(
        _l(
            "Personen har samtykket til at opplysningene lagres og brukes til å gjennomføre "
            "arrangementet."
        ),
        validators=[DataRequired(_l("Bekreft at personen har samtykket."))],
    )
    over_capacity = BooleanField(
        _l("Gi personen plass selv om arrangementet er fullt (over kapasiteten)")
    )
    session = HiddenField()
