"""The organiser's overview (GET /admin): decisions due, events at risk, mail that did not
arrive, this week and every coming event with how full it is; failed mail; the event log.

The decision itself (POST /admin/events/<id>/decision) is registration/event_admin_views.py.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role, User
from usht_events.catalogue.access import can_manage_event, event_scope, manageable_event
from usht_events.catalogue.models import Event
from usht_events.core.audit import AuditEntry, record_action
from usht_events.core.db import db, utcnow
from usht_events.core.delivery import retry
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage, OutboxStatus
from usht_events.dashboard import overview
from usht_events.registration.decisions import events_awaiting_decision
from usht_events.registration.places import counts_for_events

blueprint = Blueprint("dashboard", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)

FAILED_ON_DASHBOARD = 10
# Coming events in the overview's table; the events list has them all.
ON_OVERVIEW = 25
FAILED_PER_PAGE = 200


@blueprint.get("")
@allow(Role.ADMIN, Role.ORGANISER)
def index():
    """The work surface: what needs the organiser now, this week, and every coming event."""
    now = utcnow()
    scope = event_scope(current_user)
    awaiting = events_awaiting_decision(db.session, scope, now)
    lines = overview.coming_events(db.session, scope, now)
    week = overview.this_week(lines, now)
    reached = overview.recently_reached(
        db.session, scope, now, exclude={event.id for event in awaiting}
    )
    failed = db.session.scalars(_failed_mail(current_user).limit(FAILED_ON_DASHBOARD)).all()
    return render_template(
        "dashboard/index.html",
        now=now,
        awaiting=awaiting,
        at_risk=[line for line in lines if line.at_risk],
        lines=lines[:ON_OVERVIEW],
        more_lines=len(lines) > ON_OVERVIEW,
        this_week=week,
        next_sessions={line.event.id: overview.next_session(line.event, now) for line in week},
        reached=reached,
        counts=counts_for_events(db.session, sorted({e.id for e in [*awaiting, *reached]})),
        figures=overview.figures(db.session, scope, lines, now),
        failed=failed,
        failed_total=_count(_failed_mail(current_user)),
    )


@blueprint.get("/mail/failed")
@allow(Role.ADMIN, Role.ORGANISER)
def failed_mail():
    """Every mail of the user's events that was given up on, newest first, with retry."""
    messages = db.session.scalars(_failed_mail(current_user).limit(FAILED_PER_PAGE)).all()
    return render_template(
        "dashboard/failed_mail.html", messages=messages, total=_count(_failed_mail(current_user))
    )


@blueprint.post("/mail/<int:message_id>/retry")
@allow(Role.ADMIN, Role.ORGANISER)
def retry_mail(message_id: int):
    """Put a failed mail back in the queue; it must belong to an event the user manages."""
    message = _manageable_mail(message_id)
    try:
        retry(db.session, message.id)
    except DomainError as error:
        flash(error.localised(), "warning")
    else:
        summary = f"Sendte e-posten «{message.subject}» på nytt."
        record_action(db.session, current_user, "mail.retry", summary, message.event_id)
        db.session.commit()
        flash(gettext("E-posten er lagt i køen og sendes på nytt om litt."), "success")
    back = "dashboard.failed_mail" if request.form.get("from") == "failed" else "dashboard.index"
    return redirect(url_for(back))


@blueprint.get("/events/<int:event_id>/log")
@allow(Role.ADMIN, Role.ORGANISER)
def event_log(event_id: int):
    """What was changed in the event, by whom and when, newest first."""
    event = manageable_event(db.session, current_user, event_id)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.event_id == event.id)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ).all()
    return render_template("dashboard/event_log.html", event=event, entries=entries)


def _failed_mail(user: User):
    """Failed mails the user may see: those of their events; administrators see all."""
    query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if user.role != Role.ADMIN:
        query = query.where(OutboxMessage.event_id.in_(select(Event.id).where(event_scope(user))))
    return query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _manageable_mail(message_id: int) -> OutboxMessage:
    """The mail if it belongs to an event the user manages (administrators: any), else 404."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if current_user.role == Role.ADMIN:
        return message
    event = db.session.get(Event, message.event_id) if message.event_id else None
    if event is None or not can_manage_event(current_user, event):
        abort(404)
    return message
