"""The public calendar."""

from flask import Blueprint, render_template

from usht_events.catalogue import rules
from usht_events.core.db import db, utcnow

blueprint = Blueprint("catalogue", __name__)


@blueprint.get("/")
def index():
    """Upcoming published events, soonest first."""
    events = rules.upcoming_events(db.session, utcnow(), limit=50)
    return render_template("catalogue/index.html", events=events)
