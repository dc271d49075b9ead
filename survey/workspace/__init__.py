"""The consultant workspace: clients, waves, live view, portfolio.

The blueprint and its views live in ``routes``; this package only exposes ``bp``.
Anonymous visitors are sent to ``login_manager.login_view`` (set by ``survey.auth``).
"""

from survey.workspace.routes import bp

__all__ = ["bp"]
