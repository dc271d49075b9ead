"""Per-address limits of the survey pages, counted in the rate-limit store only.

The client address is used here and nowhere else: it is never written next to a
response, a draft or a code. When the shared store (Redis) cannot be reached, each
worker counts in its own memory rather than turning a survey page into a 500.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from survey.extensions import limiter

#: Unknown survey tokens per address (so links cannot be guessed).
UNKNOWN_TOKEN = ("SURVEY_TOKEN_LIMIT", "survey-token")
#: Wrong invitation codes per address (so codes cannot be guessed).
WRONG_CODE = ("INVITATION_CODE_LIMIT", "invitation-code")
#: New responses per address and survey link (so one person cannot fill a side).
NEW_RESPONSE = ("SURVEY_RESPONSE_LIMIT", "survey-response")


def _memory_limiter() -> RateLimiter:
    fallback: RateLimiter | None = current_app.extensions.get("survey_limits_fallback")
    if fallback is None:
        fallback = current_app.extensions["survey_limits_fallback"] = FixedWindowRateLimiter(
            MemoryStorage()
        )
    return fallback


def hit(kind: tuple[str, str], *keys: str) -> bool:
    """Count one event of ``kind`` for the client's address; ``False`` once over the limit."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return True
    setting, scope = kind
    limit = parse(config[setting])
    prefix = config.get("RATELIMIT_KEY_PREFIX") or ""
    identifiers = [part for part in (prefix, get_remote_address(), scope, *keys) if part]
    try:
        return limiter.limiter.hit(limit, *identifiers)
    except Exception:
        current_app.logger.warning(
            "Rate limit storage unreachable: counting %s in this worker's memory",
            scope,
            exc_info=True,
        )
        return _memory_limiter().hit(limit, *identifiers)


def test(kind: tuple[str, str], *keys: str) -> bool:
    """Whether one more event of ``kind`` would still be within the limit (counts nothing)."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return True
    setting, scope = kind
    limit = parse(config[setting])
    prefix = config.get("RATELIMIT_KEY_PREFIX") or ""
    identifiers = [part for part in (prefix, get_remote_address(), scope, *keys) if part]
    try:
        return limiter.limiter.test(limit, *identifiers)
    except Exception:
        return _memory_limiter().test(limit, *identifiers)
