"""Forms of the administrators' setup pages: certification kinds, focus areas, series and
centres (catalogue/setup_views.py)."""

from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from usht_events.catalogue.admin_forms import ChoiceField, ChoicesField, NumberField
from usht_events.core.forms import BaseForm, strip_text


def _slug(example: str):
    return StringField(
        "Kortnavn (i adresser og filer)",
        filters=[strip_text],
        validators=[
            DataRequired("Skriv inn et kortnavn."),
            Length(max=40, message="Kortnavnet kan ha høyst 40 tegn."),
        ],
        description=f"Små bokstaver a–z, sifre og bindestrek, f.eks. {example}.",
    )


def _name(limit: int):
    return StringField(
        "Navn",
        filters=[strip_text],
        validators=[
            DataRequired("Skriv inn et navn."),
            Length(max=limit, message=f"Navnet kan ha høyst {limit} tegn."),
        ],
    )


def _optional_text(label: str, limit: int, multiline: bool = False):
    kind = TextAreaField if multiline else StringField
    message = f"Teksten kan ha høyst {limit} tegn."
    return kind(
        label, filters=[strip_text], validators=[Optional(), Length(max=limit, message=message)]
    )


class KindForm(BaseForm):
    """A certification kind."""

    slug = _slug("proact-instruktor")
    name = _name(120)
    description = _optional_text("Beskrivelse", 2000, multiline=True)
    validity_months = NumberField(
        "Gyldig i antall måneder (tom: utløper ikke)",
        validators=[Optional(), NumberRange(1, 600, "Skriv et tall fra 1 til 600.")],
    )


class FocusAreaForm(BaseForm):
    """A national focus area."""

    slug = _slug("leve-hele-livet")
    name = _name(120)


class SeriesForm(BaseForm):
    """A network or programme of one centre."""

    centre = ChoiceField("Utviklingssenter", validators=[DataRequired("Velg senteret.")])
    slug = _slug("fagnettverk-demens")
    name = _name(160)
    description = _optional_text("Beskrivelse", 2000, multiline=True)


class CentreForm(BaseForm):
    """A centre: its details, host municipality and region."""

    slug = _slug("ostfold")
    name = _name(120)
    host = ChoiceField("Vertskommune", validators=[DataRequired("Velg vertskommunen.")])
    email = EmailField(
        "E-post",
        filters=[strip_text],
        validators=[Optional(), Length(max=254), Email("Skriv en gyldig e-postadresse.")],
    )
    phone = _optional_text("Telefon", 40)
    address = _optional_text("Adresse", 200)
    website = StringField(
        "Nettsted",
        filters=[strip_text],
        validators=[Optional(), Length(max=200), URL(message="Skriv en hel lenke, med https://.")],
    )
    region = ChoicesField("Kommunene senteret tjener (regionen)", choices=[])
