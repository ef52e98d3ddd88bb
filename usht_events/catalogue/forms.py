"""The filter forms of the public calendar and of the organiser's events list (GET, no CSRF)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from usht_events.catalogue.models import EVENT_KIND_LABELS, EventKind, EventStatus
from usht_events.catalogue.rules import WHEN, EventFilter, ManagedEventFilter, filter_choices
from usht_events.core.forms import BaseForm, QuickSelect, strip_text
from usht_events.organisations.models import Municipality


class CalendarFilterForm(BaseForm):
    """Centre, focus area, kind, municipality, free text and dates."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Søk"),
        filters=[strip_text],
        validators=[Optional(), Length(max=100, message=_l("Søket er for langt."))],
    )
    centre = SelectField(_l("Utviklingssenter"), validate_choice=False)
    focus = SelectField(_l("Satsningsområde"), validate_choice=False)
    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice("", _l("Alle typer"))]
        + [SelectChoice(k.value, _l(EVENT_KIND_LABELS[k])) for k in EventKind],
        validate_choice=False,
    )
    municipality = SelectField(_l("Åpent for kommune"), validate_choice=False, widget=QuickSelect())
    date_from = DateField(_l("Fra dato"), name="from", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(_l("Til dato"), name="to", validators=[Optional()], format="%Y-%m-%d")

    def __init__(self, *args, centres=(), focus_areas=(), municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centre.choices = [SelectChoice("", _l("Alle sentre"))] + [
            SelectChoice(c.slug, c.name) for c in centres
        ]
        self.focus.choices = [SelectChoice("", _l("Alle satsningsområder"))] + [
            SelectChoice(f.slug, f.name) for f in focus_areas
        ]
        self.municipality.choices = [SelectChoice("", _l("Alle kommuner"))] + [
            SelectChoice(m.number, m.name) for m in municipalities
        ]
        # WTForms' own parse error is English only; say it in the page's language.
        for field in (self.date_from, self.date_to):
            if field.process_errors:
                field.process_errors = [_l("Skriv datoen som ÅÅÅÅ-MM-DD, f.eks. 2026-03-12.")]

    @classmethod
    def for_request(cls, session, args) -> "CalendarFilterForm":
        """The form over a query string, its choices read from the database."""
        # Rows, not objects: all ~360 municipalities, on every request.
        municipalities = session.execute(
            select(Municipality.number, Municipality.name).order_by(Municipality.name)
        )
        return cls(args, municipalities=municipalities, **filter_choices(session))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Til-datoen må være etter fra-datoen."))

    def to_filter(self) -> EventFilter:
        """The filters, with unknown choices ignored rather than refused."""

        def known(field):
            return field.data if field.data in {choice.value for choice in field.choices} else None

        kind = known(self.kind)
        return EventFilter(
            centre=known(self.centre) or None,
            focus=known(self.focus) or None,
            kind=EventKind(kind) if kind else None,
            municipality=known(self.municipality) or None,
            text=self.q.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )


class ManagedEventFilterForm(BaseForm):
    """The organiser's events list: free text, status, kind, time and dates (GET)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Søk i tittel og beskrivelse"),
        filters=[strip_text],
        validators=[Optional(), Length(max=100, message=_l("Søket er for langt."))],
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("Alle statuser"))]
        + [SelectChoice(s.value, _l(s.label)) for s in EventStatus],
        validate_choice=False,
    )
    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice("", _l("Alle typer"))]
        + [SelectChoice(k.value, _l(EVENT_KIND_LABELS[k])) for k in EventKind],
        validate_choice=False,
    )
    when = SelectField(
        _l("Tid"),
        choices=[
            SelectChoice("upcoming", _l("Kommende")),
            SelectChoice("past", _l("Tidligere")),
            SelectChoice("all", _l("Alle")),
        ],
        default="upcoming",
        validate_choice=False,
    )
    date_from = DateField(_l("Fra dato"), name="from", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(_l("Til dato"), name="to", validators=[Optional()], format="%Y-%m-%d")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in (self.date_from, self.date_to):
            if field.process_errors:
                field.process_errors = [_l("Skriv datoen som ÅÅÅÅ-MM-DD, f.eks. 2026-03-12.")]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Til-datoen må være etter fra-datoen."))

    def to_filter(self) -> ManagedEventFilter:
        """The filters the form describes, an unknown choice ignored; call after validate()."""
        statuses, kinds = {s.value for s in EventStatus}, {k.value for k in EventKind}
        return ManagedEventFilter(
            status=EventStatus(self.status.data) if self.status.data in statuses else None,
            kind=EventKind(self.kind.data) if self.kind.data in kinds else None,
            when=self.when.data if self.when.data in WHEN else "upcoming",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            text=self.q.data or None,
        )
