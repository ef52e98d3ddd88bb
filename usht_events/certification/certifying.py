"""Certifying an event's completers: the preview, then one step that certifies them all, once.

The preview (`plan_certification`) lists who will be certified and who not, and why; it
writes nothing. `certify_completers` takes the event's lock, makes the same plan, and
inserts one certification per completer with INSERT ... ON CONFLICT DO NOTHING on the
unique index (event, person, kind): certifying again adds nothing, and two organisers
pressing at once add nothing twice, even without the lock. Each new certification
queues the "kursbevis" mail, written by the worker with its PDF (notifications.py).

Why someone is or is not certified is kept as catalogue ids (N_) with their values, and
written out in the reader's language where it is shown (`Candidate.localised_why`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from usht_events.accounts.models import User
from usht_events.catalogue import errors as event_errors
from usht_events.catalogue.changes import lock_event
from usht_events.catalogue.models import CertificationKind, Event
from usht_events.certification import errors, notifications
from usht_events.certification.models import Certification, CertificationSource
from usht_events.certification.renewal import current_certification, expiry_for, refresh_current
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError, ErrorCode
from usht_events.core.i18n import N_
from usht_events.core.timezones import format_day, to_oslo
from usht_events.registration.completion import Completion, event_completions
from usht_events.registration.models import Registration, RegistrationStatus

# The unique index a second certification of the same completer runs into.
CONFLICT_TARGET = {
    "index_elements": ["event_id", "person_id", "kind_id"],
    "index_where": text("event_id IS NOT NULL"),
}


@dataclass(frozen=True)
class Reason:
    """One sentence of why: a catalogue id (N_) and the values that fill it. Dates stay
    dates until shown, so each reader gets them written in their own language."""

    message: str
    details: dict = field(default_factory=dict)

    def text(self, translate=lambda message: message, locale: str = "nb") -> str:
        values = {
            name: format_day(value, locale) if isinstance(value, date) else value
            for name, value in self.details.items()
        }
        return translate(self.message) % values


@dataclass(frozen=True)
class Candidate:
    """One registration of the event, and what certifying would do for it."""

    registration: Registration
    completion: Completion
    certify: bool
    reasons: tuple[Reason, ...]
    # Already certified through this event: certifying again leaves it alone.
    existing: Certification | None = None

    @property
    def why(self) -> str:
        """Why, in Norwegian."""
        return " ".join(reason.text() for reason in self.reasons)

    def localised_why(self) -> str:
        """Why, in the request's language (Norwegian outside a request)."""
        from flask import has_request_context
        from flask_babel import get_locale, gettext

        if not has_request_context():
            return self.why
        locale = str(get_locale() or "nb")
        return " ".join(reason.text(gettext, locale) for reason in self.reasons)


@dataclass(frozen=True)
class CertificationPlan:
    """What certifying the event would do, or why it cannot be done now."""

    event: Event
    kind: CertificationKind | None
    issued_on: date
    expires_on: date | None
    candidates: list[Candidate] = field(default_factory=list)
    refusal: ErrorCode | None = None

    @property
    def to_certify(self) -> list[Candidate]:
        return [item for item in self.candidates if item.certify]

    @property
    def already(self) -> list[Candidate]:
        return [item for item in self.candidates if item.existing is not None]

    @property
    def not_certified(self) -> list[Candidate]:
        return [item for item in self.candidates if not item.certify and item.existing is None]


def issue_day(now: datetime) -> date:
    """The issue date of a certification made now: today in Oslo."""
    return to_oslo(now).date()


def plan_certification(session: DbSession, event: Event, now: datetime) -> CertificationPlan:
    """Who certifying the event now would certify, who not and why; writes nothing."""
    kind, issued_on = event.certifies_kind, issue_day(now)
    expires_on = expiry_for(kind, issued_on) if kind else None
    plan = CertificationPlan(event, kind, issued_on, expires_on, refusal=_refusal(event, now))
    if kind is None:
        return plan
    completions = event_completions(session, event)
    existing = _existing(session, event.id, kind.id)
    for registration in _registrations(session, event.id):
        completion = completions[registration.id]
        plan.candidates.append(
            _candidate(session, registration, completion, existing, kind, issued_on)
        )
    return plan


def _refusal(event: Event, now: datetime) -> ErrorCode | None:
    if event.certifies_kind is None:
        return errors.NOT_CERTIFYING
    if event.is_cancelled:
        return event_errors.EVENT_CANCELLED
    if not event.sessions or event.sessions[-1].starts_at > now:
        return errors.NOT_OVER
    return None


def _registrations(session: DbSession, event_id: int) -> list[Registration]:
    """Confirmed and waitlisted registrations, by name (cancelled ones are not candidates)."""
    registrations = session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.is_active)
        .options(selectinload(Registration.person))
    ).all()
    return sorted(registrations, key=lambda item: item.person.name.casefold())


def _existing(session: DbSession, event_id: int, kind_id: int) -> dict[int, Certification]:
    rows = session.scalars(
        select(Certification).where(
            Certification.event_id == event_id, Certification.kind_id == kind_id
        )
    )
    return {row.person_id: row for row in rows}


def _candidate(session, registration, completion, existing, kind, issued_on) -> Candidate:
    person_id = registration.person_id
    if person_id in existing:
        done = existing[person_id]
        why = Reason(N_("Allerede godkjent %(day)s."), {"day": done.issued_on})
        if done.revoked_at is not None:
            why = Reason(N_("Godkjent %(day)s, senere tilbakekalt."), {"day": done.issued_on})
        return Candidate(registration, completion, False, (why,), existing=done)
    if not completion.completed:
        why = _not_completed(registration, completion)
        return Candidate(registration, completion, False, (why,))
    reasons = [
        Reason(N_("Har fullført (overstyrt av arrangør)."))
        if completion.overridden
        else Reason(N_("Har fullført."))
    ]
    current = current_certification(session, person_id, kind.id)
    if current is not None and current.revoked_at is None and current.expires_on:
        renews = N_("Fornyer godkjenningen som utløper %(day)s.")
        reasons.append(Reason(renews, {"day": current.expires_on}))
    return Candidate(registration, completion, True, tuple(reasons))


def _not_completed(registration: Registration, completion: Completion) -> Reason:
    if completion.overridden:
        overridden = N_("Ikke fullført (overstyrt av arrangør): %(reason)s")
        return Reason(overridden, {"reason": completion.reason})
    if registration.status != RegistrationStatus.CONFIRMED:
        return Reason(N_("Står på ventelisten."))
    return Reason(
        N_("Har møtt på %(attended)s av %(sessions)s økter; kravet er %(required)s."),
        {
            "attended": completion.attended,
            "sessions": completion.sessions,
            "required": completion.required,
        },
    )


def certify_completers(
    session: DbSession, actor: User | None, event_id: int, now: datetime
) -> list[Certification]:
    """Certify every completer of the event not yet certified through it, once; queue each
    one's certificate mail and write the audit entry. Returns the new certifications."""
    event = lock_event(session, event_id)
    plan = plan_certification(session, event, now)
    if plan.refusal is not None:
        raise DomainError(plan.refusal)
    if not plan.to_certify:
        raise DomainError(errors.NOBODY_TO_CERTIFY)
    insert = _insert_statement(session)
    new_ids = []
    for candidate in plan.to_certify:
        values = _values(plan, candidate.registration, actor, now)
        new_id = session.execute(insert.values(**values)).scalar()
        if new_id is not None:
            new_ids.append(new_id)
    refresh_current(
        session, [(item.registration.person_id, plan.kind.id) for item in plan.to_certify]
    )
    certifications = session.scalars(
        select(Certification).where(Certification.id.in_(new_ids)).order_by(Certification.id)
    ).all()
    registrations = {item.registration.person_id: item.registration for item in plan.to_certify}
    for certification in certifications:
        notifications.queue_certificate_mail(
            session, certification, registrations[certification.person_id], now
        )
    if certifications:
        summary = f"Godkjente {len(certifications)} deltakere som {plan.kind.name}."
        record_action(session, actor, "event.certify", summary, event.id)
    return list(certifications)


def _insert_statement(session: DbSession):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(Certification)
        .on_conflict_do_nothing(**CONFLICT_TARGET)
        .returning(Certification.id)
    )


def _values(plan: CertificationPlan, registration: Registration, actor, now) -> dict:
    return {
        "person_id": registration.person_id,
        "kind_id": plan.kind.id,
        # The municipality the person gave for this course: the roster they count on.
        "municipality_number": registration.municipality_number,
        "event_id": plan.event.id,
        "source": CertificationSource.EVENT,
        "issued_on": plan.issued_on,
        "expires_on": plan.expires_on,
        "issued_by_id": getattr(actor, "id", None),
        "created_at": now,
    }
