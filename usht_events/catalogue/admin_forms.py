"""Forms for the organiser's event editor: the event with its days, duplicating, cancelling
and importing a programme. Times are typed in Oslo wall-clock time."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from usht_events.catalogue.changes import SessionTimes
from usht_events.catalogue.editing import EventDraft, Problem
from usht_events.catalogue.models import (
    CertificationKind,
    Event,
    EventFormat,
    EventKind,
    FocusArea,
    Series,
)
from usht_events.core.forms import BaseForm, strip_text
from usht_events.core.timezones import OSLO, oslo_datetime, to_oslo
from usht_events.organisations.models import Centre, Municipality

MAX_SESSIONS = 60
NOT_A_CHOICE = _l("Velg et av alternativene i listen.")
OPEN_TO_ALL, OPEN_TO_SELECTED = "all", "selected"


def _norwegian_parse_error(field_class, message: str):
    """The field class, with WTForms' parse error said our way, in the person's language."""

    class Field(field_class):
        def process_formdata(self, valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError:
                raise ValueError(message) from None

    Field.__name__ = field_class.__name__
    return Field


def _norwegian_choice_error(field_class):
    """The choice field class, refusing an unknown choice in our words."""

    class Field(field_class):
        def pre_validate(self, form):
            try:
                super().pre_validate(form)
            except ValidationError:
                raise ValidationError(NOT_A_CHOICE) from None

    Field.__name__ = field_class.__name__
    return Field


DayField = _norwegian_parse_error(DateField, _l("Skriv datoen som ÅÅÅÅ-MM-DD, f.eks. 2026-09-14."))
ClockField = _norwegian_parse_error(TimeField, _l("Skriv klokkeslettet som TT:MM, f.eks. 09:00."))
MomentField = _norwegian_parse_error(
    DateTimeLocalField, _l("Skriv tidspunktet som ÅÅÅÅ-MM-DDTTT:MM, f.eks. 2026-09-01T12:00.")
)
NumberField = _norwegian_parse_error(IntegerField, _l("Skriv et helt tall."))
ChoiceField = _norwegian_choice_error(SelectField)
ChoicesField = _norwegian_choice_error(SelectMultipleField)
OptionField = _norwegian_choice_error(RadioField)
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
CLOCK_FORMATS = ["%H:%M", "%H:%M:%S"]


def _text(label, limit: int, required=None, multiline=False):
    kind = TextAreaField if multiline else StringField
    first = DataRequired(required) if required else Optional()
    return kind(
        label,
        filters=[strip_text],
        validators=[
            first,
            Length(
                max=limit, message=_l("Teksten er for lang (høyst %(limit)s tegn).", limit=limit)
            ),
        ],
    )


def _count(label, minimum: int = 1, maximum: int = 100_000, default: int | None = None):
    message = _l("Skriv et tall fra %(minimum)s til %(maximum)s.", minimum=minimum, maximum=maximum)
    return NumberField(
        label, default=default, validators=[Optional(), NumberRange(minimum, maximum, message)]
    )


def _moment(label):
    return MomentField(label, format=MOMENT_FORMATS, validators=[Optional()])


class SessionForm(Form):
    """One day: date, from and to, and a venue if it differs from the event's."""

    day = DayField(_l("Dato"), validators=[InputRequired(_l("Skriv inn datoen."))])
    start_time = ClockField(
        _l("Fra kl."),
        format=CLOCK_FORMATS,
        validators=[InputRequired(_l("Skriv inn når dagen starter."))],
    )
    end_time = ClockField(
        _l("Til kl."),
        format=CLOCK_FORMATS,
        validators=[InputRequired(_l("Skriv inn når dagen slutter."))],
    )
    venue = _text(_l("Sted, hvis et annet enn arrangementets (valgfritt)"), 200)

    def is_blank(self) -> bool:
        """True when nothing was typed in the row (an unused «Legg til dag» row)."""
        return not any((field.raw_data or [""])[0].strip() for field in self)


class EventForm(BaseForm):
    """All fields of an event; `centre` only for administrators."""

    centre = ChoiceField(_l("Utviklingssenter"), validators=[DataRequired(_l("Velg senteret."))])
    title = _text(_l("Tittel"), 200, _l("Skriv inn en tittel."))
    kind = ChoiceField(
        _l("Type"), choices=[SelectChoice(kind.value, _l(kind.label)) for kind in EventKind]
    )
    focus_area = ChoiceField(
        _l("Satsningsområde"), validators=[DataRequired(_l("Velg satsningsområdet."))]
    )
    series = ChoiceField(_l("Nettverk eller program (valgfritt)"))
    certifies_kind = ChoiceField(_l("Gir godkjenning som (valgfritt)"))
    summary = _text(_l("Kort beskrivelse (vises i kalenderen)"), 400)
    description = _text(_l("Beskrivelse"), 10_000, multiline=True)
    target_group = _text(_l("Målgruppe"), 2000, multiline=True)

    format = ChoiceField(
        _l("Gjennomføring"),
        choices=[SelectChoice(item.value, _l(item.label)) for item in EventFormat],
    )
    venue = _text(_l("Sted"), 200)
    venue_address = _text(_l("Adresse"), 200)
    digital_link = StringField(
        _l("Lenke til digital deltakelse (sendes bare til påmeldte)"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=500),
            URL(message=_l("Skriv en hel lenke, med https://.")),
        ],
    )
    contact_email = EmailField(
        _l("E-post for spørsmål (valgfritt; ellers senterets)"),
        filters=[strip_text],
        validators=[Optional(), Length(max=254), Email(_l("Skriv en gyldig e-postadresse."))],
    )

    sessions = FieldList(FormField(SessionForm), min_entries=1, max_entries=MAX_SESSIONS)
    add_session = SubmitField(_l("Legg til dag"))

    capacity = _count(_l("Kapasitet (tom: ingen grense)"))
    waitlist_enabled = BooleanField(_l("Venteliste når det er fullt"), default=True)
    seats_per_municipality = _count(_l("Plasser per kommune (valgfritt)"))
    min_participants = _count(_l("Minste antall deltakere (valgfritt)"))
    decision_at = _moment(_l("Beslutning om gjennomføring tas (valgfritt)"))
    auto_decision = BooleanField(_l("Avgjør automatisk ved beslutningstidspunktet"))
    registration_opens_at = _moment(_l("Påmeldingen åpner (tom: når arrangementet publiseres)"))
    registration_closes_at = _moment(_l("Påmeldingsfrist (tom: når første dag starter)"))
    required_sessions = _count(
        _l("Fullført etter minst så mange økter (tom: alle økter)"), 1, MAX_SESSIONS
    )

    open_to = OptionField(
        _l("Hvem kan melde seg på?"),
        choices=[
            SelectChoice(OPEN_TO_ALL, _l("Åpent for alle")),
            SelectChoice(OPEN_TO_SELECTED, _l("Bare ansatte i kommunene som er krysset av")),
        ],
        default=OPEN_TO_ALL,
    )
    eligible = ChoicesField(_l("Kommuner"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Problems found by the rules rather than a field's own validators.
        self.session_errors: list[str] = []

    def set_choices(self, centres, focus_areas, series, kinds, municipalities) -> None:
        """Fill the choices from the database; series and municipalities are grouped."""
        self.centre.choices = [SelectChoice(str(c.id), c.name) for c in centres]
        self.focus_area.choices = [SelectChoice("", _l("Velg satsningsområde"))] + [
            SelectChoice(str(f.id), f.name) for f in focus_areas
        ]
        self.series.choices = [SelectChoice("", _l("Ingen"))] + [
            SelectChoice(str(s.id), s.name, optgroup=s.centre.name) for s in series
        ]
        self.certifies_kind.choices = [SelectChoice("", _l("Ingen godkjenning"))] + [
            SelectChoice(str(k.id), k.name) for k in kinds
        ]
        self.eligible.choices = [
            SelectChoice(m.number, m.name, optgroup=m.county_name) for m in municipalities
        ]

    def validate(self, extra_validators=None) -> bool:
        """Drop rows left empty, then validate; picking municipalities needs at least one."""
        filled = [entry for entry in self.sessions.entries if not entry.form.is_blank()]
        self.sessions.entries = filled or self.sessions.entries[:1]
        valid = super().validate(extra_validators)
        if self.open_to.data == OPEN_TO_SELECTED and not self.eligible.data:
            self.eligible.errors = [*self.eligible.errors, _l("Kryss av minst én kommune.")]
            valid = False
        return valid

    def fill_from(self, event: Event) -> None:
        """Show the event as it is (GET)."""
        self.process(obj=event)
        if self.centre is not None:
            self.centre.data = str(event.centre_id)
        for name in ("focus_area", "series", "certifies_kind"):
            self[name].data = str(getattr(event, f"{name}_id") or "")
        self.kind.data, self.format.data = event.kind.value, event.format.value
        for name in ("decision_at", "registration_opens_at", "registration_closes_at"):
            moment = getattr(event, name)
            self[name].data = to_oslo(moment).replace(tzinfo=None) if moment else None
        self.eligible.data = [m.number for m in event.eligible_municipalities]
        self.open_to.data = OPEN_TO_SELECTED if self.eligible.data else OPEN_TO_ALL
        while len(self.sessions.entries):
            self.sessions.pop_entry()
        for item in event.sessions:
            start, end = to_oslo(item.starts_at), to_oslo(item.ends_at)
            row = self.sessions.append_entry().form
            row.day.data, row.start_time.data = start.date(), start.time()
            row.end_time.data, row.venue.data = end.time(), item.venue

    def add_problem(self, problem: Problem) -> None:
        """Show a rule's refusal beside the field it is about."""
        if problem.field == "sessions":
            self.session_errors.append(problem.localised())
            return
        if problem.field.startswith("sessions-"):
            _, index, name = problem.field.split("-", 2)
            field = self.sessions.entries[int(index)].form[name]
        else:
            field = self._fields.get(problem.field, self.title)
        field.errors = [*field.errors, problem.localised()]

    def error_links(self) -> list[tuple[str, str]]:
        """Every error as (id of the field, first message), for the summary at the top."""
        links = []
        for field in self:
            if field.name == "csrf_token":
                continue
            if field is self.sessions:
                links += [("sessions", message) for message in self.session_errors]
                for entry in field.entries:
                    links += [(sub.id, sub.errors[0]) for sub in entry.form if sub.errors]
            elif field.errors:
                links.append((field.id, field.errors[0]))
        return links


def build_draft(
    session: DbSession, form: EventForm, centre: Centre, event: Event | None = None
) -> EventDraft:
    """The draft the submitted form describes; choices are already validated."""
    eligible_numbers = form.eligible.data if form.open_to.data == OPEN_TO_SELECTED else []
    return EventDraft(
        centre=centre,
        title=form.title.data,
        kind=EventKind(form.kind.data),
        focus_area=session.get(FocusArea, int(form.focus_area.data)),
        series=_optional(session, Series, form.series.data),
        certifies_kind=_optional(session, CertificationKind, form.certifies_kind.data),
        sessions=[_session_times(entry.form) for entry in form.sessions.entries],
        summary=form.summary.data or "",
        description=form.description.data or "",
        target_group=form.target_group.data or "",
        format=EventFormat(form.format.data),
        venue=form.venue.data or "",
        venue_address=form.venue_address.data or "",
        digital_link=form.digital_link.data or "",
        contact_email=form.contact_email.data or "",
        capacity=form.capacity.data,
        waitlist_enabled=form.waitlist_enabled.data,
        seats_per_municipality=form.seats_per_municipality.data,
        min_participants=form.min_participants.data,
        decision_at=_moment_of(form.decision_at, event),
        auto_decision=form.auto_decision.data,
        registration_opens_at=_moment_of(form.registration_opens_at, event),
        registration_closes_at=_moment_of(form.registration_closes_at, event),
        required_sessions=form.required_sessions.data,
        eligible=list(
            session.scalars(
                select(Municipality)
                .where(Municipality.number.in_(eligible_numbers))
                .order_by(Municipality.name)
            )
        ),
    )


def _optional(session: DbSession, model, value: str | None):
    return session.get(model, int(value)) if value else None


def _moment_of(field, event: Event | None) -> datetime | None:
    """The typed Oslo time; the stored one when the form showed it unchanged to the minute."""
    moment = field.data.replace(tzinfo=OSLO) if field.data else None
    stored = getattr(event, field.name, None)
    if moment and stored and to_oslo(stored).replace(second=0, microsecond=0) == moment:
        return stored
    return moment


def _session_times(row: SessionForm) -> SessionTimes:
    return SessionTimes(
        oslo_datetime(row.day.data, row.start_time.data),
        oslo_datetime(row.day.data, row.end_time.data),
        row.venue.data or "",
    )


class DuplicateForm(BaseForm):
    """Copy the event: move it by whole weeks, or give the new first day."""

    weeks = _count(_l("Flytt med antall uker"), 1, 260)
    first_day = DayField(_l("eller ny første dag"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """Exactly one of the two must be given."""
        valid = super().validate(extra_validators)
        if valid and (self.weeks.data is None) == (self.first_day.data is None):
            self.weeks.errors = [_l("Fyll inn enten antall uker eller en ny første dag.")]
            return False
        return valid


class CancelForm(BaseForm):
    """The reason the participants are told."""

    reason = _text(
        _l("Begrunnelse (sendes til de påmeldte)"), 2000, _l("Skriv en kort begrunnelse."), True
    )


class ConfirmForm(BaseForm):
    """A button with a CSRF token."""


class ImportUploadForm(BaseForm):
    """The programme file to check."""

    file = FileField(_l("Fil med programmet (CSV eller XLSX)"))
    as_drafts = BooleanField(_l("Importer som utkast (publiser hvert arrangement selv etterpå)"))


class ImportConfirmForm(BaseForm):
    """The checked file, carried to the confirm step signed, so it cannot be swapped."""

    filename = HiddenField()
    content = HiddenField()
    as_drafts = HiddenField()
    signature = HiddenField()
