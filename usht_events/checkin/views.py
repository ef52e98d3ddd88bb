"""The ticket page: what the participant shows at the door, and an organiser's one tap."""

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from usht_events.catalogue.access import can_manage_event
from usht_events.checkin.scanning import TOKEN
from usht_events.checkin.sessions import session_running
from usht_events.core.db import db, utcnow
from usht_events.core.qr import qr_svg
from usht_events.registration.models import Attendance, Registration, RegistrationStatus
from usht_events.registration.tickets import ticket_url

blueprint = Blueprint("checkin", __name__)


@blueprint.get("/t/<code>")
def ticket(code: str):
    """The ticket with its QR code; an organiser of the event's centre may check in here."""
    if not TOKEN.match(code):
        abort(404)
    registration = db.session.scalar(
        select(Registration).where(Registration.ticket_token == code)
    ) or abort(404)
    event = registration.event
    valid = registration.status == RegistrationStatus.CONFIRMED and not event.is_cancelled
    url = ticket_url(current_app.config["BASE_URL"], registration.ticket_token)
    response = current_app.make_response(
        render_template(
            "checkin/ticket.html",
            registration=registration,
            event=event,
            valid=valid,
            qr=Markup(qr_svg(url)) if valid else None,
            desk=_desk(registration) if valid else None,
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _desk(registration: Registration) -> dict | None:
    """For an organiser of the event's centre: the session to check in at, and whether done."""
    if not current_user.is_authenticated or not can_manage_event(current_user, registration.event):
        return None
    day = session_running(registration.event.sessions, utcnow())
    if day is None:
        return {"session": None, "checked_in_at": None}
    checked_in_at = db.session.scalar(
        select(Attendance.checked_in_at).where(
            Attendance.registration_id == registration.id, Attendance.session_id == day.id
        )
    )
    return {"session": day, "checked_in_at": checked_in_at}
