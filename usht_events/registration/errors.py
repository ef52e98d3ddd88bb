"""Every way the registration rules refuse, declared once (see core/errors.py).

The messages are Norwegian catalogue ids; pages translate them with `error.localised()`.
"""

from usht_events.core.errors import ErrorCode
from usht_events.core.i18n import N_

# The event as a whole: catalogue/errors.py (EVENT_NOT_FOUND, EVENT_CANCELLED, ...).
EVENT_OVER = ErrorCode("past", N_("Arrangementet er over, og påmeldingene kan ikke endres."))

# The sign-up window
STARTED = ErrorCode("past", N_("Arrangementet har allerede startet, og påmeldingen er stengt."))
NOT_YET_OPEN = ErrorCode("not_yet_open", N_("Påmeldingen har ikke åpnet ennå."))
CLOSED = ErrorCode("closed", N_("Påmeldingsfristen er ute."))

# Who may sign up, and where the seats are
UNKNOWN_MUNICIPALITY = ErrorCode(
    "unknown_municipality", N_("Velg en kommune fra listen."), status=422, field="municipality"
)
NOT_ELIGIBLE = ErrorCode(
    "not_eligible",
    N_("Arrangementet er ikke åpent for deltakere fra kommunen du valgte."),
    status=403,
    field="municipality",
)
FULL = ErrorCode("full", N_("Arrangementet er fullt."))
# The event has free seats, but not for this municipality. `municipality` is its number
# when raised; the page puts the name in after the rollback (signup.name_municipality).
MUNICIPALITY_FULL = ErrorCode(
    "municipality_full",
    N_(
        "Plassene for %(municipality)s er tatt (høyst %(seats)s per kommune), og arrangementet "
        "har ingen venteliste. Det er fortsatt ledige plasser for ansatte i andre kommuner."
    ),
    field="municipality",
)
MUNICIPALITY_FULL_NO_WAITLIST = ErrorCode(
    "municipality_full",
    N_(
        "Kommunen har brukt alle sine %(seats)s plasser, og arrangementet har ingen venteliste. "
        "Øk antall plasser per kommune for å gi personen plass."
    ),
    field="municipality",
)
FULL_RAISE_CAPACITY = ErrorCode(
    "full",
    N_(
        "Alle %(capacity)s plassene er tatt. Øk kapasiteten på arrangementet for å gi personen plass."
    ),
)
FULL_NO_WAITLIST = ErrorCode(
    "full", N_("Arrangementet er fullt og har ingen venteliste. Øk kapasiteten først.")
)
MUNICIPALITY_FULL_RAISE_CAP = ErrorCode(
    "municipality_full",
    N_(
        "Kommunen har brukt alle sine %(seats)s plasser. "
        "Øk antall plasser per kommune for å gi personen plass."
    ),
)
ALREADY_REGISTERED = ErrorCode(
    "already_registered",
    N_("Personen med denne e-postadressen er allerede påmeldt (%(status)s)."),
    field="email",
)

# A place
REGISTRATION_CANCELLED = ErrorCode(
    "registration_cancelled", N_("Påmeldingen er avmeldt; det er ingen bekreftelse å sende.")
)
ALREADY_CANCELLED = ErrorCode("already_cancelled", N_("Påmeldingen er allerede avmeldt."))
CANCEL_REASON_MISSING = ErrorCode(
    "reason_missing",
    N_("Skriv en begrunnelse til deltakeren: den står i e-posten om avmeldingen."),
    status=422,
    field="reason",
)
CANCEL_AFTER_START = ErrorCode(
    "past", N_("Arrangementet har startet; kontakt arrangøren for å melde deg av.")
)
CHANGE_AFTER_START = ErrorCode(
    "past", N_("Arrangementet har startet, og påmeldingen kan ikke endres nå.")
)
REGISTRATION_NOT_ACTIVE = ErrorCode(
    "registration_cancelled",
    N_("Påmeldingen er avmeldt, og opplysningene kan ikke endres her lenger."),
)
MUNICIPALITY_NOT_CHANGEABLE = ErrorCode(
    "municipality_not_changeable",
    N_(
        "Kommunen kan ikke endres her, fordi den avgjør hvem som får plass på dette "
        "arrangementet. Kontakt arrangøren."
    ),
    field="municipality",
)
NOT_WAITLISTED = ErrorCode("not_waitlisted", N_("Bare påmeldinger på ventelisten kan få plass."))
NO_ADDRESS = ErrorCode("no_address", N_("Personen har ingen e-postadresse vi kan sende til."))
NO_RECIPIENTS = ErrorCode("no_recipients", N_("Det er ingen mottakere i gruppen du valgte."))

# Capacity
INVALID_CAPACITY = ErrorCode(
    "invalid_capacity", N_("Kapasiteten må være minst 1."), field="capacity"
)
INVALID_SEATS = ErrorCode(
    "invalid_capacity", N_("Plasser per kommune må være minst 1."), field="seats_per_municipality"
)
CAPACITY_BELOW_CONFIRMED = ErrorCode(
    "capacity_below_confirmed",
    N_("Kapasiteten kan ikke settes lavere enn antall bekreftede deltakere."),
    field="capacity",
)
SEATS_BELOW_CONFIRMED = ErrorCode(
    "capacity_below_confirmed",
    N_("En kommune har allerede flere bekreftede deltakere enn det nye taket."),
    field="seats_per_municipality",
)

# The decision at the minimum
NOT_AWAITING_DECISION = ErrorCode("not_awaiting", N_("Arrangementet venter ikke på en beslutning."))

# Taking an event back to draft
HAS_REGISTRATIONS = ErrorCode(
    "has_registrations",
    N_(
        "Arrangementet har %(active)s aktive påmeldinger og kan ikke gjøres om til utkast. "
        "Avlys det i stedet, så får de påmeldte beskjed."
    ),
)

# Answers to the event's own questions
ANSWER_REQUIRED = ErrorCode("answer_required", N_("Svar på spørsmålet «%(label)s»."), status=422)
ANSWER_NOT_A_CHOICE = ErrorCode(
    "answer_not_a_choice", N_("Velg et av alternativene til «%(label)s»."), status=422
)
ANSWER_TOO_LONG = ErrorCode(
    "answer_too_long", N_("Svaret på «%(label)s» kan ha høyst %(most)s tegn."), status=422
)

# Completion
REGISTRATION_NOT_FOUND = ErrorCode("not_found", N_("Påmeldingen finnes ikke."), status=404)
COMPLETION_REASON_REQUIRED = ErrorCode(
    "reason_required",
    N_("Skriv hvorfor du overstyrer oppmøtet."),
    status=422,
    field="reason",
)
COMPLETION_NOT_CONFIRMED = ErrorCode(
    "not_confirmed", N_("Bare bekreftede deltakere kan ha fullført arrangementet.")
)

# Actions on a selection of participants
NOTHING_SELECTED = ErrorCode(
    "nothing_selected", N_("Velg minst én deltaker i listen først."), status=422
)
