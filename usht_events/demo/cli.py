"""`flask seed-demo`."""

import click

from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.timezones import to_oslo
from usht_events.demo.seed import SeedReport, seed_demo


@click.command("seed-demo")
def seed_demo_command():
    """Create the demo data (idempotent: running it again changes nothing)."""
    try:
        report = seed_demo(db.session, to_oslo(utcnow()).date())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    _print_report(report)


def _print_report(report: SeedReport) -> None:
    counts = report.municipalities
    click.echo(f"Kommuner: {counts.total} (nye: {counts.created}, endret: {counts.updated})")
    for centre in report.centres:
        click.echo(f"Senter {centre.slug}: {centre.name}, {len(centre.region)} kommuner")
    click.echo(
        f"Arrangementer: {report.events_total} i demoprogrammet, {report.events_created} nye"
    )
    click.echo(f"Påmeldinger: {report.registrations_created} nye")
    click.echo(f"Godkjenninger: {report.certifications_created} nye")
    click.echo("")
    click.echo("Demo-innlogginger. Passordet er bare for demo: bruk det aldri i drift.")
    for login in report.logins:
        click.echo(f"  {login.email:<34} {login.role.value:<13} {login.password}  ({login.scope})")
