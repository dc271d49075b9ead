"""Error pages: a clear sentence for what a user caused, a plain page for the rest."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

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
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
