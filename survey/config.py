"""Settings in layers: defaults here → instance/config.py → environment → test mapping.

Every setting a deployment may change is read from an environment variable of
the same name. Bad values stop the app with one line naming the setting.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import limits
import limits.storage
from babel import Locale, UnknownLocaleError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MIN_SECRET_KEY_BYTES = 32
#: The highest anonymity threshold a wave may have.
MAX_THRESHOLD = 1000
#: Settings that hold a rate limit such as "5 per 15 minutes".
LIMIT_SETTINGS = (
    "LOGIN_ATTEMPTS_LIMIT",
    "SURVEY_TOKEN_LIMIT",
    "SURVEY_RESPONSE_LIMIT",
    "INVITATION_CODE_LIMIT",
)
#: The compiled catalogs of ``make translations``; English needs none.
TRANSLATIONS_DIRECTORY = Path(__file__).resolve().parent.parent / "translations"


class ConfigError(click.ClickException, RuntimeError):
    """A setting is missing or wrong; the message names it.

    A ``ClickException`` so that ``flask …`` prints the one line and exits 1
    instead of showing a traceback; everything else still sees an exception.
    """


def defaults(instance_path: str) -> dict[str, Any]:
    sqlite_path = Path(instance_path) / "survey.sqlite3"
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_path}",
        "BASE_URL": "http://127.0.0.1:5000",
        "BANK_PATH": None,
        # The scenario of `flask demo`; None means the shipped demo.yaml.
        "DEMO_PATH": None,
        "DEFAULT_THRESHOLD": 5,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_ATTEMPTS_LIMIT": "5 per 15 minutes",
        "SURVEY_TOKEN_LIMIT": "30 per minute",
        # New responses from one address to one survey link. Stops one person from
        # filling a side with made-up responses; a workshop behind one NAT needs more
        # (or invitation codes): see the README.
        "SURVEY_RESPONSE_LIMIT": "3 per minute",
        "INVITATION_CODE_LIMIT": "10 per 15 minutes",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": True,
        "PERMANENT_SESSION_LIFETIME": 30 * 60,
        "SESSION_REFRESH_EACH_REQUEST": True,
        "WTF_CSRF_TIME_LIMIT": 4 * 60 * 60,
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en"],
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS_DIRECTORY),
        # A Redis outage must not turn every login into a 500; limits fall back to memory.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0 = none).
        "PROXY_COUNT": 0,
    }


class SettingError(ValueError):
    """Why the text of a setting is not a valid value (the setting's name is added later)."""


def language_list(raw: str) -> list[str]:
    """``"en, fa"`` → ``["en", "fa"]``: locale codes Babel knows, separated by commas."""
    codes: list[str] = []
    for part in raw.split(","):
        code = part.strip()
        if not code:
            continue
        try:
            locale = Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise SettingError(
                f"{code!r} is not a language code (expected e.g. 'en', 'fa', 'pt_BR')"
            ) from None
        if str(locale) not in codes:
            codes.append(str(locale))
    if not codes:
        raise SettingError("must name at least one language, e.g. 'en,fa'")
    return codes


#: Settings read from the environment, with how to turn the text into a value.
ENVIRONMENT_SETTINGS: Mapping[str, Callable[[str], Any]] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "BASE_URL": str,
    "BANK_PATH": str,
    "DEMO_PATH": str,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_KEY_PREFIX": str,
    "SURVEY_RESPONSE_LIMIT": str,
    "INVITATION_CODE_LIMIT": str,
    "DEFAULT_THRESHOLD": int,
    "MAX_CONTENT_LENGTH": int,
    "PROXY_COUNT": int,
    "LANGUAGES": language_list,
}


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name, kind in ENVIRONMENT_SETTINGS.items():
        if name not in environ:
            continue
        raw = environ[name]
        try:
            settings[name] = kind(raw)
        except SettingError as error:
            raise ConfigError(f"{name}={raw!r}: {error}") from None
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a valid {kind.__name__}") from None
    if "DATABASE_URL" in settings:
        settings["SQLALCHEMY_DATABASE_URI"] = settings.pop("DATABASE_URL")
    return settings


def check(config: Mapping[str, Any]) -> None:
    """Refuse to run with settings that would be unsafe or cannot work."""
    relaxed = config.get("DEBUG") or config.get("TESTING")
    secret = config.get("SECRET_KEY") or ""
    if not relaxed and len(str(secret).encode()) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            f"SECRET_KEY must be set to at least {MIN_SECRET_KEY_BYTES} bytes outside debug and "
            "testing (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if not str(config.get("BASE_URL", "")).startswith(("http://", "https://")):
        raise ConfigError(
            f"BASE_URL={config.get('BASE_URL')!r} must start with http:// or https://"
        )
    threshold = config.get("DEFAULT_THRESHOLD")
    if not isinstance(threshold, int) or not 1 <= threshold <= MAX_THRESHOLD:
        raise ConfigError(
            f"DEFAULT_THRESHOLD={threshold!r} must be a whole number from 1 to {MAX_THRESHOLD}"
        )
    size = config.get("MAX_CONTENT_LENGTH")
    if not isinstance(size, int) or size < 1:
        raise ConfigError(f"MAX_CONTENT_LENGTH={size!r} must be a positive number of bytes")
    proxies = config.get("PROXY_COUNT")
    if not isinstance(proxies, int) or proxies < 0:
        raise ConfigError(f"PROXY_COUNT={proxies!r} must be 0 or more")
    database = config.get("SQLALCHEMY_DATABASE_URI")
    try:
        make_url(str(database))
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL={database!r} is not a database URL") from None
    for name in LIMIT_SETTINGS:
        try:
            limits.parse(str(config.get(name)))
        except ValueError:
            raise ConfigError(
                f"{name}={config.get(name)!r} is not a rate limit (e.g. '3 per minute')"
            ) from None
    storage = str(config.get("RATELIMIT_STORAGE_URI", ""))
    if urlsplit(storage).scheme not in limits.storage.SCHEMES:
        known = ", ".join(sorted(limits.storage.SCHEMES))
        raise ConfigError(f"RATELIMIT_STORAGE_URI={storage!r} must use one of: {known}")


def is_local_http(base_url: str) -> bool:
    """Plain http on the loopback address: development, where Secure cookies would not stick."""
    parts = urlsplit(base_url)
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    return from_environment(os.environ if environ is None else environ)
