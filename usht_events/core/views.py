"""Health check, the legal pages and other app-wide endpoints.

The centres in the footer and on the legal pages come from organisations/views.py."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import get_locale
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
        _in_chosen_language("core/privacy.html"),
        retention_months=current_app.config["RETENTION_MONTHS"],
    )


@blueprint.get("/tilgjengelighet")
def accessibility():
    """The accessibility statement (tilgjengelighetserklæring)."""
    return render_template(_in_chosen_language("core/accessibility.html"))


def _in_chosen_language(template: str) -> str:
    """The statement's English document (name.en.html) when English is chosen.

    Legal prose is kept whole, one document per language, rather than one msgid per
    sentence: each version reads as written and the two can be compared side by side.
    Whatever changes in one must change in the other, since both state the same facts.
    """
    if str(get_locale() or "nb") == "en":
        return template.removesuffix(".html") + ".en.html"
    return template
