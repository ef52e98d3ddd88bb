"""Settings from environment variables, each with a safe default."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

# Values that must never reach production as the secret key.
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "secret", "test"}


class ConfigurationError(RuntimeError):
    """The app was asked to start with settings that are not safe."""


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


def _instance_secret_key(instance_path: Path) -> str:
    """Return the secret kept in the instance folder, generating it once."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def database_url(instance_path: Path) -> str:
    """Return DATABASE_URL, normalised for SQLAlchemy, or the SQLite file default."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'usht_events.sqlite'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _rate_limit_settings() -> dict:
    """Flask-Limiter settings: Redis when REDIS_URL is set, so every process shares the count.

    RATELIMIT_STORAGE_URI, when set, is the limiter's storage whatever REDIS_URL says; in
    production `memory://` there is the operator's statement that one process serves the app.
    """
    storage = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL")
    settings = {
        "RATELIMIT_STORAGE_URI": storage or "memory://",
        # Several apps (production, staging) may share one Redis: each counts under its own.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "usht-events"),
        # A Redis outage must not lock everyone out: count in memory until it is back.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Login and password-reset attempts per e-mail address, and per client address
        # (looser, since a whole municipality may sit behind one address).
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_RATE_LIMIT_PER_IP": os.environ.get("LOGIN_RATE_LIMIT_PER_IP", "30 per minute"),
    }
    # Unset, the limiter is on except in test apps (see core/extensions.py).
    if "RATELIMIT_ENABLED" in os.environ:
        settings["RATELIMIT_ENABLED"] = _bool("RATELIMIT_ENABLED", True)
    return settings


# Environment variables that switch a development or test behaviour on, with the values
# that do: production refuses to start with one of them, or with any USHT_DEBUG_* set at all.
DEBUG_SWITCHES = {
    "FLASK_DEBUG": TRUE_WORDS,
    "TESTING": TRUE_WORDS,
    "MAIL_SUPPRESS_SEND": TRUE_WORDS,
    "LOGIN_DISABLED": TRUE_WORDS,
    "RATELIMIT_ENABLED": FALSE_WORDS,
}
# Settings production refuses, whether they came from the environment or create_app(config).
UNSAFE_PRODUCTION_SETTINGS = (
    ("DEBUG", True),
    ("TESTING", True),
    ("MAIL_SUPPRESS_SEND", True),
    ("LOGIN_DISABLED", True),
    ("RATELIMIT_ENABLED", False),
    ("WTF_CSRF_ENABLED", False),
)
SHARED_COUNT_REQUIRED = (
    "REDIS_URL must be set in production: without it each worker process counts login "
    "attempts on its own, so N workers let N times the limit through. When exactly one "
    "process serves the app, say so with RATELIMIT_STORAGE_URI=memory://."
)


def debug_switches(settings: Mapping, environ: Mapping[str, str]) -> list[str]:
    """The test and debug switches that are on, each named as it was given."""
    switches = [name for name in sorted(environ) if name.startswith("USHT_DEBUG_")]
    switches += [
        f"{name}={environ[name]}"
        for name, refused in DEBUG_SWITCHES.items()
        if environ.get(name, "").strip().lower() in refused
    ]
    switches += [
        f"{name}={value} (setting)"
        for name, value in UNSAFE_PRODUCTION_SETTINGS
        if name in settings and settings[name] is value and not _named(name, switches)
    ]
    return switches


def _named(setting: str, switches: list[str]) -> bool:
    """Whether an environment variable already named explains this setting."""
    variable = "FLASK_DEBUG" if setting == "DEBUG" else setting
    return any(switch.startswith(f"{variable}=") for switch in switches)


def refuse_unsafe_production(settings: Mapping, environ: Mapping[str, str]) -> None:
    """Raise ConfigurationError when a production app was given a test or debug switch.

    The message names every switch found, and REDIS_URL when the login rate limit would be
    counted per process.
    """
    if settings.get("ENV_NAME") != "production":
        return
    reasons = []
    if switches := debug_switches(settings, environ):
        reasons.append(
            "USHT_ENV=production refuses to start with a test or debug switch on: "
            f"{', '.join(switches)}. Unset them."
        )
    memory = str(settings.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://")
    if memory and environ.get("RATELIMIT_STORAGE_URI", "").strip() != "memory://":
        reasons.append(SHARED_COUNT_REQUIRED)
    if reasons:
        raise ConfigurationError(" ".join(reasons))


def load(instance_path: Path) -> dict:
    """Build the configuration mapping from the environment."""
    production = os.environ.get("USHT_ENV", "development").lower() == "production"
    secret_key = os.environ.get("SECRET_KEY", "")
    if production and (secret_key in INSECURE_SECRET_KEYS or len(secret_key) < 32):
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production."
        )
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": secret_key or _instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # Pooled connections are pinged only after sitting idle (core/db.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        # `make run` sets it from HOST and PORT; an empty value counts as unset.
        "BASE_URL": (os.environ.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "USHT påmelding <pamelding@usht-events.no>"
        ),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Reverse proxies in front of the app (nginx, a load balancer) whose X-Forwarded-*
        # headers are trusted; 0 trusts none, since anyone can send those headers.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Outbox delivery: attempts before a mail is marked failed, mails claimed per batch,
        # back-off doubling from the base up to the cap, and how long a worker's claim lasts.
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8")),
        "OUTBOX_BATCH_SIZE": int(os.environ.get("OUTBOX_BATCH_SIZE", "50")),
        "OUTBOX_BACKOFF_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "60")),
        "OUTBOX_BACKOFF_MAX_SECONDS": int(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", "3600")),
        "OUTBOX_LEASE_SECONDS": int(os.environ.get("OUTBOX_LEASE_SECONDS", "300")),
        "OUTBOX_SMTP_TIMEOUT": float(os.environ.get("OUTBOX_SMTP_TIMEOUT", "60")),
        # The RQ queue that drains the outbox when REDIS_URL is set.
        "OUTBOX_RQ_QUEUE": os.environ.get("OUTBOX_RQ_QUEUE", "usht-outbox"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        **_rate_limit_settings(),
        # Seconds a password-reset link stays valid.
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
        "SUPPORTED_LOCALES": ["nb", "en"],
        "WTF_CSRF_TIME_LIMIT": None,
        # How long registrations are kept before they are anonymised.
        "RETENTION_MONTHS": int(os.environ.get("RETENTION_MONTHS", "36")),
        # Days before a session that confirmed participants are reminded of it.
        "REMINDER_DAYS_BEFORE": int(os.environ.get("REMINDER_DAYS_BEFORE", "2")),
        # Days before a certification expires that the person and their municipality's
        # contacts are reminded of it, once (certification/reminders.py).
        "CERTIFICATION_REMINDER_DAYS_BEFORE": int(
            os.environ.get("CERTIFICATION_REMINDER_DAYS_BEFORE", "90")
        ),
        # A login lasts at most this many days, however active: a cookie copied off a
        # shared PC at a course venue stops working (accounts/sessions.py).
        "LOGIN_SESSION_DAYS": int(os.environ.get("LOGIN_SESSION_DAYS", "14")),
        "EVENTS_PER_PAGE": 20,
        # Programme files are small; refuse anything larger before it is read.
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    }
