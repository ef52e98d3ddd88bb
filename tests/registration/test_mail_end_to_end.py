"""From the sign-up form to a real SMTP server: the confirmation as a participant gets it."""

import io
import re
from datetime import UTC, datetime

import zxingcpp
from icalendar import Calendar
from PIL import Image

from tests.registration.test_signup_views import _form_fields, _valid
from usht_events.core.db import db
from usht_events.core.timezones import OSLO


def _attachments(message, content_type: str):
    return [part for part in message.iter_attachments() if part.get_content_type() == content_type]


def _inline_images(message):
    return [part for part in message.walk() if part.get_content_type() == "image/png"]


def test_confirmation_arrives_with_calendar_files_and_a_scannable_ticket(
    app, client, make, smtp_sink
):
    make.municipality("3107")
    event = make.event(
        title="ProACT instruktørkurs",
        days=2,
        starts_at=datetime(2027, 3, 11, 8, 0, tzinfo=UTC),  # 09.00 in Oslo
        registration_closes_at=datetime(2027, 3, 1, tzinfo=UTC),
    )
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    response = client.post(f"/events/{event.id}/register", data=_form_fields(page) | _valid())
    token = response.location.rsplit("/", 1)[1]

    app.config.update(MAIL_SERVER=smtp_sink.host, MAIL_PORT=smtp_sink.port)
    from usht_events.core.extensions import mail

    mail.init_app(app)
    try:
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
    finally:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
        mail.init_app(app)
    assert result.exit_code == 0, result.output
    assert "Sendt 1" in result.output

    (received,) = smtp_sink.wait_for(1)
    assert received["To"] == "kari@example.no"
    assert received["Subject"] == "Bekreftelse: ProACT instruktørkurs 11.–12. mars"
    text = received.get_body(("plain",)).get_content()
    assert f"http://usht.test/r/{token}" in text

    calendars = [
        Calendar.from_ical(part.get_content()) for part in _attachments(received, "text/calendar")
    ]
    assert len(calendars) == 2
    starts = [entry.decoded("DTSTART") for cal in calendars for entry in cal.walk("VEVENT")]
    assert [moment.astimezone(UTC) for moment in starts] == [
        datetime(2027, 3, 11, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 12, 8, 0, tzinfo=UTC),
    ]
    assert starts[0].astimezone(OSLO).hour == 9
    assert all(cal["METHOD"] == "REQUEST" for cal in calendars)

    (qr_part,) = _inline_images(received)
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_part.get_content())))
    assert re.fullmatch(r"http://usht\.test/t/[A-Za-z0-9_-]{22}", barcode.text)
