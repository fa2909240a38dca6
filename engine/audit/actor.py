"""Who is acting: TAGWARDEN_ACTOR when set, else the operating-system user."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping

ACTOR_ENV = "TAGWARDEN_ACTOR"


def current_actor(environ: Mapping[str, str] | None = None) -> str:
    configured = (environ if environ is not None else os.environ).get(ACTOR_ENV, "").strip()
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"
