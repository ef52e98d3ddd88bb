"""`make_*` factories: model objects with sensible defaults, flushed so they have ids."""

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import select

from usht_events.accounts.models import Role, User
from usht_events.accounts.passwords import hash_password
from usht_events.accounts.sessions import start_login_session
from usht_events.catalogue.models import (
    Event,
    EventKind,
    EventStatus,
    FocusArea,
    Series,
    Session,
)
from usht_events.certification.models import (
    Certification,
    CertificationKind,
    CertificationSource,
)
from usht_events.certification.renewal import refresh_current
from usht_events.core.db import utcnow
from usht_events.core.outbox import OutboxMessage, OutboxStatus, queue_mail
from usht_events.organisations.models import Centre, Municipality
from usht_events.registration.models import (
    Person,
    Profession,
    Registration,
    RegistrationStatus,
)

_counter = itertools.count(1)

TEST_PASSWORD = "correct horse battery staple"

# A few real municipalities, enough for tests that do not load all 357.
KNOWN_MUNICIPALITIES = {
    "3101": ("Halden", "31", "Østfold"),
    "3103": ("Moss", "31", "Østfold"),
    "3105": ("Sarpsborg", "31", "Østfold"),
    "3107": ("Fredrikstad", "31", "Østfold"),
    "3110": ("Hvaler", "31", "Østfold"),
    "3120": ("Rakkestad", "31", "Østfold"),
    "3122": ("Marker", "31", "Østfold"),
    "3205": ("Lillestrøm", "32", "Akershus"),
    "3301": ("Drammen", "33", "Buskerud"),
    "3907": ("Sandefjord", "39", "Vestfold"),
    "3118": ("Indre Østfold", "31", "Østfold"),
}


def _next() -> int:
    return next(_counter)


class Factories:
    """Build model objects in the given database session."""

    def __init__(self, session):
        self.session = session

    def _save(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def municipality(self, number: str = "3107", **fields) -> Municipality:
        existing = self.session.get(Municipality, number)
        if existing is not None:
            return existing
        name, county_number, county_name = KNOWN_MUNICIPALITIES.get(
            number, (f"Kommune {number}", number[:2], "Fylke")
        )
        values = {"name": name, "county_number": county_number, "county_name": county_name}
        return self._save(Municipality(number=number, **(values | fields)))

    def centre(self, slug: str | None = None, region: tuple[str, ...] = (), **fields) -> Centre:
        slug = slug or f"senter-{_next()}"
        existing = self.session.scalar(select(Centre).where(Centre.slug == slug))
        if existing is not None:
            return existing
        values = {
            "name": f"USHT {slug.title()}",
            "host_municipality_number": self.municipality("3118").number,
            "email": f"{slug}@usht.test",
        }
        centre = Centre(slug=slug, **(values | fields))
        centre.region = [self.municipality(number) for number in region]
        return self._save(centre)

    def focus_area(self, slug: str = "leve-hele-livet", name: str | None = None) -> FocusArea:
        existing = self.session.scalar(select(FocusArea).where(FocusArea.slug == slug))
        if existing is not None:
            return existing
        return self._save(FocusArea(slug=slug, name=name or slug.replace("-", " ").capitalize()))

    def series(self, centre: Centre | None = None, **fields) -> Series:
        number = _next()
        values = {"slug": f"serie-{number}", "name": f"Nettverk {number}"}
        return self._save(Series(centre=centre or self.centre(), **(values | fields)))

    def certification_kind(
        self, slug: str = "proact-instruktor", validity_months: int | None = 24, **fields
    ) -> CertificationKind:
        existing = self.session.scalar(
            select(CertificationKind).where(CertificationKind.slug == slug)
        )
        if existing is not None:
            return existing
        values = {"name": slug.replace("-", " ").capitalize(), "validity_months": validity_months}
        return self._save(CertificationKind(slug=slug, **(values | fields)))

    def event(
        self,
        *,
        starts_at: datetime | None = None,
        days: int = 1,
        session_hours: float = 6,
        eligible: tuple[str, ...] = (),
        **fields,
    ) -> Event:
        """An open, published event with `days` sessions, starting in two weeks by default."""
        now = utcnow()
        start = starts_at or (now + timedelta(days=14)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
        values = {
            "title": f"Kurs {_next()}",
            "kind": EventKind.COURSE,
            "status": EventStatus.PUBLISHED,
            "capacity": 25,
            "waitlist_enabled": True,
            "venue": "Mysen helsehus",
            "registration_opens_at": now - timedelta(days=30),
            "registration_closes_at": start - timedelta(days=1),
            "published_at": now,
        }
        values |= fields
        values.setdefault("centre", self.centre())
        values.setdefault("focus_area", self.focus_area())
        event = Event(**values)
        event.sessions = [
            Session(
                starts_at=start + timedelta(days=day),
                ends_at=start + timedelta(days=day, hours=session_hours),
            )
            for day in range(days)
        ]
        event.eligible_municipalities = [self.municipality(number) for number in eligible]
        return self._save(event)

    def person(self, email: str | None = None, municipality: str = "3107", **fields) -> Person:
        number = _next()
        values = {
            "email": email or f"deltaker{number}@example.no",
            "name": f"Deltaker {number}",
            "municipality_number": self.municipality(municipality).number,
            "workplace": "Hjemmetjenesten",
            "profession": Profession.NURSE,
        }
        return self._save(Person(**(values | fields)))

    def registration(
        self,
        event: Event | None = None,
        person: Person | None = None,
        status: RegistrationStatus = RegistrationStatus.CONFIRMED,
        **fields,
    ) -> Registration:
        person = person or self.person()
        values = {
            "event": event or self.event(),
            "person": person,
            "status": status,
            "municipality_number": person.municipality_number,
            "workplace": person.workplace,
            "profession": person.profession,
            "consent_at": utcnow(),
        }
        if status == RegistrationStatus.CONFIRMED:
            values["confirmed_at"] = utcnow()
        return self._save(Registration(**(values | fields)))

    def failed_mail(
        self,
        event: Event | None = None,
        subject: str = "Bekreftelse: Kurs",
        last_error: str = "SMTP 550: mailbox unavailable",
    ) -> OutboxMessage:
        """A confirmation the outbox worker gave up on after its eight attempts."""
        message = queue_mail(
            self.session,
            kind="confirmation",
            to="deltaker@example.no",
            subject=subject,
            text="Hei",
            event_id=event.id if event else None,
        )
        message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 8, last_error
        return self._save(message)

    def certification(self, person: Person | None = None, **fields) -> Certification:
        """A certification, marked current or not among the person's of its kind."""
        person = person or self.person()
        values = {
            "person": person,
            "kind": self.certification_kind(),
            "municipality_number": person.municipality_number,
            "source": CertificationSource.IMPORTED,
            "issued_on": date.today(),
        }
        certification = self._save(Certification(**(values | fields)))
        refresh_current(self.session, [(certification.person_id, certification.kind_id)])
        return certification

    def user(
        self,
        role: str = "organiser",
        email: str | None = None,
        password: str = TEST_PASSWORD,
        centre: Centre | None = None,
        municipalities: tuple[str, ...] = ("3107",),
    ) -> tuple[User, str]:
        """A user with a known password; organisers get a centre, contacts a municipality."""
        role = Role(role)
        user = User(
            email=email or f"{role.value}{_next()}@usht.test",
            role=role,
            name=f"Test {role.label}",
            password_hash=hash_password(password),
        )
        if role == Role.ORGANISER:
            user.centre = centre or self.centre()
        if role == Role.MUNICIPALITY:
            user.municipalities = [self.municipality(number) for number in municipalities]
        return self._save(user), password

    def login_token(self, user: User) -> str:
        """A live login session for the user; its token is what the session cookie holds."""
        token = start_login_session(self.session, user, utcnow())
        self.session.flush()
        return token
