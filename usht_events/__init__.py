"""usht-events: course and event registration for the Norwegian USHT centres."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from usht_events import config as config_module
from usht_events import models  # noqa: F401  (registers every table on the metadata)
from usht_events.core.db import db, ping_connections_after_idle
from usht_events.core.extensions import init_extensions
from usht_events.core.resources import resource_dir


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
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
    _init_worker(app)
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
    from usht_events.catalogue.setup_views import blueprint as catalogue_setup
    from usht_events.certification.admin_views import blueprint as certification_admin
    from usht_events.certification.roster_views import blueprint as rosters
    from usht_events.certification.views import blueprint as certification
    from usht_events.checkin.admin_views import blueprint as checkin_admin
    from usht_events.checkin.views import blueprint as checkin
    from usht_events.core.views import blueprint as core
    from usht_events.dashboard.views import blueprint as dashboard
    from usht_events.organisations.views import blueprint as organisations
    from usht_events.registration.admin_views import blueprint as registration_admin
    from usht_events.registration.event_admin_views import blueprint as events_admin
    from usht_events.registration.feeds import blueprint as personal_calendar
    from usht_events.registration.place_views import blueprint as places_admin
    from usht_events.registration.question_views import blueprint as questions_admin
    from usht_events.registration.views import blueprint as registration
    from usht_events.reports.admin_views import blueprint as reports
    from usht_events.reports.people import blueprint as people

    for blueprint in (
        core,
        organisations,
        registration,
        accounts,
        accounts_admin,
        registration_admin,
        places_admin,
        api,
        calendar,
        personal_calendar,
        checkin,
        checkin_admin,
        reports,
        people,
        catalogue_admin,
        events_admin,
        questions_admin,
        dashboard,
        certification,
        certification_admin,
        rosters,
        catalogue_setup,
    ):
        app.register_blueprint(blueprint)


def _init_worker(app: Flask) -> None:
    """Each area registers its share of the worker's pass (core/worker.py)."""
    from usht_events.accounts.scheduled import init_worker as accounts_worker
    from usht_events.certification.scheduled import init_worker as certification_worker
    from usht_events.registration.scheduled import init_worker as registration_worker

    accounts_worker(app)
    registration_worker(app)
    certification_worker(app)


def _register_commands(app: Flask) -> None:
    from usht_events.accounts.cli import create_user_command
    from usht_events.catalogue.cli import import_events_command
    from usht_events.core.cli import outbox_group
    from usht_events.demo.cli import seed_demo_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(import_events_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(outbox_group)
