"""Health check, the legal pages and other app-wide endpoints.

The centres in the footer and on the legal pages come from organisations/views.py."""

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import text

from usht_events.core.db import db

blueprint = Blueprint("core", __name__)


@blueprint.get("/healthz")
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "not healthy", never a 500
        db.session.rollback()
        return jsonify(status="error", database=type(error).__name__), 503
    return jsonify(status="ok", database="ok")


@blueprint.get("/personvern")
def privacy():
    """The privacy statement (personvernerklæring)."""
    return render_template(
        "core/privacy.html", retention_months=current_app.config["RETENTION_MONTHS"]
    )


@blueprint.get("/tilgjengelighet")
def accessibility():
    """The accessibility statement (tilgjengelighetserklæring)."""
    return render_template("core/accessibility.html")
