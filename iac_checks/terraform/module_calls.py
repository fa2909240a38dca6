"""Which folders call which local modules, from a text scan (no parse).

Terraform requires a module's ``source`` to be a literal string, so a line ``source = "./x"`` is
enough to know the call graph. That is what lets a warm check skip parsing unchanged folders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}(?:/[^"]*)?)"', re.MULTILINE)


def local_calls(tf_files: Iterable[Path]) -> dict[Path, set[Path]]:
    """Calling folder -> the local module folders it calls (resolved)."""
    calls: dict[Path, set[Path]] = {}
    for path in tf_files:
        folder = path.resolve().parent
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for source in _LOCAL_SOURCE.findall(text):
            calls.setdefault(folder, set()).add((folder / source).resolve())
    return calls


def callers_of(folders: set[Path], calls: dict[Path, set[Path]]) -> set[Path]:
    """Folders whose module calls reach ``folders``, directly or through other modules."""
    called_by: dict[Path, set[Path]] = {}
    for caller, callees in calls.items():
        for callee in callees:
            called_by.setdefault(callee, set()).add(caller)
    found: set[Path] = set()
    pending = list(folders)
    while pending:
        for caller in called_by.get(pending.pop(), ()):
            if caller not in found and caller not in folders:
                found.add(caller)
                pending.append(caller)
    return found


def root_folders(folders: Iterable[Path], calls: dict[Path, set[Path]]) -> list[Path]:
    """Folders that no other checked folder calls as a module."""
    called = {callee for caller, callees in calls.items() for callee in callees if callee != caller}
    return sorted(folder for folder in folders if folder not in called)
