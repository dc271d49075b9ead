"""Flask extensions, created unbound and attached to the app in ``create_app``."""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Flask, g
from flask.cli import with_appcontext
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic revisions are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LazyMigrate:
    """Flask-Migrate, imported when a migration runs rather than when the app loads.

    Importing it (and Alembic) takes about a tenth of a second that every other command
    and every worker would pay for nothing. ``init_app`` puts stand-ins where
    Flask-Migrate puts its parts — ``app.extensions["migrate"]`` and the ``db`` command
    group — and both load the real ones on first use.
    """

    def init_app(self, app: Flask, db: SQLAlchemy, **options: Any) -> None:
        app.extensions["migrate"] = _LazyMigrateConfig(app, db, options)
        app.cli.add_command(_LazyMigrateGroup(app), name="db")


class _LazyMigrateConfig:
    """Stands in for Flask-Migrate's ``app.extensions["migrate"]`` until it is used."""

    def __init__(self, app: Flask, db: SQLAlchemy, options: dict[str, Any]) -> None:
        self.app, self.db, self.options = app, db, options
        self.real: Any = None

    def load(self) -> Any:
        if self.real is None:
            # Alembic announces each plugin it sets up when imported; that is no news here.
            logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
            from flask_migrate import Migrate

            Migrate().init_app(self.app, self.db, **self.options)
            self.real = self.app.extensions["migrate"]
            # Flask-Migrate also put its own ``db`` group back: keep the guarded one.
            self.app.cli.add_command(_LazyMigrateGroup(self.app), name="db")
        return self.real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.load(), name)


def _real_commands(app: Flask) -> dict[str, click.Command]:
    """Flask-Migrate's subcommands, ``downgrade`` guarded (survey.commands.migrations)."""
    from survey.commands.migrations import guarded_downgrade

    config = app.extensions["migrate"]
    if isinstance(config, _LazyMigrateConfig):
        config.load()
    from flask_migrate.cli import db as real  # Flask-Migrate's group: its commands only

    commands = dict(real.commands)
    commands["downgrade"] = guarded_downgrade(commands["downgrade"])
    return commands


@click.option("-d", "--directory", default=None, help="Migration script directory")
@click.option(
    "-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts"
)
@with_appcontext
def _migrate_group(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Perform database migrations."""
    g.directory = directory  # as Flask-Migrate's own group does
    g.x_arg = x_arg


class _LazyMigrateGroup(click.Group):
    """The ``db`` command group; Flask-Migrate's commands are loaded when it is run."""

    def __init__(self, app: Flask) -> None:
        super().__init__(
            name="db",
            callback=_migrate_group,
            params=list(reversed(getattr(_migrate_group, "__click_params__", []))),
            help=_migrate_group.__doc__,
        )
        self.app = app

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_real_commands(self.app))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _real_commands(self.app).get(cmd_name)


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# The client address is used only to count attempts in the limiter's storage;
# it is never written next to a survey response.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
