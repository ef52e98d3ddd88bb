"""Revoking a certification, with a reason: the verification page then says «tilbakekalt»,
the roster shows it so, and its certificate can no longer be downloaded.

One conditional UPDATE (only while not yet revoked) decides, so two organisers revoking at
once revoke it once; the second is told it already is.
"""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import User
from usht_events.certification import errors
from usht_events.certification.models import Certification
from usht_events.certification.renewal import refresh_current
from usht_events.core.audit import record_action
from usht_events.core.errors import DomainError

REASON_LIMIT = 1000


def revoke_certification(
    session: DbSession, actor: User | None, certification_id: int, reason: str, now: datetime
) -> Certification:
    """Revoke the certification with a reason; audited on its event's log (if any)."""
    reason = (reason or "").strip()[:REASON_LIMIT]
    if not reason:
        raise DomainError(errors.REVOKE_REASON_REQUIRED)
    certification = session.get(Certification, certification_id)
    if certification is None:
        raise DomainError(errors.CERTIFICATION_NOT_FOUND)
    revoked = session.execute(
        update(Certification)
        .where(Certification.id == certification.id, Certification.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked == 0:
        raise DomainError(errors.ALREADY_REVOKED)
    refresh_current(session, [(certification.person_id, certification.kind_id)])
    session.refresh(certification)
    summary = (
        f"Tilbakekalte godkjenning #{certification.id} ({certification.kind.name}) for "
        f"person #{certification.person_id}: {reason}"
    )
    record_action(session, actor, "certification.revoke", summary, certification.event_id)
    return certification
