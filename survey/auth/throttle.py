"""The sign-in limits, built so that nobody can use them to lock a consultant out.

- **Per address**: ``LOGIN_ATTEMPTS_LIMIT`` failed sign-ins (default 5 in 15 minutes)
  from one client address, and that address gets 429 until the window ends. A refused
  attempt is not counted (it checked no password), and neither is a successful one.
- **Per account**: failures for one email address are counted from every address
  together, and once there are more than ``LOGIN_ATTEMPTS_LIMIT`` of them, each further
  *failed* attempt is answered only after a wait that doubles from a quarter of a
  second up to ``LOGIN_DELAY_MAX`` (2 s). The account is never refused: the right
  password from an address that is not itself blocked signs in at once, however
  many failures others caused.

The wait holds the worker that answers, so it also caps how fast anyone can guess an
account's password from many addresses: at most one guess per worker every two
seconds, on top of each address's own five.

When the shared store is unreachable, each worker counts on its own and allows only
its share of the limit (see ``survey.rate_limits``).
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app

from survey import rate_limits

SETTING = "LOGIN_ATTEMPTS_LIMIT"
#: The first wait once an account has more failures than the limit; it doubles each time.
FIRST_DELAY_SECONDS = 0.25


def _account_key(email: str) -> str:
    # The store sees a hash, never the address itself.
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def address_may_try() -> bool:
    """Whether this client address is still below its limit of failed sign-ins."""
    limit = rate_limits.limit_of(SETTING)
    return rate_limits.test(limit, *rate_limits.keys("login-address"), whole_site=True)


def record_failure(email: str) -> float:
    """Count a failed sign-in for the address and the account; the seconds to wait."""
    limit = rate_limits.limit_of(SETTING)
    rate_limits.hit(limit, *rate_limits.keys("login-address"), whole_site=True)
    failures = rate_limits.count(
        limit, *rate_limits.keys("login-account", _account_key(email), per_address=False), add=True
    )
    allowed = rate_limits.share(limit, whole_site=True).amount
    return delay_after(failures, allowed, float(current_app.config["LOGIN_DELAY_MAX"]))


def delay_after(failures: int, allowed: int, longest: float) -> float:
    """0 up to ``allowed`` failures, then 0.25 s, 0.5 s, 1 s … never above ``longest``."""
    if failures <= allowed:
        return 0.0
    return float(min(longest, FIRST_DELAY_SECONDS * 2 ** min(failures - allowed - 1, 16)))


def wait(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)
