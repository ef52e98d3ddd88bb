"""Every way the accounts rules refuse, declared once (see core/errors.py)."""

from usht_events.core.errors import ErrorCode
from usht_events.core.i18n import N_

INVALID_LOGIN = ErrorCode("invalid_login", N_("Feil e-post eller passord."), status=401)
INVALID_EMAIL = ErrorCode(
    "invalid_email", N_("Ugyldig e-postadresse: %(address)s"), status=422, field="email"
)
USER_EXISTS = ErrorCode(
    "user_exists",
    N_("Det finnes allerede en bruker med e-post %(email)s."),
    status=409,
    field="email",
)
CENTRE_REQUIRED = ErrorCode(
    "centre_required", N_("En arrangør må knyttes til et senter."), status=422, field="centre"
)
MUNICIPALITY_REQUIRED = ErrorCode(
    "municipality_required",
    N_("En kommunekontakt må knyttes til minst én kommune."),
    status=422,
    field="municipalities",
)
CANNOT_DEMOTE_SELF = ErrorCode(
    "cannot_demote_self",
    N_("Du kan ikke deaktivere deg selv eller ta fra deg administratorrollen."),
    status=409,
    field="role",
)
WEAK_PASSWORD = ErrorCode(
    "weak_password",
    N_("Passordet må ha minst %(length)s tegn."),
    status=422,
    field="new_password",
)
WRONG_PASSWORD = ErrorCode(
    "wrong_password", N_("Det nåværende passordet er feil."), status=400, field="current_password"
)
UNKNOWN_CENTRE = ErrorCode("unknown_centre", N_("Fant ikke senteret %(slug)s."), status=422)
UNKNOWN_MUNICIPALITY = ErrorCode(
    "unknown_municipality", N_("Fant ikke kommunenummer %(number)s."), status=422
)
RESET_EXPIRED = ErrorCode("reset_expired", N_("Lenken er utløpt. Be om en ny."), status=400)
RESET_INVALID = ErrorCode(
    "reset_invalid", N_("Lenken er ugyldig eller allerede brukt."), status=400
)
