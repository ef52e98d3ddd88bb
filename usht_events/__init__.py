"""usht-events: course and event registration for the Norwegian USHT centres."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from usht_events import config as config_module
from usht_events.core.db import db, ping_connections_after_idle
from usht_events.core.extensions import init_extensions

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    instance_path = Path(app.instance_path)
    app.config.from_mapping(config_module.load(instance_path))
    if config:
        app.config.update(config)
    config_module.refuse_unsafe_production(app.config, os.environ)

    if proxies := app.config["TRUSTED_PROXIES"]:
        # The client's own address (for the login rate limit) and https in generated links.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    init_extensions(app)
    _init_areas(app)
    with app.app_context():
        ping_connections_after_idle(db.engine)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _init_areas(app: Flask) -> None:
    from usht_events.accounts.sessions import init_app as init_accounts

    init_accounts(app)


def _register_blueprints(app: Flask) -> None:
    from usht_events.accounts.admin_views import blueprint as accounts_admin
    from usht_events.accounts.views import blueprint as accounts
    from usht_events.api.views import blueprint as api
    from usht_events.catalogue.admin_views import blueprint as catalogue_admin
    from usht_events.catalogue.feeds import blueprint as calendar
    from usht_events.catalogue.views import blueprint as catalogue
    from usht_events.checkin.views import blueprint as checkin
    from usht_events.core.dashboard import blueprint as dashboard
    from usht_events.core.views import blueprint as core
    from usht_events.registration.admin_views import blueprint as registration_admin
    from usht_events.registration.views import blueprint as registration
    from usht_events.reports.admin_views import blueprint as reports

    app.register_blueprint(core)
    app.register_blueprint(catalogue)
    app.register_blueprint(accounts)
    app.register_blueprint(accounts_admin)
    app.register_blueprint(registration)
    app.register_blueprint(registration_admin)
    app.register_blueprint(api)
    app.register_blueprint(calendar)
    app.register_blueprint(checkin)
    app.register_blueprint(reports)
    app.register_blueprint(catalogue_admin)
    app.register_blueprint(dashboard)


def _register_commands(app: Flask) -> None:
    from usht_events.accounts.cli import create_user_command
    from usht_events.catalogue.cli import import_events_command
    from usht_events.core.cli import outbox_group
    from usht_events.demo.cli import seed_demo_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(import_events_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(outbox_group)
