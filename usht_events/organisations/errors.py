"""Every way the organisations rules refuse, declared once (see core/errors.py)."""

from usht_events.core.errors import ErrorCode
from usht_events.core.i18n import N_

UNKNOWN_MUNICIPALITIES = ErrorCode(
    "unknown_municipality", N_("Fant ikke kommunenummer %(listed)s."), status=422
)

# Keeping the centres (centres.py)
CENTRE_SLUG_TAKEN = ErrorCode(
    "slug_taken", N_("Kortnavnet «%(slug)s» er allerede i bruk."), status=422, field="slug"
)
INVALID_CENTRE_SLUG = ErrorCode(
    "invalid_slug",
    N_("Kortnavnet kan bare ha små bokstaver a–z, sifre og bindestrek, f.eks. ostfold."),
    status=422,
    field="slug",
)
UNKNOWN_HOST = ErrorCode(
    "unknown_municipality", N_("Velg vertskommunen fra listen."), status=422, field="host"
)
UNKNOWN_REGION_MUNICIPALITY = ErrorCode(
    "unknown_municipality",
    N_("Fant ikke kommunenummer %(numbers)s."),
    status=422,
    field="region",
)
