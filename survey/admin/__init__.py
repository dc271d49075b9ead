"""Admin pages: consultants and the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/consultants")
def consultants() -> str:
    return "consultants"
