"""Health check, the legal pages and other app-wide endpoints."""

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from usht_events.core.db import db
from usht_events.organisations.models import Centre

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


@blueprint.app_context_processor
def _template_helpers() -> dict:
    return {"contact_centres": contact_centres}


def contact_centres() -> list:
    """The centres and how to reach them, for the footer and the legal pages."""
    try:
        return list(db.session.scalars(select(Centre).order_by(Centre.name)))
    except SQLAlchemyError:
        # The footer must not turn an error page (say, with the database down) into a crash.
        db.session.rollback()
        return []
