"""The consultant workspace: clients, waves, presenter view, portfolio.

The blueprint and the core views live in ``routes``; the presenter view, handing out
links, editing, the portfolio and the action plan add their views to the same blueprint from their
own modules, imported here. This package only exposes ``bp``.
Anonymous visitors are sent to ``login_manager.login_view`` (set by ``survey.auth``).
"""

from survey.workspace import (  # noqa: F401
    action_plan,
    codes,
    comments,
    editing,
    portfolio,
    presenter,
    sharing,
)
from survey.workspace.routes import bp

__all__ = ["bp"]
