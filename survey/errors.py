"""Error pages: a clear sentence for what a user caused, a plain page for the rest.

When the database cannot answer (down, unreachable, hung, locked for too long, or its
disk full) every page says so with 503 and asks to try again in a minute. A form that
could not be saved comes back with what was sent in it, so nothing typed is lost:
"Try again" sends it once more (see ``errors/unavailable.html``).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from survey import faults

logger = logging.getLogger(__name__)
#: Seconds a client is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 60
#: Form fields never sent back in a page (the "try again" form of the 503 page).
SECRET_FIELDS = ("password", "csrf_token")

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("You need to sign in to see this page."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing here. Check that the link is complete."),
    405: _l("That action is not possible on this page."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Your last action may not have been saved."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", status=status, message=message), status


def handle_http_error(error: HTTPException) -> tuple[Response | str, int]:
    status = error.code or 500
    return render_error(status, str(MESSAGES.get(status, error.description or "")))


def handle_csrf_error(_error: CSRFError) -> tuple[Response | str, int]:
    message = _l(
        "This form has expired or was sent from somewhere else. Nothing was changed. "
        "Go back, reload the page and try again."
    )
    return render_error(400, str(message))


def handle_database_unavailable(error: Exception) -> Response:
    """503 for a database that cannot answer now; the request may be run again (faults)."""
    environ = request.environ
    replay_safe = request.blueprint in faults.REPLAY_SAFE_BLUEPRINTS
    if faults.ask_for_retry(environ, error, replay_safe=replay_safe):
        return Response(status=503)  # thrown away: the request runs again
    fault = faults.classify(error)
    # The error's class and kind only: its text can hold SQL, host names or values.
    log = logger.error if fault is faults.Fault.DISK_FULL else logger.warning
    log(
        "database %s on %s %s: %s",
        fault.value,
        request.method,
        request.path,
        type(getattr(error, "orig", None) or error).__name__,
    )
    posted = request.method == "POST"
    if posted:
        message = _l(
            "We could not save this right now. What you sent is kept on this page: "
            "try again in a minute."
        )
    else:
        message = _l("This page cannot be shown right now. Please try again in a minute.")
    response: Response
    if _wants_json() or request.accept_mimetypes.best == "application/json":
        response = jsonify(error=str(message), reason=str(message), retry_after=RETRY_AFTER_SECONDS)
    else:
        fields = _resendable_fields() if posted else []
        response = Response(
            render_template(
                "errors/unavailable.html",
                message=message,
                fields=fields,
                action=request.full_path.removesuffix("?"),
            ),
            mimetype="text/html",
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _resendable_fields() -> list[tuple[str, str]]:
    """The form fields of this POST that the "try again" form may send once more.

    Passwords are never written into a page; the CSRF token comes fresh from the page.
    File uploads are not kept (the app takes none through the web).
    """
    return [
        (name, value)
        for name, values in request.form.lists()
        for value in values
        if not any(secret in name.lower() for secret in SECRET_FIELDS)
    ]


def handle_unexpected(error: Exception) -> tuple[Response | str, int]:
    # Reached only for errors a user cannot cause; the traceback goes to the log.
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    for kind in faults.UNAVAILABLE_ERRORS:
        app.register_error_handler(kind, handle_database_unavailable)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
