"""Every way the certification rules refuse, declared once (see core/errors.py).

The messages are Norwegian catalogue ids; pages translate them with `error.localised()`.
The event-level refusals (no such event, cancelled) are catalogue/errors.py's.
"""

from usht_events.core.errors import ErrorCode
from usht_events.core.i18n import N_

# Certifying an event's completers
NOT_CERTIFYING = ErrorCode(
    "not_certifying", N_("Arrangementet gir ingen godkjenning. Velg en i redigeringen først.")
)
NOT_OVER = ErrorCode(
    "not_over",
    N_("Arrangementet er ikke ferdig: deltakerne kan godkjennes fra siste økt begynner."),
)
NOBODY_TO_CERTIFY = ErrorCode(
    "nobody_to_certify", N_("Ingen deltakere har fullført og venter på godkjenning.")
)

# One certification
CERTIFICATION_NOT_FOUND = ErrorCode(
    "not_found", N_("Fant ingen godkjenning med denne koden."), status=404
)
ALREADY_REVOKED = ErrorCode("already_revoked", N_("Godkjenningen er allerede tilbakekalt."))
REVOKE_REASON_REQUIRED = ErrorCode(
    "reason_required",
    N_("Skriv hvorfor godkjenningen tilbakekalles."),
    status=422,
    field="reason",
)

# Importing certifications from a file
INVALID_IMPORT = ErrorCode(
    "invalid_import", N_("Filen har %(count)s feil; ingenting er importert."), status=422
)
