"""The JSON API (/api/v1) and the health check."""

from flask import Blueprint

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


from survey.api import routes  # noqa: E402,F401
