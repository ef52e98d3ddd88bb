"""Forms of the administrators' setup pages: certification kinds, focus areas, series and
centres (catalogue/setup_views.py)."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from usht_events.catalogue.admin_forms import ChoiceField, ChoicesField, NumberField
from usht_events.core.forms import BaseForm, strip_text


def _slug(example: str):
    return StringField(
        _l("Kortnavn (i adresser og filer)"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Skriv inn et kortnavn.")),
            Length(max=40, message=_l("Kortnavnet kan ha høyst 40 tegn.")),
        ],
        description=_l(
            "Små bokstaver a–z, sifre og bindestrek, f.eks. %(example)s.", example=example
        ),
    )


def _name(limit: int):
    return StringField(
        _l("Navn"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Skriv inn et navn.")),
            Length(max=limit, message=_l("Navnet kan ha høyst %(limit)s tegn.", limit=limit)),
        ],
    )


def _optional_text(label, limit: int, multiline: bool = False):
    kind = TextAreaField if multiline else StringField
    message = _l("Teksten kan ha høyst %(limit)s tegn.", limit=limit)
    return kind(
        label, filters=[strip_text], validators=[Optional(), Length(max=limit, message=message)]
    )


class KindForm(BaseForm):
    """A certification kind."""

    slug = _slug("proact-instruktor")
    name = _name(120)
    description = _optional_text(_l("Beskrivelse"), 2000, multiline=True)
    validity_months = NumberField(
        _l("Gyldig i antall måneder (tom: utløper ikke)"),
        validators=[Optional(), NumberRange(1, 600, _l("Skriv et tall fra 1 til 600."))],
    )


class FocusAreaForm(BaseForm):
    """A national focus area."""

    slug = _slug("leve-hele-livet")
    name = _name(120)


class SeriesForm(BaseForm):
    """A network or programme of one centre."""

    centre = ChoiceField(_l("Utviklingssenter"), validators=[DataRequired(_l("Velg senteret."))])
    slug = _slug("fagnettverk-demens")
    name = _name(160)
    description = _optional_text(_l("Beskrivelse"), 2000, multiline=True)


class CentreForm(BaseForm):
    """A centre: its details, host municipality and region."""

    slug = _slug("ostfold")
    name = _name(120)
    host = ChoiceField(_l("Vertskommune"), validators=[DataRequired(_l("Velg vertskommunen."))])
    email = EmailField(
        _l("E-post"),
        filters=[strip_text],
        validators=[Optional(), Length(max=254), Email(_l("Skriv en gyldig e-postadresse."))],
    )
    phone = _optional_text(_l("Telefon"), 40)
    address = _optional_text(_l("Adresse"), 200)
    website = StringField(
        _l("Nettsted"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=200),
            URL(message=_l("Skriv en hel lenke, med https://.")),
        ],
    )
    region = ChoicesField(_l("Kommunene senteret tjener (regionen)"), choices=[])
