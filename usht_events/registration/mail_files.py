"""The files a participant's mail carries: calendar entries and the ticket's QR code, named
in the person's language."""

from datetime import datetime

from usht_events.catalogue.ics import build_invitations
from usht_events.core.i18n import N_
from usht_events.core.mail import in_language, mail_language, safe_address
from usht_events.core.outbox import MailAttachment
from usht_events.core.qr import qr_png
from usht_events.registration.models import Registration
from usht_events.registration.tickets import ticket_url

# The HTML mail shows the ticket's QR code inline by this Content-ID.
QR_CONTENT_ID = "ticket-qr"
CALENDAR_FILENAME = {"REQUEST": N_("invitasjon.ics"), "CANCEL": N_("avlysning.ics")}
QR_FILENAME = N_("billett.png")


def calendar_files(
    registration: Registration, base_url: str, now: datetime, method: str
) -> tuple[MailAttachment, ...]:
    """One calendar file per session, with the UIDs and SEQUENCE the person's calendar has.

    Mail clients read only the first entry of an invitation, so a two-day course needs two.
    """
    lang = mail_language(registration.person.locale)
    invitations = build_invitations(
        registration.event,
        base_url,
        now,
        method=method,
        attendee=safe_address(registration.person.email),
        lang=lang,
    )
    content_type = f"text/calendar; method={method}; charset=utf-8"
    filename = in_language(lang, CALENDAR_FILENAME[method])
    if len(invitations) == 1:
        return (MailAttachment(filename, content_type, invitations[0]),)
    stem = filename.removesuffix(".ics")
    return tuple(
        MailAttachment(f"{stem}-{number}.ics", content_type, data)
        for number, data in enumerate(invitations, start=1)
    )


def ticket_qr(registration: Registration, base_url: str) -> MailAttachment:
    png = qr_png(ticket_url(base_url, registration.ticket_token))
    filename = in_language(mail_language(registration.person.locale), QR_FILENAME)
    return MailAttachment(filename, "image/png", png, content_id=QR_CONTENT_ID)
