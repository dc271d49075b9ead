"""The application factory. Read it as a table of contents: each step lives in ``survey``."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

from flask import Flask

from survey import config, setup


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    # Building the app makes many objects and no garbage: the cycle collector's passes
    # meanwhile only slow every command's start (by about a tenth).
    collecting = gc.isenabled()
    gc.disable()
    try:
        app = Flask(
            __name__,
            instance_path=str(config.INSTANCE_DIRECTORY),
            instance_relative_config=True,
            static_folder="static",
            template_folder="survey/templates",
        )
        setup.configure_settings(app, test_config)
        setup.configure_logging(app)
        setup.configure_database(app)
        setup.configure_extensions(app)
        setup.configure_i18n(app)
        setup.configure_security(app)
        setup.configure_blueprints(app)
        setup.configure_errors(app)
        setup.configure_cli(app)
    finally:
        if collecting:
            gc.enable()
    return app
