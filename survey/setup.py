"""The steps of ``create_app``, each short. No migrations, network or sleeps here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from survey import config, errors, logs, rate_limits, security
from survey.bank import BankError, load_bank_cached
from survey.database import configure_engine, end_session, engine_options
from survey.extensions import babel, csrf, db, limiter, login_manager, migrate
from survey.faults import RetryAfterDisconnect
from survey.routing import BuiltOnDemandRule, DatabaseIdConverter

MIGRATIONS_DIRECTORY = str(Path(__file__).resolve().parent.parent / "migrations")


def configure_settings(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config.load())
    if test_config is not None:
        app.config.update(test_config)
    config.check(app.config)
    check_bank(app.config.get("BANK_PATH"))
    if config.is_local_http(app.config["BASE_URL"]):
        # Browsers drop Secure cookies on plain http; only development serves that way.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False


def check_bank(path: str | None) -> None:
    """A bank named by BANK_PATH must load, or the app does not start."""
    if not path:
        return
    try:
        load_bank_cached(path)
    except BankError as error:
        raise config.ConfigError(
            f"BANK_PATH={path!r} is not a usable question bank: " + "; ".join(error.problems)
        ) from None


def configure_logging(app: Flask) -> None:
    logs.init_app(app)


def configure_database(app: Flask) -> None:
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIRECTORY, render_as_batch=True)
    with app.app_context():
        configure_engine(db.engine, app.config)
    app.teardown_appcontext(end_session)
    app.wsgi_app = RetryAfterDisconnect(  # type: ignore[method-assign]
        app.wsgi_app, max_body=app.config["MAX_CONTENT_LENGTH"]
    )


def configure_extensions(app: Flask) -> None:
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {
        **rate_limits.storage_options(app.config),
        **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
    }
    limiter.init_app(app)
    login_manager.init_app(app)
    from survey.auth import load_user  # noqa: F401  (registers the user loader)


def configure_i18n(app: Flask) -> None:
    from survey.i18n import (
        AppDomain,
        current_locale,
        install_template_gettext,
        page_direction,
        select_locale,
    )

    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = AppDomain()  # catalogs cached per app, see AppDomain
    install_template_gettext(app.jinja_env)
    app.jinja_env.globals.update(page_direction=page_direction, current_locale=current_locale)


def configure_security(app: Flask) -> None:
    security.init_app(app)


def configure_blueprints(app: Flask) -> None:
    app.url_rule_class = BuiltOnDemandRule
    app.url_map.converters["int"] = DatabaseIdConverter
    from survey.admin import bp as admin
    from survey.api import bp as api
    from survey.auth import bp as auth
    from survey.report import bp as report
    from survey.respond import bp as respond
    from survey.workspace import bp as workspace

    for blueprint in (respond, report, api, auth, workspace, admin):
        app.register_blueprint(blueprint)


def configure_errors(app: Flask) -> None:
    errors.init_app(app)


def configure_cli(app: Flask) -> None:
    from survey.cli import register_commands

    register_commands(app)
