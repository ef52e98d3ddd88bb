"""The demo data itself: centres, focus areas, kinds, series, events, people and logins.

Every person, address and phone number here is invented.
"""

from dataclasses import dataclass

from usht_events.catalogue.models import EventFormat, EventKind, EventStatus
from usht_events.registration.models import Profession

# A demo password: printed by seed-demo, never for a real installation.
DEMO_PASSWORD = "demo-passord-2026"

OSTFOLD = ("3101", "3103", "3105", "3107", "3110", "3112", "3114", "3116", "3118", "3120")
OSTFOLD += ("3122", "3124")
FOLLO = ("3207", "3212", "3214", "3216", "3218", "3220")
VESTFOLD = ("3901", "3903", "3905", "3907", "3909", "3911")
BUSKERUD_COUNTY = "33"


@dataclass(frozen=True)
class DemoCentre:
    slug: str
    name: str
    host: str
    email: str
    phone: str
    address: str
    website: str
    # Kommunenummer of the region; None means every municipality of `county`.
    region: tuple[str, ...] | None = None
    county: str = ""


CENTRES = (
    DemoCentre(
        slug="ostfold",
        name="USHT Østfold",
        host="3118",
        email="usht-ostfold@example.no",
        phone="+47 69 00 10 00",
        address="Omsorgssenteret, Kurssalen, 1850 Mysen",
        website="https://usht-ostfold.example.no",
        region=OSTFOLD + FOLLO,
    ),
    DemoCentre(
        slug="buskerud",
        name="USHT Buskerud",
        host="3301",
        email="usht-buskerud@example.no",
        phone="+47 32 00 20 00",
        address="Helsehuset, 3. etasje, 3040 Drammen",
        website="https://usht-buskerud.example.no",
        county=BUSKERUD_COUNTY,
    ),
    DemoCentre(
        slug="vestfold",
        name="USHT Vestfold",
        host="3907",
        email="usht-vestfold@example.no",
        phone="+47 33 00 30 00",
        address="Helse- og omsorgssenteret, 3210 Sandefjord",
        website="https://usht-vestfold.example.no",
        region=VESTFOLD,
    ),
)

FOCUS_AREAS = (
    ("leve-hele-livet", "Leve hele livet"),
    ("lindrende-behandling", "Lindrende behandling og omsorg"),
    ("parorendestrategi", "Pårørendestrategi"),
    ("ernaeringsstrategi", "Ernæringsstrategi"),
    ("demensplan-2025", "Demensplan 2025"),
    ("utviklingshemming", "Kvalitet i tjenester til personer med utviklingshemming"),
    ("pasientsikkerhet", "Pasientsikkerhet og kvalitetsforbedring"),
    ("velferdsteknologi", "Velferdsteknologi"),
)

# (slug, name, validity in months or None, description)
CERTIFICATION_KINDS = (
    ("proact-instruktor", "ProACT-instruktør", 36, "Underviser ProACT i egen kommune."),
    ("hhlr-instruktor", "HHLR-instruktør", 24, "Underviser hjerte-lunge-redning i kommunen."),
    (
        "forhandssamtale-instruktor",
        "Instruktør i forhåndssamtaler",
        None,
        "Lærer opp kolleger i forhåndssamtaler.",
    ),
    ("refleksjonsveileder", "Refleksjonsveileder", None, "Leder etisk refleksjon på jobben."),
    ("fasilitator", "Fasilitator", None, "Fasilitator i KlinObsKommune og forbedringsarbeid."),
    (
        "mentor-lindrende",
        "Mentor (lindrende behandling)",
        None,
        "Mentor for det digitale opplæringsprogrammet i lindrende behandling.",
    ),
    ("abc-kontakt", "ABC-kontakt", None, "Følger opp kommunens deltakere i ABC-opplæringen."),
)

# (centre, slug, name, description)
SERIES = (
    ("ostfold", "proact-nettverk", "Kompetansenettverk ProACT-instruktører", "To samlinger i året"),
    ("ostfold", "klinobskommune", "KlinObsKommune", "Kompetansetrapp i klinisk observasjon."),
    ("ostfold", "demensomsorgens-abc", "Demensomsorgens ABC", "To seminarer per perm i året."),
    ("ostfold", "fagnettverk-demens", "Fagnettverk demens", "For fagpersoner i demensomsorgen."),
    (
        "ostfold",
        "lunsjwebinar-sikkerhetsstandard",
        "Lunsjwebinarer om sikkerhetsstandarden i sykehjem",
        "Korte webinarer for ledere og rådgivere.",
    ),
    (
        "buskerud",
        "hlr-proact-nettverk",
        "Kompetansenettverk HLR- og ProACT-instruktører",
        "Faglig påfyll og erfaringsdeling for instruktører.",
    ),
    (
        "buskerud",
        "laeringsnettverk-forbedring",
        "Læringsnettverk kontinuerlig forbedring",
        "Tre samlinger med arbeid i egen kommune mellom samlingene.",
    ),
    (
        "vestfold",
        "fagnettverk-velferdsteknologi",
        "Fagnettverk velferdsteknologi og digitalisering",
        "For ressurspersoner innen velferdsteknologi.",
    ),
    (
        "vestfold",
        "mentorprogram-lindrende",
        "Mentorprogram lindrende behandling",
        "Mentorer for det digitale opplæringsprogrammet.",
    ),
)


@dataclass(frozen=True)
class DemoEvent:
    centre: str
    title: str
    kind: EventKind
    focus: str
    # First day: `week` weeks after the anchor week, on `weekday` (0 is Monday).
    week: int
    weekday: int
    venue: str
    summary: str
    days: int = 1
    start: str = "09:00"
    end: str = "15:00"
    capacity: int | None = None
    seats_per_municipality: int | None = None
    min_participants: int | None = None
    # The go/no-go decision this many days before the first session.
    decide_days_before: int | None = None
    waitlist: bool = True
    certifies: str | None = None
    series: str | None = None
    format: EventFormat = EventFormat.PHYSICAL
    status: EventStatus = EventStatus.PUBLISHED
    eligible: tuple[str, ...] = ()
    closes_days_before: int = 3
    target_group: str = ""


K = EventKind
TUE, WED, THU = 1, 2, 3
MYSEN = "Omsorgssenteret i Mysen, kurssalen"
DRAMMEN = "Helsehuset i Drammen, auditoriet"
SANDEFJORD = "Helse- og omsorgssenteret i Sandefjord"
TEAMS = "Digitalt (Teams)"
ABC_SEMINAR = "Demensomsorgens ABC: seminar 1, perm 1"
INSTRUCTORS = "Sykepleiere, vernepleiere og helsefagarbeidere som skal undervise i egen kommune."

EVENTS = (
    DemoEvent(
        "ostfold", "ProACT-instruktørkurs", K.INSTRUCTOR_COURSE, "pasientsikkerhet", 6, TUE,
        MYSEN, "To dager som gjør deg til ProACT-instruktør i egen kommune.", days=2,
        end="15:30", capacity=16, seats_per_municipality=2, certifies="proact-instruktor",
        series="klinobskommune", status=EventStatus.CONFIRMED, target_group=INSTRUCTORS,
    ),
    DemoEvent(
        "ostfold", "HHLR-instruktørkurs", K.INSTRUCTOR_COURSE, "pasientsikkerhet", 9, WED,
        MYSEN, "Instruktørkurs i hjerte-lunge-redning for helsepersonell.", days=2,
        capacity=16, seats_per_municipality=2, certifies="hhlr-instruktor",
        series="klinobskommune", target_group=INSTRUCTORS,
    ),
    DemoEvent(
        "ostfold", "KlinObsKommune trinn 1: ABCDE, NEWS2 og ISBAR", K.COURSE, "pasientsikkerhet",
        8, THU, MYSEN, "Kurs for ressurspersoner i klinisk observasjon.", capacity=24,
        series="klinobskommune",
    ),
    DemoEvent(
        "ostfold", ABC_SEMINAR, K.SEMINAR, "demensplan-2025", 10,
        TUE, "Kulturhuset i Fredrikstad, sal 2", "Fellesseminar for deltakerne i ABC-gruppene.",
        capacity=60, min_participants=25, decide_days_before=14, series="demensomsorgens-abc",
    ),
    DemoEvent(
        "ostfold", "Demensomsorgens ABC for Follo-kommunene", K.SEMINAR, "demensplan-2025", 11,
        THU, "Kulturhuset på Ski, lille sal", "Seminar for ABC-gruppene i de seks Follo-kommunene.",
        capacity=60, min_participants=25, decide_days_before=14, series="demensomsorgens-abc",
        eligible=FOLLO,
    ),
    DemoEvent(
        "ostfold", "Nettverkssamling for ProACT-instruktører", K.NETWORK_GATHERING,
        "pasientsikkerhet", 12, WED, MYSEN, "Faglig påfyll og erfaringsdeling.", end="12:00",
        capacity=40, series="proact-nettverk",
    ),
    DemoEvent(
        "ostfold", "Fagnettverk demens: samling om rett tiltak til rett tid", K.NETWORK_GATHERING,
        "demensplan-2025", 14, TUE, "Sarpsborg helsehus, møterom 1",
        "Halv dag om kartlegging og miljøbehandling.", end="12:30", capacity=35,
        series="fagnettverk-demens", format=EventFormat.HYBRID,
    ),
    DemoEvent(
        "ostfold", "Lunsjwebinar: sikkerhetsstandarden i sykehjem, del 1", K.WEBINAR,
        "pasientsikkerhet", 7, THU, TEAMS, "Hva standarden krever, og hvordan komme i gang.",
        start="11:30", end="12:15", series="lunsjwebinar-sikkerhetsstandard",
        format=EventFormat.DIGITAL, closes_days_before=0,
    ),
    DemoEvent(
        "ostfold", "Lunsjwebinar: sikkerhetsstandarden i sykehjem, del 2", K.WEBINAR,
        "pasientsikkerhet", 11, THU, TEAMS, "Risikovurdering og avvik i praksis.",
        start="11:30", end="12:15", series="lunsjwebinar-sikkerhetsstandard",
        format=EventFormat.DIGITAL, closes_days_before=0,
    ),
    DemoEvent(
        "ostfold", "Fag- og tjenesteutviklingskonferansen", K.CONFERENCE, "leve-hele-livet", 16,
        THU, "Konferansehotellet i Sarpsborg", "Regional konferanse for kommunene i Østfold.",
        end="15:30", capacity=110, status=EventStatus.CONFIRMED, closes_days_before=7,
    ),
    DemoEvent(
        "ostfold", "Læringsnettverk KlinObsKommune: samling 1", K.LEARNING_NETWORK,
        "pasientsikkerhet", 13, TUE, MYSEN, "Første samling: tema og teamarbeid.", days=2,
        capacity=30, series="klinobskommune",
    ),
    DemoEvent(
        "buskerud", "Instruktørkurs i forhåndssamtaler", K.INSTRUCTOR_COURSE,
        "lindrende-behandling", 7, TUE, DRAMMEN,
        "For hjemmetjeneste, sykehjem, tjenester til utviklingshemmede og sykehusavdelinger.",
        days=2, capacity=20, seats_per_municipality=2, certifies="forhandssamtale-instruktor",
        target_group=INSTRUCTORS,
    ),
    DemoEvent(
        "buskerud", "HHLR-instruktørkurs", K.INSTRUCTOR_COURSE, "pasientsikkerhet", 10, WED,
        DRAMMEN, "Instruktørkurs i hjerte-lunge-redning.", days=2, capacity=16,
        seats_per_municipality=2, certifies="hhlr-instruktor", target_group=INSTRUCTORS,
    ),
    DemoEvent(
        "buskerud", "Nettverkssamling for HLR- og ProACT-instruktører", K.NETWORK_GATHERING,
        "pasientsikkerhet", 12, TUE, DRAMMEN, "Oppdatering på retningslinjer og øvelser.",
        end="12:00", capacity=40, series="hlr-proact-nettverk",
    ),
    DemoEvent(
        "buskerud", "Konferanse om lindrende behandling og kreftomsorg", K.CONFERENCE,
        "lindrende-behandling", 15, THU, "Kulturhuset i Drammen",
        "Årlig konferanse for ressurssykepleiere og ledere.", end="15:30", capacity=100,
        status=EventStatus.CONFIRMED, closes_days_before=7,
    ),
    DemoEvent(
        "buskerud", "Opplæring av refleksjonsveiledere i etikk", K.COURSE, "leve-hele-livet", 9,
        TUE, "Kongsberg helsehus", "To dager om å lede etisk refleksjon.", days=2,
        capacity=20, seats_per_municipality=2, certifies="refleksjonsveileder",
    ),
    DemoEvent(
        "buskerud", "Læringsnettverk kontinuerlig forbedring: samling 2", K.LEARNING_NETWORK,
        "pasientsikkerhet", 13, WED, "Rådhuset i Hønefoss", "Fag og teamarbeid.", days=2,
        capacity=36, series="laeringsnettverk-forbedring",
    ),
    DemoEvent(
        "buskerud", "Informasjonsmøte for kommunekontakter", K.INFORMATION_MEETING,
        "leve-hele-livet", 6, THU, TEAMS, "Plan for neste halvår og nye tilbud.",
        start="13:00", end="14:00", format=EventFormat.DIGITAL, closes_days_before=1,
    ),
    DemoEvent(
        "vestfold", "ProACT-instruktørkurs", K.INSTRUCTOR_COURSE, "pasientsikkerhet", 8, TUE,
        SANDEFJORD, "To dager som gjør deg til ProACT-instruktør i egen kommune.", days=2,
        end="15:30", capacity=16, seats_per_municipality=2, certifies="proact-instruktor",
        target_group=INSTRUCTORS,
    ),
    DemoEvent(
        "vestfold", "Fagdag om ernæring for eldre", K.PROFESSIONAL_DAY, "ernaeringsstrategi", 9,
        THU, "Konferansesenteret i Tønsberg", "Fagdag på stedet, med strømming.", capacity=35,
        format=EventFormat.HYBRID,
    ),
    DemoEvent(
        "vestfold", "Velferdsteknologiens ABC: seminar", K.SEMINAR, "velferdsteknologi", 11,
        WED, "Kulturhuset i Larvik", "Seminar for deltakerne i Velferdsteknologiens ABC.",
        capacity=60, min_participants=25, decide_days_before=14,
    ),
    DemoEvent(
        "vestfold", "Fagnettverk velferdsteknologi: nettverkssamling", K.NETWORK_GATHERING,
        "velferdsteknologi", 10, TUE, TEAMS, "Erfaringer med digitalt tilsyn.", start="12:00",
        end="15:00", series="fagnettverk-velferdsteknologi", format=EventFormat.DIGITAL,
        closes_days_before=1,
    ),
    DemoEvent(
        "vestfold", "Mentoropplæring: digitalt opplæringsprogram i lindrende behandling",
        K.COURSE, "lindrende-behandling", 12, THU, SANDEFJORD,
        "For mentorer som skal følge opp kolleger i programmet.", capacity=20,
        certifies="mentor-lindrende", series="mentorprogram-lindrende",
    ),
    DemoEvent(
        "vestfold", "Fasilitatorkurs i forbedringsarbeid", K.COURSE, "pasientsikkerhet", 14,
        TUE, "Horten helsehus", "Lær å lede forbedringsteam i egen kommune.", capacity=18,
        certifies="fasilitator",
    ),
    DemoEvent(
        "vestfold", "Workshop: samarbeid med pårørende", K.WORKSHOP, "parorendestrategi", 7,
        WED, "Helsehuset i Holmestrand", "Kafédialog om pårørendestrategien.",
        start="10:00", end="14:00", capacity=30,
    ),
    DemoEvent(
        "vestfold", "Webinar: gode tjenester til personer med utviklingshemming", K.WEBINAR,
        "utviklingshemming", 8, THU, TEAMS, "Kvalitet og medvirkning i boliger med bemanning.",
        start="13:00", end="14:30", capacity=300, format=EventFormat.DIGITAL,
        closes_days_before=0,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DemoPerson:
    name: str
    municipality: str
    workplace: str
    profession: Profession


P = Profession
PEOPLE = (
    DemoPerson("Ingrid Solvang", "3101", "Halden sykehjem", P.NURSE),
    DemoPerson("Per Arne Lihaug", "3101", "Hjemmetjenesten", P.HEALTH_WORKER),
    DemoPerson("Marte Kvisler", "3103", "Moss helsehus", P.NURSE),
    DemoPerson("Jonas Bredvik", "3103", "Hjemmetjenesten sone nord", P.SOCIAL_EDUCATOR),
    DemoPerson("Siri Hallangen", "3105", "Sarpsborg helsehus", P.NURSE),
    DemoPerson("Ola Torvestad", "3105", "Bofellesskap for utviklingshemmede", P.SOCIAL_EDUCATOR),
    DemoPerson("Hanne Rødsmoen", "3107", "Fredrikstad sykehjem, avdeling 2", P.NURSE),
    DemoPerson("Anders Fjeldhagen", "3107", "Hjemmetjenesten øst", P.PHYSIOTHERAPIST),
    DemoPerson("Kari Nesvold", "3107", "Fredrikstad sykehjem, avdeling 4", P.HEALTH_WORKER),
    DemoPerson("Line Storhaugen", "3110", "Hvaler omsorgssenter", P.NURSE),
    DemoPerson("Tor Inge Vassbotn", "3110", "Hjemmetjenesten", P.HEALTH_WORKER),
    DemoPerson("Camilla Ødegården", "3112", "Råde sykehjem", P.NURSE),
    DemoPerson("Eirik Nordhagen", "3112", "Hjemmetjenesten", P.OCCUPATIONAL_THERAPIST),
    DemoPerson("Randi Skaugen", "3118", "Askim helsehus", P.NURSE),
    DemoPerson("Geir Tangerud", "3118", "Mysen sykehjem", P.MANAGER),
    DemoPerson("Nina Bergsland", "3120", "Rakkestad sykehjem", P.NURSE),
    DemoPerson("Vidar Holtemoen", "3120", "Hjemmetjenesten", P.HEALTH_WORKER),
    DemoPerson("Tone Lysaker", "3105", "Hjemmetjenesten sør", P.NURSE),
    DemoPerson("Stian Mørkhagen", "3101", "Halden sykehjem", P.NURSE),
    DemoPerson("Anette Grønlie", "3207", "Nordre Follo helsehus", P.NURSE),
    DemoPerson("Bjørn Skjelbred", "3218", "Ås sykehjem", P.HEALTH_WORKER),
    DemoPerson("Lise Kolbotten", "3301", "Drammen helsehus", P.NURSE),
    DemoPerson("Morten Aasvang", "3305", "Hjemmetjenesten Ringerike", P.SOCIAL_EDUCATOR),
    DemoPerson("Elin Haugsrud", "3303", "Kongsberg sykehjem", P.NURSE),
    DemoPerson("Knut Brekkeli", "3907", "Sandefjord helsehus", P.NURSE),
    DemoPerson("Silje Tveitane", "3909", "Hjemmetjenesten Larvik", P.OCCUPATIONAL_THERAPIST),
)


@dataclass(frozen=True)
class DemoSignups:
    centre: str
    title: str
    # Indexes into PEOPLE, in sign-up order.
    confirmed: tuple[int, ...]
    waitlisted: tuple[int, ...] = ()


# The Østfold ProACT course is full (eight municipalities with two seats each) and has a
# waiting list; the first ABC seminar has reached neither its minimum nor its capacity.
SIGNUPS = (
    DemoSignups(
        "ostfold",
        "ProACT-instruktørkurs",
        confirmed=(0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16),
        waitlisted=(17, 18, 8),
    ),
    DemoSignups("ostfold", ABC_SEMINAR, (0, 2, 4, 6, 8, 9, 13, 15, 17)),
    DemoSignups("ostfold", "Fag- og tjenesteutviklingskonferansen", (1, 3, 5, 7, 11, 14)),
    DemoSignups("ostfold", "Demensomsorgens ABC for Follo-kommunene", (19, 20)),
    DemoSignups("buskerud", "Instruktørkurs i forhåndssamtaler", (21, 22, 23)),
    DemoSignups("vestfold", "Fagdag om ernæring for eldre", (24, 25)),
)

# (e-mail, role, centre slug, municipality numbers, name)
LOGINS = (
    ("admin@usht-demo.no", "admin", None, (), "Demo Administrator"),
    ("arrangor.ostfold@usht-demo.no", "organiser", "ostfold", (), "Demo Arrangør Østfold"),
    ("arrangor.buskerud@usht-demo.no", "organiser", "buskerud", (), "Demo Arrangør Buskerud"),
    ("arrangor.vestfold@usht-demo.no", "organiser", "vestfold", (), "Demo Arrangør Vestfold"),
    (
        "kontakt.fredrikstad@usht-demo.no",
        "municipality",
        None,
        ("3107",),
        "Demo Kommunekontakt Fredrikstad",
    ),
)
