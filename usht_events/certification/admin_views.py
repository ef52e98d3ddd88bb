"""The organisers' certification pages: certify an event's completers (preview, then one
POST), one certification with its certificate and revocation, and the import
(import_views.py). Each view loads through the access scopes, calls one rule, commits once.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from usht_events.accounts.access import allow, enforce_declared_roles
from usht_events.accounts.models import Role
from usht_events.catalogue.access import manageable_event
from usht_events.certification import certifying, revocation
from usht_events.certification.access import manageable_certification
from usht_events.certification.import_views import (
    import_certifications,
    import_template_csv,
    import_template_xlsx,
)
from usht_events.certification.views import certificate_response
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.forms import BaseForm, strip_text
from usht_events.core.timezones import to_oslo

blueprint = Blueprint("certification_admin", __name__, url_prefix="/admin")
blueprint.before_request(enforce_declared_roles)
blueprint.add_url_rule(
    "/certifications/import", view_func=import_certifications, methods=["GET", "POST"]
)
blueprint.add_url_rule("/certifications/import/template.csv", view_func=import_template_csv)
blueprint.add_url_rule("/certifications/import/template.xlsx", view_func=import_template_xlsx)

MANAGERS = (Role.ADMIN, Role.ORGANISER)


class CertifyForm(BaseForm):
    """Only the CSRF token: the button certifies."""


class RevokeForm(BaseForm):
    """Why the certification is revoked."""

    reason = TextAreaField(
        _l("Begrunnelse"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Skriv hvorfor godkjenningen tilbakekalles.")),
            Length(max=1000, message=_l("Begrunnelsen kan ha høyst 1000 tegn.")),
        ],
    )


@blueprint.route("/events/<int:event_id>/certify", methods=["GET", "POST"])
@allow(*MANAGERS)
def certify_event(event_id: int):
    """Who certifying would certify and who not (GET); certify them all, once (POST)."""
    event = manageable_event(db.session, current_user, event_id)
    form = CertifyForm()
    if form.validate_on_submit():
        try:
            done = certifying.certify_completers(db.session, current_user, event.id, utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.localised(), "warning")
        else:
            db.session.commit()
            flash(_certified_message(len(done), event.certifies_kind.name), "success")
        return redirect(url_for(".certify_event", event_id=event.id), 303)
    plan = certifying.plan_certification(db.session, event, utcnow())
    body = render_template("certification/admin/certify_event.html", plan=plan, form=form)
    return body, 400 if form.is_submitted() else 200


def _certified_message(count: int, kind: str) -> str:
    if not count:
        return gettext("Alle som har fullført, var allerede godkjent. Ingenting er endret.")
    # The Norwegian has one form for any number; the English catalogue has two.
    return ngettext(
        "%(num)s deltakere er godkjent som %(kind)s. De får kursbeviset på e-post.",
        "%(num)s deltakere er godkjent som %(kind)s. De får kursbeviset på e-post.",
        count,
        kind=kind,
    )


@blueprint.get("/certifications/<int:certification_id>")
@allow(*MANAGERS)
def show_certification(certification_id: int):
    """One certification: who, what, from where, its status, certificate and revocation."""
    certification = manageable_certification(db.session, current_user, certification_id)
    return render_template(
        "certification/admin/show_certification.html",
        certification=certification,
        status=certification.status_on(to_oslo(utcnow()).date()),
        form=RevokeForm(formdata=None),
    )


@blueprint.post("/certifications/<int:certification_id>/revoke")
@allow(*MANAGERS)
def revoke_certification(certification_id: int):
    """Revoke the certification with a reason; the verification page says so from now on."""
    certification = manageable_certification(db.session, current_user, certification_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            revocation.revoke_certification(
                db.session, current_user, certification.id, form.reason.data, utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.localised(), "warning")
        else:
            db.session.commit()
            flash(gettext("Godkjenningen er tilbakekalt."), "success")
        return redirect(url_for(".show_certification", certification_id=certification.id), 303)
    body = render_template(
        "certification/admin/show_certification.html",
        certification=certification,
        status=certification.status_on(to_oslo(utcnow()).date()),
        form=form,
    )
    return body, 422


@blueprint.get("/certifications/<int:certification_id>/certificate.pdf")
@allow(*MANAGERS)
def certificate_pdf(certification_id: int):
    """The certificate as the person got it, e.g. to print for someone imported."""
    certification = manageable_certification(db.session, current_user, certification_id)
    if certification.revoked_at is not None:
        abort(404)  # a revoked certificate is not printed again
    return certificate_response(certification)
