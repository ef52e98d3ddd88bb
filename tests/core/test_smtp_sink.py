"""The test SMTP server receives real mail sent through Flask-Mail."""

from flask_mail import Message

from usht_events.core.extensions import mail


def test_mail_sent_over_smtp_arrives_parsed(app, smtp_sink):
    app.config.update(MAIL_SERVER=smtp_sink.host, MAIL_PORT=smtp_sink.port)
    mail.init_app(app)  # Flask-Mail reads the server settings when it is attached
    try:
        mail.send(
            Message(
                "Bekreftelse: ProACT instruktørkurs 12.–13. mars",
                recipients=["kari@example.no"],
                body="Hei Kari, du har fått plass.",
                sender="pamelding@usht.test",
            )
        )
        (received,) = smtp_sink.wait_for(1)
    finally:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
        mail.init_app(app)
    assert received["To"] == "kari@example.no"
    assert received["Subject"] == "Bekreftelse: ProACT instruktørkurs 12.–13. mars"
    assert "du har fått plass" in received.get_content()
