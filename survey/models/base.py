"""What every table shares: ids, tokens, the side check, dates."""

from __future__ import annotations

import datetime as dt
import secrets

from scoring import Side

NAME_MAX = 200
TOKEN_BYTES = 24  # 192 bits, above the 128 the links promise
ID_BYTES = 16  # random row ids: 128 bits, never a counter
#: The CHECK every ``side`` column carries, built from the one list of sides.
SIDE_CHECK = "side IN ({})".format(", ".join(f"'{side.value}'" for side in Side))
#: How respondents may get in: anyone with the link, or with a single-use code.
INVITATION_MODES = ("link", "codes")
#: SQLite keeps a hidden, growing row number for ordinary tables; these tables do without.
NO_ROW_NUMBER = {"sqlite_with_rowid": False}


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_id() -> str:
    return secrets.token_hex(ID_BYTES)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
