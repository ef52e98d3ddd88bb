"""Every way the check-in rules refuse, declared once (see core/errors.py).

A scan that finds nothing to check in is not a refusal: it is one of the scan results in
scanning.py (unknown, wrong event, cancelled, ...). These are the requests that cannot be
answered at all.
"""

from usht_events.core.errors import ErrorCode
from usht_events.core.i18n import N_

NO_CODE = ErrorCode(
    "no_code", N_("Skriv inn billettkoden eller skann QR-koden."), status=422, field="code"
)
UNKNOWN_SESSION = ErrorCode(
    "unknown_session", N_("Velg en dag i dette arrangementet."), status=422, field="session"
)
NO_SESSIONS = ErrorCode("no_sessions", N_("Arrangementet har ingen dager å sjekke inn på."))
NOT_CHECKED_IN = ErrorCode(
    "not_checked_in", N_("Personen er ikke sjekket inn denne dagen, så det er ingenting å angre.")
)
TOO_MANY_SCANS = ErrorCode(
    "too_many_scans",
    N_("For mange skanninger i én sending (høyst %(limit)s)."),
    status=413,
)
BAD_SCAN = ErrorCode(
    "bad_scan", N_("Skanningen mangler kode, dag eller tidspunkt."), status=422, field="scans"
)
WALK_IN_FULL = ErrorCode(
    "full",
    N_("Arrangementet er fullt. Kryss av for å gi personen plass over kapasiteten."),
    field="over_capacity",
)
WALK_IN_MUNICIPALITY_FULL = ErrorCode(
    "municipality_full",
    N_(
        "Kommunen har brukt alle sine %(seats)s plasser. "
        "Øk antall plasser per kommune for å gi personen plass."
    ),
    field="municipality",
)
