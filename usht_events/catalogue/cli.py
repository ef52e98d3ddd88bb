"""`flask import-events`."""

from pathlib import Path

import click

from usht_events.catalogue.importer import import_events
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError


@click.command("import-events")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Import as drafts instead of publishing at once.")
def import_events_command(path: Path, draft: bool):
    """Import a programme from CSV or XLSX: prints `ref<TAB>event id` per event; all or nothing."""
    try:
        imported = import_events(
            db.session, path.name, path.read_bytes(), utcnow(), publish=not draft
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        for problem in error.details.get("errors", ()):
            click.echo(str(problem), err=True)
        raise SystemExit(1) from error
    for item in imported:
        click.echo(f"{item.ref}\t{item.event.id}")
