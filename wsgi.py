"""WSGI entry point: `gunicorn wsgi:app`."""

from usht_events import create_app

app = create_app()
