"""Admin pages: consultants and the audit log.

The blueprint and its views live in ``routes``; this package only exposes ``bp``.
"""

from survey.admin import accounts  # noqa: F401  (its views join the blueprint)
from survey.admin.routes import bp

__all__ = ["bp"]
