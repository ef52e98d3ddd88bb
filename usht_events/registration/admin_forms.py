"""The forms of the organiser's participant pages: the list's filters, adding someone by
hand, cancelling with a reason, the completion override, messages, and what to do with a
selection of participants."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from usht_events.core.forms import BaseForm, strip_text
from usht_events.core.web import MAX_ID
from usht_events.registration.forms import (
    SignUpForm,
    email_field,
    municipality_field,
    name_field,
    profession_field,
    workplace_field,
)
from usht_events.registration.listing import MAX_SEARCH_LENGTH, ParticipantOrder
from usht_events.registration.models import RegistrationStatus
from usht_events.registration.participants import STATUS_ORDER, Audience

# The most people one action may name: more than any event's list holds.
MAX_SELECTION = 2000
CANCEL_REASON_MAX = 1000


class ActionForm(BaseForm):
    """Only the CSRF token: the action is the button itself."""


class ParticipantListForm(BaseForm):
    """The participant list's search, status and order (GET)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Søk etter navn, e-post, telefon, arbeidssted eller kommune"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=MAX_SEARCH_LENGTH, message=_l("Søket er for langt.")),
        ],
    )
    status = SelectField(
        _l("Vis"),
        choices=[SelectChoice("", _l("Alle påmeldinger"))]
        + [SelectChoice(status.value, _l(status.label)) for status in STATUS_ORDER],
        validate_choice=False,
    )
    sort = SelectField(
        _l("Sorter etter"),
        choices=[SelectChoice(order.value, _l(order.label)) for order in ParticipantOrder],
        default=ParticipantOrder.STATUS.value,
        validate_choice=False,
    )

    @property
    def chosen_status(self) -> RegistrationStatus | None:
        try:
            return RegistrationStatus(self.status.data or "")
        except ValueError:
            return None

    @property
    def chosen_order(self) -> ParticipantOrder:
        try:
            return ParticipantOrder(self.sort.data or "")
        except ValueError:
            return ParticipantOrder.STATUS

    @property
    def search(self) -> str:
        return (self.q.data or "") if not self.q.errors else ""


class AddRegistrationForm(SignUpForm):
    """The sign-up form, worded for the organiser who fills it in for someone else."""

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


class CancelRegistrationForm(BaseForm):
    """The organiser's reason, which the person is mailed."""

    reason = TextAreaField(
        _l("Begrunnelse til deltakeren"),
        filters=[strip_text],
        validators=[
            DataRequired(
                _l("Skriv en begrunnelse til deltakeren: den står i e-posten om avmeldingen.")
            ),
            Length(
                max=CANCEL_REASON_MAX,
                message=_l("Begrunnelsen kan ha høyst %(most)s tegn.", most=CANCEL_REASON_MAX),
            ),
        ],
    )


# The override form's choices: completed, not completed, or back to the attendance.
COMPLETION_CHOICES = {"yes": True, "no": False, "attendance": None}


class CompletionForm(BaseForm):
    """The organiser's word on a participant's completion, and why."""

    completed = RadioField(
        _l("Fullført"),
        choices=[
            SelectChoice("yes", _l("Fullført")),
            SelectChoice("no", _l("Ikke fullført")),
            SelectChoice("attendance", _l("Følg oppmøtet")),
        ],
        validators=[DataRequired(_l("Velg om deltakeren har fullført."))],
    )
    reason = TextAreaField(
        _l("Begrunnelse"),
        filters=[strip_text],
        validators=[Length(max=1000, message=_l("Begrunnelsen kan ha høyst 1000 tegn."))],
    )


class MessageForm(BaseForm):
    """Subject, text and who gets it: a group, or the people ticked on the list."""

    audience = RadioField(
        _l("Mottakere"),
        choices=[SelectChoice(audience.value, _l(audience.label)) for audience in Audience],
        default=Audience.CONFIRMED.value,
        validators=[DataRequired(_l("Velg hvem som skal få e-posten."))],
    )
    subject = StringField(
        _l("Emne"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Skriv inn et emne.")),
            Length(max=150, message=_l("Emnet kan ha høyst 150 tegn.")),
        ],
    )
    body = TextAreaField(
        _l("Melding"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Skriv inn meldingen.")),
            Length(max=5000, message=_l("Meldingen kan ha høyst 5000 tegn.")),
        ],
    )


class SelectionForm(BaseForm):
    """What to do with the people ticked on the list; the reason only for cancelling."""

    action = SelectField(
        choices=[
            SelectChoice("message", _l("Send e-post")),
            SelectChoice("promote", _l("Gi plass")),
            SelectChoice("cancel", _l("Meld av")),
        ],
        validators=[DataRequired(_l("Velg hva som skal gjøres med de valgte."))],
    )
    reason = TextAreaField(
        _l("Begrunnelse til de valgte"),
        filters=[strip_text],
        validators=[
            Length(
                max=CANCEL_REASON_MAX,
                message=_l("Begrunnelsen kan ha høyst %(most)s tegn.", most=CANCEL_REASON_MAX),
            )
        ],
    )


def selected_ids(values: list[str]) -> list[int] | None:
    """The ticked registration ids, or None when one is not an id at all (a forged form)."""
    if len(values) > MAX_SELECTION:
        return None
    ids = []
    for value in values:
        if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID):
            return None
        ids.append(int(value))
    return ids
