"""Command-line interface: ``flask --app app …``."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    pass
