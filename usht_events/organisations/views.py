"""What every page may show of the organisations: the centres and how to reach them."""

from flask import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from usht_events.core.db import db
from usht_events.organisations.models import Centre

blueprint = Blueprint("organisations", __name__)


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
