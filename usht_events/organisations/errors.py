"""Every way the organisations rules refuse, declared once (see core/errors.py)."""

from usht_events.core.errors import ErrorCode
from usht_events.core.i18n import N_

UNKNOWN_MUNICIPALITIES = ErrorCode(
    "unknown_municipality", N_("Fant ikke kommunenummer %(listed)s."), status=422
)
