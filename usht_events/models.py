"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from usht_events.accounts.models import LoginSession, Role, User
from usht_events.catalogue.models import (
    CertificationKind,
    Event,
    EventFormat,
    EventKind,
    EventQuestion,
    EventStatus,
    FocusArea,
    QuestionKind,
    Series,
    Session,
)
from usht_events.certification.models import (
    Certification,
    CertificationSource,
    CertificationStatus,
)
from usht_events.core.audit import AuditEntry
from usht_events.core.outbox import OutboxAttachment, OutboxMessage, OutboxStatus
from usht_events.organisations.models import Centre, Municipality
from usht_events.registration.models import (
    Answer,
    Attendance,
    CheckinMethod,
    CompletionOverride,
    Person,
    Profession,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)

__all__ = [
    "Answer",
    "Attendance",
    "AuditEntry",
    "Centre",
    "Certification",
    "CertificationKind",
    "CertificationSource",
    "CertificationStatus",
    "CheckinMethod",
    "CompletionOverride",
    "Event",
    "EventFormat",
    "EventKind",
    "EventQuestion",
    "EventStatus",
    "FocusArea",
    "LoginSession",
    "Municipality",
    "OutboxAttachment",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Profession",
    "QuestionKind",
    "Registration",
    "RegistrationSource",
    "RegistrationStatus",
    "Role",
    "Series",
    "Session",
    "User",
]
