"""Settings from the environment and their safe defaults."""

import pytest

from usht_events import config, create_app


def test_default_database_is_a_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(tmp_path) == f"sqlite:///{tmp_path / 'usht_events.sqlite'}"


def test_postgres_urls_get_the_psycopg_driver(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/usht")
    assert config.database_url(tmp_path) == "postgresql+psycopg://u@db:5432/usht"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("USHT_ENV", raising=False)
    first = config.load(tmp_path)["SECRET_KEY"]
    second = config.load(tmp_path)["SECRET_KEY"]
    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("secret", ["", "dev", "short-but-not-empty"])
def test_production_refuses_to_start_without_a_real_secret_key(secret, tmp_path, monkeypatch):
    monkeypatch.setenv("USHT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(config.ConfigurationError):
        create_app()


@pytest.fixture
def production(monkeypatch, tmp_path):
    """The environment of a sound production start; tests add one switch to it."""
    for name in (*config.DEBUG_SWITCHES, "RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USHT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    return monkeypatch


def test_production_starts_with_a_real_secret_key(production):
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "k" * 40


@pytest.mark.parametrize(
    "variable, value",
    [
        ("USHT_DEBUG_SIGNUP_SKIP_LOCK", "1"),
        ("USHT_DEBUG_SIGNUP_PAUSE", "0.3"),
        ("USHT_DEBUG_ANYTHING_ELSE", "0"),
        ("FLASK_DEBUG", "1"),
        ("TESTING", "true"),
        ("MAIL_SUPPRESS_SEND", "yes"),
        ("LOGIN_DISABLED", "on"),
        ("RATELIMIT_ENABLED", "false"),
    ],
)
def test_production_refuses_to_start_with_a_test_or_debug_variable(production, variable, value):
    production.setenv(variable, value)
    with pytest.raises(config.ConfigurationError, match=variable):
        create_app()


@pytest.mark.parametrize(
    "setting, value",
    [
        ("TESTING", True),
        ("DEBUG", True),
        ("MAIL_SUPPRESS_SEND", True),
        ("RATELIMIT_ENABLED", False),
        ("WTF_CSRF_ENABLED", False),
        ("LOGIN_DISABLED", True),
    ],
)
def test_production_refuses_test_settings_given_to_create_app(production, setting, value):
    with pytest.raises(config.ConfigurationError, match=f"{setting}={value}"):
        create_app({setting: value})


def test_the_refusal_names_every_switch_at_once(production):
    production.setenv("USHT_DEBUG_SIGNUP_SKIP_LOCK", "1")
    production.setenv("FLASK_DEBUG", "1")
    with pytest.raises(config.ConfigurationError) as refused:
        create_app()
    message = str(refused.value)
    assert "USHT_DEBUG_SIGNUP_SKIP_LOCK" in message and "FLASK_DEBUG=1" in message
    assert "DEBUG=True (setting)" not in message  # FLASK_DEBUG already says so


def test_production_starts_with_the_switches_stated_off(production):
    production.setenv("FLASK_DEBUG", "0")
    production.setenv("RATELIMIT_ENABLED", "1")
    production.setenv("MAIL_SUPPRESS_SEND", "false")
    assert create_app().config["RATELIMIT_ENABLED"] is True


def test_development_starts_with_debug_switches(production):
    production.setenv("USHT_ENV", "development")
    production.setenv("USHT_DEBUG_SIGNUP_SKIP_LOCK", "1")
    production.setenv("FLASK_DEBUG", "1")
    assert create_app().debug is True


def test_no_setting_switches_the_sign_up_lock_off(production):
    production.setenv("USHT_ENV", "development")
    production.setenv("USHT_DEBUG_SIGNUP_SKIP_LOCK", "1")
    production.setenv("USHT_DEBUG_SIGNUP_PAUSE", "0.3")
    assert not [name for name in create_app().config if "SKIP_LOCK" in name or "PAUSE" in name]


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.no")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    settings = config.load(tmp_path)
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"], settings["MAIL_USE_TLS"]) == (
        "smtp.example.no",
        2525,
        True,
    )


def test_an_empty_base_url_counts_as_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("BASE_URL", "")
    assert config.load(tmp_path)["BASE_URL"] == "http://127.0.0.1:5000"


def test_base_url_loses_its_trailing_slash(monkeypatch, tmp_path):
    monkeypatch.setenv("BASE_URL", "https://kurs.example.no/")
    assert config.load(tmp_path)["BASE_URL"] == "https://kurs.example.no"
