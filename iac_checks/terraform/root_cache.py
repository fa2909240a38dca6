"""A cache of evaluated resources per root module, so that an unchanged root is neither parsed nor
evaluated again.

An entry is valid while every file it was computed from is byte-for-byte the same and no .tf or
.tfvars file has appeared in or left any folder it read. It is JSON (safe to share between CI
runs); a damaged or foreign entry is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagwarden.engine import __version__
from tagwarden.engine.resource_json import problem_from_json, problem_to_json, resource_from_json, resource_to_json
from tagwarden.engine.resources import Resource, SourceProblem

FORMAT = "tagwarden-roots-1"
WATCHED_SUFFIXES = (".tf", ".tfvars")


@dataclass
class RootOutcome:
    resources: list[Resource] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def fingerprint_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_listing(folder: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(WATCHED_SUFFIXES))
    except OSError:
        return []


class RootCache:
    def __init__(self, directory: Path, settings: Mapping[str, Any]) -> None:
        self.directory = directory / FORMAT
        self.settings = json.dumps({"version": __version__, **settings}, sort_keys=True, default=str)

    def _entry_path(self, root: Path) -> Path:
        key = hashlib.sha256(f"{self.settings}\n{root.resolve()}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, root: Path) -> RootOutcome | None:
        try:
            entry = json.loads(self._entry_path(root).read_text(encoding="utf-8"))
            if not _still_valid(entry):
                return None
            return RootOutcome(
                resources=[resource_from_json(item) for item in entry["resources"]],
                problems=[problem_from_json(item) for item in entry["problems"]],
                notes=[str(note) for note in entry["notes"]],
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def put(self, root: Path, outcome: RootOutcome, folders: Iterable[Path], extra_files: Sequence[Path]) -> None:
        """``folders``: every module folder the evaluation read; ``extra_files``: --var-file and the like."""
        watched = sorted({folder.resolve() for folder in folders})
        files = [folder / name for folder in watched for name in folder_listing(folder)]
        files += [path for path in extra_files if path.is_file()]
        manifest = root / ".terraform" / "modules" / "modules.json"
        if manifest.is_file():
            files.append(manifest)
        try:
            entry = {
                "folders": {str(folder): folder_listing(folder) for folder in watched},
                "files": {str(path.resolve()): fingerprint_of(path) for path in files},
                "resources": [resource_to_json(resource) for resource in outcome.resources],
                "problems": [problem_to_json(problem) for problem in outcome.problems],
                "notes": outcome.notes,
            }
            _write_atomically(self._entry_path(root), json.dumps(entry, separators=(",", ":")))
        except OSError:
            pass  # a read-only or full cache folder slows the next run, it does not fail this one


def _still_valid(entry: Mapping[str, Any]) -> bool:
    for folder, listing in entry["folders"].items():
        if folder_listing(Path(folder)) != listing:
            return False
    for path, digest in entry["files"].items():
        try:
            if fingerprint_of(Path(path)) != digest:
                return False
        except OSError:
            return False
    return True


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
