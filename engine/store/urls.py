"""Where the store lives when ``--db`` is not given."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

ENV_VAR = "TAGWARDEN_DB"
DEFAULT_FILE = Path(".tagwarden") / "tagwarden.db"


def default_url(environ: Mapping[str, str], cwd: Path) -> str:
    """``TAGWARDEN_DB`` when set (and not empty), else a SQLite file under ``<cwd>/.tagwarden/``."""
    configured = environ.get(ENV_VAR, "").strip()
    if configured:
        return configured
    return f"sqlite:///{(cwd / DEFAULT_FILE).absolute().as_posix()}"
