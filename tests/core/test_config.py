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


def test_production_starts_with_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("USHT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "k" * 40


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
