"""Every way the catalogue's rules refuse, declared once (see core/errors.py).

The event-level refusals here are shared by the areas above: a sign-up, a check-in or a
decision on a cancelled event answers with the same EVENT_CANCELLED.
"""

from usht_events.core.errors import ErrorCode
from usht_events.core.i18n import N_

EVENT_NOT_FOUND = ErrorCode("not_found", N_("Arrangementet finnes ikke."), status=404)
EVENT_CANCELLED = ErrorCode("event_cancelled", N_("Arrangementet er avlyst."))
EVENT_ALREADY_CANCELLED = ErrorCode(
    "already_cancelled_event", N_("Arrangementet er allerede avlyst.")
)
CANCELLED_NOT_CHANGEABLE = ErrorCode(
    "event_cancelled", N_("Arrangementet er avlyst og kan ikke endres.")
)

# The editor
INVALID_EVENT = ErrorCode("invalid_event", N_("Arrangementet kan ikke lagres slik det er."), 422)
SESSIONS_REMOVED = ErrorCode(
    "sessions_removed",
    N_("En økt kan ikke fjernes; avlys arrangementet og lag et nytt."),
    field="sessions",
)
SESSION_WITHOUT_TIME_ZONE = ErrorCode(
    "invalid_session", N_("Tidspunktet mangler tidssone."), field="sessions"
)
SESSION_ENDS_BEFORE_START = ErrorCode(
    "invalid_session", N_("En økt må slutte etter at den begynner."), field="sessions"
)

# Publishing
CANCELLED_NOT_PUBLISHABLE = ErrorCode(
    "event_cancelled", N_("Arrangementet er avlyst og kan ikke publiseres.")
)
ALREADY_PUBLISHED = ErrorCode("already_published", N_("Arrangementet er allerede publisert."))
OVER_NOT_PUBLISHABLE = ErrorCode("past", N_("Arrangementet er over og kan ikke publiseres."))
NOT_PUBLISHED = ErrorCode("not_published", N_("Arrangementet er ikke publisert."))

# Duplicating
NO_SHIFT = ErrorCode("no_shift", N_("Velg enten antall uker eller ny første dag."), 422)
NO_SESSIONS_TO_COPY = ErrorCode("no_sessions", N_("Arrangementet har ingen dager å kopiere."))
COPY_IN_PAST = ErrorCode("copy_in_past", N_("Kopien må begynne etter i dag."), 422)

# Importing a programme
INVALID_IMPORT = ErrorCode(
    "invalid_import", N_("Filen har %(count)s feil; ingenting er importert."), 422
)

# An event's own questions
QUESTION_NOT_FOUND = ErrorCode("question_not_found", N_("Spørsmålet finnes ikke."), status=404)
QUESTION_LABEL_REQUIRED = ErrorCode(
    "question_label_required", N_("Skriv spørsmålet."), status=422, field="label"
)
CHOICES_REQUIRED = ErrorCode(
    "choices_required",
    N_("Skriv minst to svaralternativer, ett per linje."),
    status=422,
    field="choices",
)
CHOICES_REPEATED = ErrorCode(
    "choices_repeated",
    N_("Hvert svaralternativ kan bare stå én gang."),
    status=422,
    field="choices",
)
TOO_MANY_CHOICES = ErrorCode(
    "too_many_choices",
    N_("Et spørsmål kan ha høyst %(most)s svaralternativer."),
    status=422,
    field="choices",
)
CHOICE_TOO_LONG = ErrorCode(
    "choice_too_long",
    N_("Et svaralternativ kan ha høyst %(most)s tegn."),
    status=422,
    field="choices",
)
TOO_MANY_QUESTIONS = ErrorCode(
    "too_many_questions", N_("Et arrangement kan ha høyst %(most)s egne spørsmål."), status=409
)

# Reference data (certification kinds, focus areas, series), kept by administrators
INVALID_SLUG = ErrorCode(
    "invalid_slug",
    N_("Kortnavnet kan bare ha små bokstaver a–z, sifre og bindestrek, f.eks. abc-kontakt."),
    status=422,
    field="slug",
)
SLUG_TAKEN = ErrorCode(
    "slug_taken", N_("Kortnavnet «%(slug)s» er allerede i bruk."), status=422, field="slug"
)
NAME_TAKEN = ErrorCode(
    "name_taken", N_("Navnet «%(name)s» er allerede i bruk."), status=422, field="name"
)
