"""`flask seed-demo`."""

import click


@click.command("seed-demo")
def seed_demo_command():
    """Create the demo data."""
