"""Headers every response carries, and the session rules of the consultant workspace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    policy = headers.get("Content-Security-Policy")
    if policy is None:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    elif "frame-ancestors" not in policy:
        # A view's own, narrower policy (e.g. for an SVG chart) still may not be framed elsewhere.
        headers["Content-Security-Policy"] = f"{policy}; frame-ancestors 'self'"
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: Flask-WTF checks the Referer of POSTs over HTTPS,
    # while survey and report tokens in URLs still never leave the site.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


#: Blueprints whose every page may show a link token, a client's data or saved answers.
PRIVATE_BLUEPRINTS = frozenset({"workspace", "admin"})


def keep_private_pages_out_of_caches(response: Response) -> Response:
    """Workspace and admin pages carry survey and report links (bearer credentials) and
    client data: no browser or proxy may keep a copy, whatever the view set."""
    if request.blueprint in PRIVATE_BLUEPRINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def refuse_nul_bytes() -> None:
    """No text we store or look up may hold a NUL (PostgreSQL refuses it with an error).

    Checked in the path, the query, the cookies, the bearer token and every kind of body
    the app reads: urlencoded and multipart forms (field values and file names) and JSON.
    """
    if any("\x00" in value for value in _texts_of_request()):
        abort(400)


def _texts_of_request() -> Iterator[str]:
    yield request.path
    yield from request.args.values()
    yield from request.cookies.values()
    yield request.headers.get("Authorization", "")
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    yield from (value for values in request.form.listvalues() for value in values)
    for upload in request.files.values():
        yield upload.filename or ""
    if request.is_json:
        try:
            document = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the parser goes: not ours to read
            abort(400)
        yield from _strings_in(document)


def _strings_in(document: Any) -> Iterator[str]:
    """Every string (keys too) anywhere in a parsed JSON document."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    app.after_request(keep_private_pages_out_of_caches)
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        # Behind a proxy, the client address (used only by the rate limits) and the
        # scheme (HSTS, Secure cookies) come from the proxy's X-Forwarded headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
