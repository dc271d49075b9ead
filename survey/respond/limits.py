"""Per-address limits of the survey pages, counted in the rate-limit store only.

The client address is used here and nowhere else: it is never written next to a
response, a draft or a code. When the shared store (Redis) cannot be reached, each
worker counts in its own memory, with the full limit (see ``survey.rate_limits``),
rather than turning a survey page into a 500.
"""

from __future__ import annotations

from survey import rate_limits

#: Unknown survey tokens per address (so links cannot be guessed).
UNKNOWN_TOKEN = ("SURVEY_TOKEN_LIMIT", "survey-token")
#: Wrong invitation codes per address (so codes cannot be guessed).
WRONG_CODE = ("INVITATION_CODE_LIMIT", "invitation-code")
#: New responses per address and survey link (so one person cannot fill a side).
NEW_RESPONSE = ("SURVEY_RESPONSE_LIMIT", "survey-response")


def hit(kind: tuple[str, str], *keys: str) -> bool:
    """Count one event of ``kind`` for the client's address; ``False`` once over the limit."""
    setting, scope = kind
    return rate_limits.hit(rate_limits.limit_of(setting), *rate_limits.keys(scope, *keys))


def test(kind: tuple[str, str], *keys: str) -> bool:
    """Whether one more event of ``kind`` would still be within the limit (counts nothing)."""
    setting, scope = kind
    return rate_limits.test(rate_limits.limit_of(setting), *rate_limits.keys(scope, *keys))
