"""The one interface every IaC input format implements.

A loader turns the files of one format under a checked path into resources. Loaders never
evaluate policy; they only say what is declared, where, and what cannot be known before deploy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tagwarden.engine.resources import Resource, SourceProblem
from tagwarden.engine.taggability.registry import TaggabilityRegistry


@dataclass(frozen=True)
class LoadOptions:
    """What the user told `tagwarden check` about the inputs."""

    registry: TaggabilityRegistry
    var_files: Sequence[Path] = ()
    environ: Mapping[str, str] = field(default_factory=dict)  # TF_VAR_* are read from here
    cache_dir: Path | None = None
    registry_fingerprint: str = "builtin"  # changes when --provider-schema does: part of cache keys


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "module.x (registry source) not followed"

    def extend(self, other: LoadResult) -> None:
        self.resources.extend(other.resources)
        self.problems.extend(other.problems)
        self.notes.extend(other.notes)


class IacLoader(Protocol):
    """One IaC format. ``claims`` decides by name and first bytes; ``load`` reads the files."""

    name: str

    def claims(self, path: Path, head: bytes) -> bool: ...

    def load(self, files: Sequence[Path], root: Path, options: LoadOptions) -> LoadResult: ...


def load_each(
    files: Sequence[Path], root: Path, load_one: Callable[[Path, str], LoadResult], what: str
) -> LoadResult:
    """Load file by file: one file that cannot be read becomes a problem, never stops the others."""
    from tagwarden.iac_checks.discovery import relative_name

    result = LoadResult()
    for path in files:
        name = relative_name(path, root)
        try:
            result.extend(load_one(path, name))
        except Exception as error:
            result.problems.append(SourceProblem(name, 1, f"could not read {what}: {error!r}"))
    return result
