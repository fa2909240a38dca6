"""The one error the store raises, and the URL masking every message about a store goes through."""

from __future__ import annotations

import re

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z0-9+.\-]+://[^:/@]*):(?P<password>[^@/]*)@")


class StoreError(Exception):
    """The store cannot be opened, migrated or written; the message names the URL, password masked."""


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (also for URLs SQLAlchemy cannot parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO.sub(r"\g<scheme>:***@", url)


def url_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        match = _USERINFO.search(url)
        return match.group("password") if match else None


def store_error(url: str, what: str, cause: BaseException | str) -> StoreError:
    """``StoreError("cannot <what> store <masked url>: <cause>")``, the password kept out of the cause too."""
    if isinstance(cause, DBAPIError) and cause.orig is not None:
        cause = cause.orig  # the driver's own words, without SQLAlchemy's SQL echo and links
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    reason = " ".join(lines) if lines else type(cause).__name__
    password = url_password(url)
    if password:
        reason = reason.replace(password, "***")
    return StoreError(f"cannot {what} store {mask_url(url)}: {reason}")
