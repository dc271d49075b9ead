"""Settings in layers: defaults here → instance/config.py → environment → test mapping.

:class:`Settings` is every setting a deployment may change: its type, default and
limits. :class:`Environment` reads them from environment variables of the same
names (``DATABASE_URL`` for the database) and :func:`check` validates the merged
mapping against the same model. Bad values stop the app with one line naming
the setting, its value and what it must be.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import click
import limits
import limits.storage
from babel import Locale, UnknownLocaleError
from flask import Config
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from scoring.policy import DEFAULT_THRESHOLD
from survey.yaml_input import describe_error, shown

MIN_SECRET_KEY_BYTES = 32
#: The highest anonymity threshold a wave may have.
MAX_THRESHOLD = 1000
PROJECT_DIRECTORY = Path(__file__).resolve().parent.parent
#: The compiled catalogs of ``make translations``; English needs none.
TRANSLATIONS_DIRECTORY = PROJECT_DIRECTORY / "translations"
#: The app's instance folder: instance/config.py, the development SQLite file and secret.
INSTANCE_DIRECTORY = PROJECT_DIRECTORY / "instance"
#: Settings that are paths taken as written, which :func:`read_path_setting` can read alone.
PATH_SETTINGS = ("BANK_PATH", "DEMO_PATH")
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class ConfigError(click.ClickException, RuntimeError):
    """A setting is missing or wrong; the message names it.

    A ``ClickException`` so that ``flask …`` prints the one line and exits 1
    instead of showing a traceback; everything else still sees an exception.
    """


def default_workers() -> int:
    """gunicorn's rule of thumb, as deploy/gunicorn.conf.py applies it: 2 × usable cores + 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return 2 * cores + 1


def between(low: float, high: float, unit: str = "", *, whole: bool = True, **field: Any) -> Any:
    """A number setting from ``low`` to ``high``, described so for its error message."""
    kind = "a whole number" if whole else "a number"
    unit = f" ({unit})" if unit else ""
    return Field(ge=low, le=high, description=f"{kind} from {low} to {high}{unit}", **field)


def _rate_limit(text: str) -> str:
    limits.parse(text)  # a ValueError names no setting; the message adds it
    return text


def _storage_uri(uri: str) -> str:
    if urlsplit(uri).scheme not in limits.storage.SCHEMES:
        raise ValueError("unknown storage")
    return uri


# SQLAlchemy is imported where a database URL is checked, not with this module: a command
# that needs only a path setting (`bank check`) then starts without it.
def _url_text(url: object) -> object:
    """An SQLAlchemy ``URL`` object (allowed in instance/config.py) is checked as its text."""
    from sqlalchemy.engine import URL

    return url.render_as_string(hide_password=False) if isinstance(url, URL) else url


def _database_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except ArgumentError:
        raise ValueError("not a database URL") from None
    return url


def _languages(codes: list[str]) -> list[str]:
    try:
        known = [str(Locale.parse(code)) for code in codes]
    except (ValueError, UnknownLocaleError):
        raise ValueError("not a language code") from None
    if not known:
        raise ValueError("no language")
    return list(dict.fromkeys(known))


RateLimit = Annotated[
    str, AfterValidator(_rate_limit), Field(description="a rate limit such as '3 per minute'")
]
SECRET_KEY_RULE = (
    f"set to at least {MIN_SECRET_KEY_BYTES} bytes outside debug and testing "
    "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
)


class Settings(BaseModel):
    """The settings a deployment may change; other keys of the Flask config are ignored."""

    model_config = ConfigDict(extra="ignore")

    # Not shown in messages (repr=False); its length is checked once DEBUG/TESTING are known.
    SECRET_KEY: str | bytes | None = Field(
        default=None, repr=False, validate_default=True, description=SECRET_KEY_RULE
    )
    # defaults() puts the SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI: Annotated[
        str, BeforeValidator(_url_text), AfterValidator(_database_url)
    ] = Field(default="", validation_alias="DATABASE_URL", description="a database URL")
    BASE_URL: str = Field(
        default="http://127.0.0.1:5000",
        pattern="^https?://",
        description="a URL starting with http:// or https://",
    )
    BANK_PATH: str | Path | None = Field(default=None, description="the path of a question bank")
    # The scenario of `flask demo`; None means the shipped demo.yaml.
    DEMO_PATH: str | Path | None = Field(default=None, description="the path of a demo scenario")
    DEFAULT_THRESHOLD: int = between(1, MAX_THRESHOLD, default=DEFAULT_THRESHOLD)
    MAX_CONTENT_LENGTH: int = Field(
        default=256 * 1024, ge=1, description="a positive number of bytes"
    )
    RATELIMIT_STORAGE_URI: Annotated[str, AfterValidator(_storage_uri)] = Field(
        default="memory://",
        description="a storage URI of one of: " + ", ".join(sorted(limits.storage.SCHEMES)),
    )
    RATELIMIT_KEY_PREFIX: str = Field(default="", description="text")
    LOGIN_ATTEMPTS_LIMIT: RateLimit = "5 per 15 minutes"
    SURVEY_TOKEN_LIMIT: RateLimit = "30 per minute"
    # New responses from one address to one survey link. Stops one person from filling a
    # side with made-up responses; a workshop behind one NAT needs more (or invitation
    # codes): see the README.
    SURVEY_RESPONSE_LIMIT: RateLimit = "3 per minute"
    INVITATION_CODE_LIMIT: RateLimit = "10 per 15 minutes"
    LANGUAGES: Annotated[list[str], AfterValidator(_languages)] = Field(
        default=["en"],
        description="language codes separated by commas, such as 'en,fa' or 'en,pt_BR'",
    )
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0 = none).
    PROXY_COUNT: int = Field(default=0, ge=0, description="a whole number, 0 or more")
    # Worker processes serving the app (gunicorn reads the same variable): while the shared
    # limit store is unreachable each counts sign-in failures on its own, so each allows
    # only its share of LOGIN_ATTEMPTS_LIMIT.
    WEB_CONCURRENCY: int = between(1, 1000, "worker processes", default_factory=default_workers)
    # Seconds the app waits for Redis to connect or answer before counting in memory.
    RATELIMIT_STORAGE_TIMEOUT: float = between(0.01, 2, "seconds", whole=False, default=0.5)
    # Seconds a worker counts in its own memory after the store failed, before trying it
    # again; the warning about it is logged at most once per interval.
    RATELIMIT_FALLBACK_INTERVAL: float = between(1, 3600, "seconds", whole=False, default=30)
    # The longest wait added to a failed sign-in for an account that keeps failing.
    LOGIN_DELAY_MAX: float = between(0, 2, "seconds", whole=False, default=2.0)
    # Database connections (engine options; SQLALCHEMY_ENGINE_OPTIONS adds any other).
    # Timeouts stay below gunicorn's 30 s worker timeout, so a request that waits on the
    # database ends with an answer rather than a killed worker.
    DATABASE_POOL_SIZE: int = between(1, 1000, "connections", default=5)
    DATABASE_MAX_OVERFLOW: int = between(0, 1000, "connections", default=5)
    DATABASE_POOL_RECYCLE: int = between(0, 86400, "seconds, 0 for never", default=1800)
    DATABASE_CONNECT_TIMEOUT: int = between(2, 25, "seconds", default=5)
    DATABASE_STATEMENT_TIMEOUT: float = between(
        0, 25, "seconds, 0 for no limit", whole=False, default=15.0
    )
    DATABASE_BUSY_TIMEOUT: float = between(0.1, 25, "seconds", whole=False, default=5.0)
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = Field(
        default={}, description="a JSON object of engine options, e.g. '{\"pool_size\": 10}'"
    )
    # /readyz fails when the database's (or instance) folder has less free space.
    READYZ_MIN_FREE_MB: int = between(0, 10**9, "megabytes", default=100)
    LOG_LEVEL: LogLevel = Field(
        default="INFO", description="one of: " + ", ".join(get_args(LogLevel))
    )

    @field_validator("SECRET_KEY")
    @classmethod
    def _long_secret(cls, key: str | bytes | None, info: ValidationInfo) -> str | bytes | None:
        if info.context is None or info.context["relaxed"]:  # read, or debug and testing
            return key
        text = key.encode() if isinstance(key, str) else key or b""
        if len(text) < MIN_SECRET_KEY_BYTES:
            raise ValueError("too short")
        return key


class Environment(BaseSettings, Settings):
    """The settings set in environment variables, read from their text."""

    model_config = SettingsConfigDict(
        case_sensitive=True, enable_decoding=False, validate_default=False, extra="ignore"
    )

    @field_validator("LANGUAGES", mode="before")
    @classmethod
    def _comma_separated(cls, text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]

    @field_validator("SQLALCHEMY_ENGINE_OPTIONS", mode="before")
    @classmethod
    def _json_object(cls, text: str) -> Any:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError("not a JSON object")
        return value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _any_case(cls, text: str) -> str:
        return text.upper()


def one_line(error: ValidationError, given: Mapping[str, Any]) -> str:
    """``NAME=value must be …`` for the first problem, named as the environment spells it."""
    problem = error.errors()[0]
    key = str(problem["loc"][0])
    field = next(
        field
        for name, field in Settings.model_fields.items()
        if key in (name, field.validation_alias)
    )
    name = field.validation_alias or key
    value = f"={shown(given.get(key), 100)}" if field.repr else ""
    what = f"must be {field.description}" if field.description else describe_error(problem, {})[1]
    return f"{name}{value} {what}"


def defaults(instance_path: str) -> dict[str, Any]:
    """Every :class:`Settings` default, and Flask's and the extensions' settings of ours."""
    sqlite_path = Path(instance_path) / "survey.sqlite3"
    return {
        **Settings().model_dump(),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_path}",
        "RATELIMIT_HEADERS_ENABLED": False,
        # A Redis outage must not turn every login into a 500; limits fall back to memory.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": True,
        "PERMANENT_SESSION_LIFETIME": 30 * 60,
        "SESSION_REFRESH_EACH_REQUEST": True,
        "WTF_CSRF_TIME_LIMIT": 4 * 60 * 60,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS_DIRECTORY),
    }


def load() -> dict[str, Any]:
    """The settings set in the environment, parsed (the third layer)."""
    try:
        return Environment().model_dump(exclude_unset=True)
    except ValidationError as error:
        raise ConfigError(one_line(error, os.environ)) from None


def read_path_setting(name: str, instance_path: str | os.PathLike[str]) -> str | Path | None:
    """A path setting as the app reads it, without building the app or reading the others.

    The layers are the app's: the environment over instance/config.py over the default
    (none). A path is taken as it is written, so nothing else needs parsing or checking:
    `bank check` names the bank in use without needing a database, a secret key or any
    other setting to be right.
    """
    if name not in PATH_SETTINGS:
        raise ValueError(f"{name} is not one of the path settings {PATH_SETTINGS}")
    if name in os.environ:
        return os.environ[name]
    instance_config = Config(os.fspath(instance_path))
    instance_config.from_pyfile("config.py", silent=True)
    value: str | Path | None = instance_config.get(name)
    return value


def check(config: Mapping[str, Any]) -> None:
    """Refuse to run with settings that would be unsafe or cannot work.

    Strict: the merged mapping holds values, not text, and is used as it is.
    """
    relaxed = bool(config.get("DEBUG") or config.get("TESTING"))
    try:
        Settings.model_validate(
            config, strict=True, by_alias=False, by_name=True, context={"relaxed": relaxed}
        )
    except ValidationError as error:
        raise ConfigError(one_line(error, config)) from None


def is_local_http(base_url: str) -> bool:
    """Plain http on the loopback address: development, where Secure cookies would not stick."""
    parts = urlsplit(base_url)
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}
