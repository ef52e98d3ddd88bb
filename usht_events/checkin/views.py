"""Tickets and check-in."""

from flask import Blueprint, abort, current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from usht_events.core.db import db
from usht_events.core.qr import qr_svg
from usht_events.registration.models import Registration
from usht_events.registration.tickets import ticket_url

blueprint = Blueprint("checkin", __name__)


@blueprint.get("/t/<code>")
def ticket(code: str):
    """The ticket with its QR code, to show at the door."""
    registration = db.session.scalar(
        select(Registration).where(Registration.ticket_token == code[:43])
    ) or abort(404)
    url = ticket_url(current_app.config["BASE_URL"], registration.ticket_token)
    return render_template(
        "checkin/ticket.html",
        registration=registration,
        event=registration.event,
        qr=Markup(qr_svg(url)),
    )
