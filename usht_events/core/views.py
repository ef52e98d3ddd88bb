"""Health check and other app-wide endpoints."""

from flask import Blueprint, jsonify
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
