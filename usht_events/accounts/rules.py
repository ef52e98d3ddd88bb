"""Rules for user accounts: creating them, their role and bindings, logging in, passwords."""

from collections.abc import Sequence
from functools import cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from usht_events.accounts import errors
from usht_events.accounts.models import Role, User
from usht_events.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from usht_events.accounts.sessions import end_login_sessions, start_login_session
from usht_events.core.audit import record_action
from usht_events.core.db import utcnow
from usht_events.core.errors import DomainError
from usht_events.organisations.models import Centre, Municipality


def normalise_email(address: str) -> str:
    """Validate an e-mail address and return it lower-cased, or raise `invalid_email`."""
    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError(errors.INVALID_EMAIL, address=repr(address)) from error
    return valid.normalized.lower()


def user_by_email(session: DbSession, email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), if any."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


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
    centre = _centre_by_slug(session, centre_slug) if centre_slug else None
    municipalities = [_municipality(session, number) for number in municipality_numbers]
    return add_user(session, email, role, centre, municipalities, name, password)


def add_user(
    session: DbSession,
    email: str,
    role: Role,
    centre: Centre | None,
    municipalities: Sequence[Municipality],
    name: str = "",
    password: str | None = None,
) -> User:
    """Add a user; without a password nobody knows it until a reset link is used."""
    email = normalise_email(email)
    if user_by_email(session, email) is not None:
        raise DomainError(errors.USER_EXISTS, email=email)
    password = password or generate_password()
    _check_password(password)
    user = User(email=email, name=name or "", password_hash=hash_password(password))
    set_bindings(user, role, centre, municipalities)
    session.add(user)
    return user


def set_bindings(
    user: User, role: Role, centre: Centre | None, municipalities: Sequence[Municipality]
) -> None:
    """Give the user a role and the scope it needs; a binding the role does not use is dropped."""
    if role == Role.ORGANISER and centre is None:
        raise DomainError(errors.CENTRE_REQUIRED)
    if role == Role.MUNICIPALITY and not municipalities:
        raise DomainError(errors.MUNICIPALITY_REQUIRED)
    user.role = role
    user.centre = centre if role == Role.ORGANISER else None
    user.municipalities = list(municipalities) if role == Role.MUNICIPALITY else []


def update_user(
    session: DbSession,
    actor: User,
    user: User,
    *,
    name: str,
    role: Role,
    centre: Centre | None,
    municipalities: Sequence[Municipality],
    active: bool,
) -> list[str]:
    """Change a user's name, role, bindings and active flag; log and return what changed."""
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise DomainError(errors.CANNOT_DEMOTE_SELF)
    before = _describe(user)
    was_active = user.active
    user.name = name or ""
    set_bindings(user, role, centre, municipalities)
    user.active = active
    after = _describe(user)
    changes = [f"{key}: {before[key]} → {after[key]}" for key in after if before[key] != after[key]]
    if was_active and not active:
        # Logged out everywhere; reactivating the user later does not bring the sessions back.
        end_login_sessions(session, user, utcnow())
        record_action(session, actor, "user.deactivate", f"Deaktiverte {user.email}.")
    if changes:
        record_action(session, actor, "user.update", f"{user.email}: " + "; ".join(changes))
    return changes


def _describe(user: User) -> dict[str, str]:
    return {
        "navn": user.name or "–",
        "rolle": user.role.label,
        "senter": user.centre.name if user.centre else "–",
        "kommuner": ", ".join(m.number for m in user.municipalities) or "–",
        "aktiv": "ja" if user.active else "nei",
    }


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(errors.WEAK_PASSWORD, length=MIN_PASSWORD_LENGTH)


def set_password(user: User, password: str) -> None:
    """Give the user a new password (argon2id); old reset links stop working."""
    _check_password(password)
    user.password_hash = hash_password(password)


def change_password(
    session: DbSession, user: User, current: str, new: str, *, keep: int | None = None
) -> None:
    """Change the password of a logged-in user who knows the current one.

    Every other login session of the user ends (someone may have learnt the old password);
    the one with id `keep`, where the change was made, carries on.
    """
    if not verify_password(user.password_hash, current):
        raise DomainError(errors.WRONG_PASSWORD)
    set_password(user, new)
    end_login_sessions(session, user, utcnow(), keep=keep)
    record_action(session, user, "user.change_password", f"{user.email} byttet passord.")


def _centre_by_slug(session: DbSession, slug: str) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.slug == slug))
    if centre is None:
        raise DomainError(errors.UNKNOWN_CENTRE, slug=repr(slug))
    return centre


def _municipality(session: DbSession, number: str) -> Municipality:
    municipality = session.get(Municipality, number.strip().zfill(4))
    if municipality is None:
        raise DomainError(errors.UNKNOWN_MUNICIPALITY, number=repr(number))
    return municipality


def authenticate(session: DbSession, email: str, password: str) -> User:
    """Return the active user with this e-mail and password, or raise `invalid_login`."""
    user = user_by_email(session, email)
    # Verify against a dummy hash for unknown users, so timing does not reveal who exists.
    password_hash = user.password_hash if user else _dummy_hash()
    if not verify_password(password_hash, password) or user is None or not user.active:
        raise DomainError(errors.INVALID_LOGIN)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def log_in(session: DbSession, email: str, password: str) -> User:
    """Authenticate and start a login session; the user carries its token (`login_token`)."""
    user = authenticate(session, email, password)
    start_login_session(session, user, utcnow())
    return user


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users; made on first use, not at every start."""
    return hash_password("not a real password, only used to even out timing")
