"""The question bank the running app uses."""

from __future__ import annotations

from flask import current_app

from scoring import Bank
from survey.bank import load_bank_cached, load_default_bank


def current_bank() -> Bank:
    """The bank named by ``BANK_PATH``, or the shipped ``questions.yaml``."""
    path = current_app.config.get("BANK_PATH")
    return load_bank_cached(path) if path else load_default_bank()
