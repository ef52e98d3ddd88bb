"""Flask extensions, created unbound and attached in create_app."""

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from usht_events.core.db import db, render_migration_item
from usht_events.core.resources import resource_dir

MIGRATIONS_DIR = resource_dir("migrations")
# Where each app keeps its own Flask-Limiter (see init_limiter).
LIMITER = "usht_limiter"

migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
mail = Mail()


def init_extensions(app: Flask) -> None:
    """Attach every extension and the request hooks to the app."""
    from usht_events.core import web

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(MIGRATIONS_DIR),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=lambda: "Europe/Oslo")
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Logg inn for å se denne siden."
    # The user loader is the accounts area's (accounts/sessions.py, from create_app).
    init_limiter(app)
    web.init_web(app)


def init_limiter(app: Flask) -> Limiter:
    """Give the app its own rate limiter; its limits are declared where the views are.

    Flask-Limiter keeps storage and the on/off switch on the instance, so one module-wide
    instance would let the last app created (tests make many) decide for all of them.
    Test apps leave it off unless they set RATELIMIT_ENABLED.
    """
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter = Limiter(key_func=get_remote_address)
    limiter.init_app(app)
    app.extensions[LIMITER] = limiter
    return limiter
