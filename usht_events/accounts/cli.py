"""`flask create-user`."""

import sys

import click

from usht_events.accounts.models import Role
from usht_events.accounts.passwords import generate_password
from usht_events.accounts.rules import create_user
from usht_events.core.db import db
from usht_events.core.errors import DomainError


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--centre", "centre_slug", help="Slug of the organiser's centre, e.g. ostfold.")
@click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    help="Kommunenummer a municipality contact may see; repeat for several.",
)
@click.option("--name", default="", help="Full name shown in the back office.")
def create_user_command(email, role, centre_slug, municipalities, name):
    """Create a user; asks for a password at a terminal, otherwise prints a generated one."""
    interactive = sys.stdin.isatty()
    if interactive:
        password = click.prompt("Passord", hide_input=True, confirmation_prompt=True)
    else:
        password = generate_password()
    try:
        user = create_user(
            db.session, email, Role(role), password, centre_slug, tuple(municipalities), name
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"Opprettet {user.role.label.lower()} {user.email}.")
    if not interactive:
        click.echo(f"Passord: {password}")
