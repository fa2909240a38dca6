"""Finding the IaC files under the paths a user checks, safely.

Symlink loops, binary files, huge files and unreadable folders become problems with a clear
message; the walk goes on with everything else.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tagwarden.engine.resources import SourceProblem

SKIPPED_FOLDERS = frozenset({".git", ".terraform", "node_modules", ".tagwarden-cache", "__pycache__", ".venv", "venv"})
IAC_SUFFIXES = frozenset({".tf", ".json", ".yaml", ".yml", ".template"})
MAX_FILE_BYTES = 20 * 1024 * 1024
HEAD_BYTES = 8192


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: Path
    relative: str  # relative to the checked root, with forward slashes
    head: bytes


@dataclass
class Discovery:
    files: list[FoundFile] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)


def relative_name(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def discover(target: Path, root: Path) -> Discovery:
    """Every IaC candidate file under ``target`` (a file or a folder), named relative to ``root``."""
    found = Discovery()
    if target.is_file():
        _consider(target, root, found, explicit=True)
        return found
    visited: set[tuple[int, int]] = set()
    for folder in _walk_folders(target, visited, found, root):
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.suffix in IAC_SUFFIXES and entry.is_file():
                _consider(entry, root, found, explicit=False)
    return found


def _walk_folders(top: Path, visited: set[tuple[int, int]], found: Discovery, root: Path) -> Iterable[Path]:
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            identity = os.stat(folder)
        except OSError as error:
            found.problems.append(SourceProblem(relative_name(folder, root), 0, f"cannot read folder: {error}"))
            continue
        key = (identity.st_dev, identity.st_ino)
        if key in visited:  # a symlink loop or a second link to a folder already read
            if folder.is_symlink():
                found.problems.append(
                    SourceProblem(
                        relative_name(folder, root), 0, "symlink to a folder already checked (loop?)", severity="info"
                    )
                )
            continue
        visited.add(key)
        yield folder
        try:
            children = sorted((entry for entry in folder.iterdir() if entry.is_dir()), key=lambda p: p.name)
        except OSError as error:
            found.problems.append(SourceProblem(relative_name(folder, root), 0, f"cannot list folder: {error}"))
            continue
        stack.extend(reversed([child for child in children if child.name not in SKIPPED_FOLDERS]))


def _consider(path: Path, root: Path, found: Discovery, *, explicit: bool) -> None:
    name = relative_name(path, root)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as error:
        found.problems.append(SourceProblem(name, 0, f"cannot read file: {error}"))
        return
    if path.suffix == ".tf":  # the Terraform loader reads whole folders and reports these itself
        found.files.append(FoundFile(path, name, head))
        return
    problem = _unreadable(name, head, size)
    if problem is None:
        found.files.append(FoundFile(path, name, head))
    elif explicit:
        found.problems.append(problem)


def _unreadable(name: str, head: bytes, size: int) -> SourceProblem | None:
    if b"\0" in head:
        return SourceProblem(name, 1, "binary file (contains NUL bytes), not text; skipped")
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return SourceProblem(name, 1, f"file is {size // (1024 * 1024)} MiB, over the {limit} MiB limit; skipped")
    return None


def read_text(path: Path, name: str) -> tuple[str | None, SourceProblem | None]:
    """UTF-8 text (a BOM is allowed); other encodings name the line of the first bad byte."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, SourceProblem(name, 0, f"cannot read file: {error}")
    problem = _unreadable(name, data[:HEAD_BYTES], len(data))
    if problem is not None:
        return None, problem
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, SourceProblem(name, line, f"not UTF-8 text (byte 0x{data[error.start]:02x} at line {line})")
