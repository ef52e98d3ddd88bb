"""`flask import-events`."""

import click


@click.command("import-events")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_events_command(path):
    """Import a programme from CSV or XLSX."""
    raise click.ClickException("not yet")
