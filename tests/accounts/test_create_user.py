"""`flask create-user` as DESIGN.md gives it."""

from sqlalchemy import select

from usht_events.accounts.models import Role, User
from usht_events.accounts.passwords import verify_password
from usht_events.core.db import db


def _password_from(output: str) -> str:
    return next(
        line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("Passord")
    )


def test_create_organiser_prints_a_password_that_works(app, runner, make):
    make.centre("ostfold")
    db.session.commit()
    result = runner.invoke(
        args=["create-user", "Kari@Example.no", "--role", "organiser", "--centre", "ostfold"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "kari@example.no"))
    assert user.role == Role.ORGANISER
    assert user.centre.slug == "ostfold"
    assert verify_password(user.password_hash, _password_from(result.output))


def test_create_municipality_contact_with_several_municipalities(app, runner, make):
    make.municipality("3107")
    make.municipality("3105")
    db.session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "leder@fredrikstad.kommune.no",
            "--role",
            "municipality",
            "--municipality",
            "3107",
            "--municipality",
            "3105",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "leder@fredrikstad.kommune.no"))
    assert sorted(m.number for m in user.municipalities) == ["3105", "3107"]


def test_organiser_without_centre_is_refused_and_nothing_stored(app, runner):
    result = runner.invoke(args=["create-user", "a@example.no", "--role", "organiser"])
    assert result.exit_code != 0
    assert "senter" in result.output
    assert db.session.scalar(select(User)) is None


def test_unknown_centre_is_refused(app, runner):
    result = runner.invoke(
        args=["create-user", "a@example.no", "--role", "organiser", "--centre", "mars"]
    )
    assert result.exit_code != 0
    assert "Fant ikke senteret" in result.output


def test_existing_email_is_refused(app, runner, make):
    make.user(role="admin", email="admin@example.no")
    db.session.commit()
    result = runner.invoke(args=["create-user", "ADMIN@example.no", "--role", "admin"])
    assert result.exit_code != 0
    assert "finnes allerede" in result.output


def test_invalid_email_is_refused(app, runner):
    result = runner.invoke(args=["create-user", "ikke-en-adresse", "--role", "admin"])
    assert result.exit_code != 0
    assert "Ugyldig e-postadresse" in result.output
