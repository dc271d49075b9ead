"""Settings in layers: defaults here → instance/config.py → environment → test mapping.

Every setting a deployment may change is read from an environment variable of
the same name. Bad values stop the app with one line naming the setting.
"""

from __future__ import annotations

import json
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

from scoring.policy import DEFAULT_THRESHOLD

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
        "DEFAULT_THRESHOLD": DEFAULT_THRESHOLD,
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
        # Worker processes serving the app (gunicorn reads the same variable): while the
        # shared limit store is unreachable each counts sign-in failures on its own, so each
        # allows only its share of LOGIN_ATTEMPTS_LIMIT.
        "WEB_CONCURRENCY": default_workers(),
        # Seconds the app waits for Redis to connect or answer before counting in memory.
        "RATELIMIT_STORAGE_TIMEOUT": 0.5,
        # Seconds a worker counts in its own memory after the store failed, before trying
        # it again; the warning about it is logged at most once per interval.
        "RATELIMIT_FALLBACK_INTERVAL": 30,
        # The longest wait added to a failed sign-in for an account that keeps failing.
        "LOGIN_DELAY_MAX": 2.0,
        # Database connections (engine options; SQLALCHEMY_ENGINE_OPTIONS adds any other).
        "DATABASE_POOL_SIZE": 5,
        "DATABASE_MAX_OVERFLOW": 5,
        "DATABASE_POOL_RECYCLE": 1800,
        "DATABASE_CONNECT_TIMEOUT": 5,
        "DATABASE_STATEMENT_TIMEOUT": 15.0,
        "DATABASE_BUSY_TIMEOUT": 5.0,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # /readyz fails when the database's (or instance) folder has less free space.
        "READYZ_MIN_FREE_MB": 100,
        "LOG_LEVEL": "INFO",
    }


def default_workers() -> int:
    """gunicorn's rule of thumb, as deploy/gunicorn.conf.py applies it: 2 × usable cores + 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return 2 * cores + 1


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


def seconds(raw: str) -> float:
    """``"0.5"`` → 0.5: a number of seconds."""
    try:
        return float(raw)
    except ValueError:
        raise SettingError("must be a number of seconds, e.g. '0.5'") from None


def json_object(raw: str) -> dict[str, Any]:
    """A JSON object such as ``{"pool_size": 10}``."""
    try:
        value = json.loads(raw)
    except ValueError:
        raise SettingError("must be a JSON object, e.g. '{\"pool_size\": 10}'") from None
    if not isinstance(value, dict):
        raise SettingError("must be a JSON object, e.g. '{\"pool_size\": 10}'")
    return value


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
    "LOGIN_ATTEMPTS_LIMIT": str,
    "SURVEY_TOKEN_LIMIT": str,
    "WEB_CONCURRENCY": int,
    "RATELIMIT_STORAGE_TIMEOUT": seconds,
    "RATELIMIT_FALLBACK_INTERVAL": seconds,
    "LOGIN_DELAY_MAX": seconds,
    "DATABASE_POOL_SIZE": int,
    "DATABASE_MAX_OVERFLOW": int,
    "DATABASE_POOL_RECYCLE": int,
    "DATABASE_CONNECT_TIMEOUT": int,
    "DATABASE_STATEMENT_TIMEOUT": seconds,
    "DATABASE_BUSY_TIMEOUT": seconds,
    "SQLALCHEMY_ENGINE_OPTIONS": json_object,
    "READYZ_MIN_FREE_MB": int,
    "LOG_LEVEL": str.upper,
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
            kind_name = "whole number" if kind is int else kind.__name__
            raise ConfigError(f"{name}={raw!r} is not a valid {kind_name}") from None
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
    for name, low, high, unit, whole in NUMBER_RANGES:
        check_number(config, name, low, high, unit, whole)
    options = config.get("SQLALCHEMY_ENGINE_OPTIONS")
    if not isinstance(options, Mapping):
        raise ConfigError(
            f"SQLALCHEMY_ENGINE_OPTIONS={options!r} must be a JSON object of engine options"
        )
    level = config.get("LOG_LEVEL")
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={level!r} must be one of: {', '.join(LOG_LEVELS)}")


#: Number settings: (name, lowest, highest, unit, whole numbers only). Database timeouts
#: stay below gunicorn's 30 s worker timeout, so a request that waits on the database
#: ends with an answer rather than a killed worker.
NUMBER_RANGES: tuple[tuple[str, float, float, str, bool], ...] = (
    ("WEB_CONCURRENCY", 1, 1000, "worker processes", True),
    ("RATELIMIT_STORAGE_TIMEOUT", 0.01, 2, "seconds", False),
    ("RATELIMIT_FALLBACK_INTERVAL", 1, 3600, "seconds", False),
    ("LOGIN_DELAY_MAX", 0, 2, "seconds", False),
    ("DATABASE_POOL_SIZE", 1, 1000, "connections", True),
    ("DATABASE_MAX_OVERFLOW", 0, 1000, "connections", True),
    ("DATABASE_POOL_RECYCLE", 0, 86400, "seconds, 0 for never", True),
    ("DATABASE_CONNECT_TIMEOUT", 2, 25, "seconds", True),
    ("DATABASE_STATEMENT_TIMEOUT", 0, 25, "seconds, 0 for no limit", False),
    ("DATABASE_BUSY_TIMEOUT", 0.1, 25, "seconds", False),
    ("READYZ_MIN_FREE_MB", 0, 10**9, "megabytes", True),
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def check_number(
    config: Mapping[str, Any], name: str, low: float, high: float, unit: str, whole: bool
) -> None:
    value = config.get(name)
    kind = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
        raise ConfigError(f"{name}={value!r} must be {kind} from {low} to {high} ({unit})")
    if not low <= value <= high:
        raise ConfigError(f"{name}={value!r} must be {kind} from {low} to {high} ({unit})")


def is_local_http(base_url: str) -> bool:
    """Plain http on the loopback address: development, where Secure cookies would not stick."""
    parts = urlsplit(base_url)
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    return from_environment(os.environ if environ is None else environ)
