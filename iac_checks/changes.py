"""``--changed-since REF``: which files git says changed (committed since REF, staged, or not)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class ChangesError(RuntimeError):
    pass


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ChangesError("--changed-since needs git, which is not installed") from None
    if done.returncode != 0:
        raise ChangesError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def changed_files(ref: str, cwd: Path) -> set[Path]:
    """Absolute paths of files changed since the merge base with ``ref``, plus uncommitted work."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    names = _git(["diff", "--name-only", "--no-renames", f"{ref}...HEAD"], cwd).splitlines()
    names += _git(["diff", "--name-only", "--no-renames", "HEAD"], cwd).splitlines()
    names += _git(["ls-files", "--others", "--exclude-standard"], top).splitlines()
    return {(top / name).resolve() for name in names if name}
