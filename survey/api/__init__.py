"""The JSON API (/api/v1) and the health check."""

from flask import Blueprint

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Liveness: the process answers. Asks nothing else, so it never fails for a
    database or Redis outage (restarting the app would not mend those)."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int, dict[str, str]]:
    """Readiness: the database takes writes, the limit store answers, the disk has room.

    503 names the failing part (``{"status": "unavailable", "failing": ["database"], …}``).
    """
    from survey.services.readiness import check

    result = check()
    body: dict[str, object] = {
        "status": "ready" if result.ready else "unavailable",
        "checks": result.checks,
    }
    if not result.ready:
        body["failing"] = result.failing
    return body, 200 if result.ready else 503, {"Cache-Control": "no-store"}


from survey.api import routes  # noqa: E402,F401
