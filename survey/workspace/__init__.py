"""The consultant workspace: clients, waves, live view, portfolio."""

from flask import Blueprint

bp = Blueprint("workspace", __name__, url_prefix="/workspace")


@bp.get("/")
def home() -> str:
    return "workspace"


@bp.get("/portfolio")
def portfolio() -> str:
    return "portfolio"
