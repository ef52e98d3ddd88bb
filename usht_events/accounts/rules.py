"""Rules for user accounts."""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts.models import Role, User
from usht_events.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from usht_events.core.db import utcnow
from usht_events.core.errors import DomainError
from usht_events.organisations.models import Centre, Municipality


def normalise_email(address: str) -> str:
    """Validate an e-mail address and return it lower-cased, or raise `invalid_email`."""
    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError("invalid_email", f"Ugyldig e-postadresse: {address!r}") from error
    return valid.normalized.lower()


def create_user(
    session: DbSession,
    email: str,
    role: Role,
    password: str,
    centre_slug: str | None = None,
    municipality_numbers: tuple[str, ...] = (),
    name: str = "",
) -> User:
    """Create a user bound to a centre (organiser) or municipalities (municipality contact)."""
    email = normalise_email(email)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise DomainError("user_exists", f"Det finnes allerede en bruker med e-post {email}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError("weak_password", f"Passordet må ha minst {MIN_PASSWORD_LENGTH} tegn.")
    user = User(email=email, name=name, role=role, password_hash=hash_password(password))
    if centre_slug:
        user.centre = _centre_by_slug(session, centre_slug)
    elif role == Role.ORGANISER:
        raise DomainError("centre_required", "En arrangør må knyttes til et senter (--centre).")
    user.municipalities = [_municipality(session, number) for number in municipality_numbers]
    if role == Role.MUNICIPALITY and not user.municipalities:
        raise DomainError(
            "municipality_required",
            "En kommunekontakt må knyttes til minst én kommune (--municipality).",
        )
    session.add(user)
    return user


def _centre_by_slug(session: DbSession, slug: str) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.slug == slug))
    if centre is None:
        raise DomainError("unknown_centre", f"Fant ikke senteret {slug!r}.")
    return centre


def _municipality(session: DbSession, number: str) -> Municipality:
    municipality = session.get(Municipality, number.strip().zfill(4))
    if municipality is None:
        raise DomainError("unknown_municipality", f"Fant ikke kommunenummer {number!r}.")
    return municipality


def authenticate(session: DbSession, email: str, password: str) -> User:
    """Return the active user with this e-mail and password, or raise `invalid_login`."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    # Verify against a dummy hash for unknown users, so timing does not reveal who exists.
    password_hash = user.password_hash if user else DUMMY_HASH
    if not verify_password(password_hash, password) or user is None or not user.active:
        raise DomainError("invalid_login", "Feil e-post eller passord.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


DUMMY_HASH = hash_password("not a real password, only used to even out timing")
