"""`tagwarden check`'s input side: paths -> files -> each format's loader -> resources."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tagwarden.iac_checks.discovery import FoundFile, discover
from tagwarden.iac_checks.interface import IacLoader, LoadOptions, LoadResult
from tagwarden.iac_checks.registry import iac_loaders
from tagwarden.iac_checks.terraform.module_calls import callers_of, local_calls


def root_of(targets: Sequence[Path]) -> Path:
    """Files are named relative to the folder that was checked (a file's own folder).

    With several paths, relative to the deepest folder that holds them all.
    """
    folders = [str((target if target.is_dir() else target.parent).resolve()) for target in targets]
    return Path(os.path.commonpath(folders))


def collect(targets: Sequence[Path], options: LoadOptions, changed: set[Path] | None = None) -> LoadResult:
    """Load every IaC resource under ``targets``.

    ``changed`` (absolute, resolved paths): keep only what those files affect.
    """
    result = LoadResult()
    loaders = iac_loaders()
    root = root_of(targets)
    for target in (target.resolve() for target in targets):
        found = discover(target, root)
        result.problems.extend(found.problems)
        files = found.files if changed is None else _affected(found.files, changed)
        for loader, claimed in _assign(files, loaders):
            result.extend(loader.load([file.path for file in claimed], root, options))
    return result


def _assign(files: Sequence[FoundFile], loaders: Sequence[IacLoader]) -> list[tuple[IacLoader, list[FoundFile]]]:
    claimed: dict[str, list[FoundFile]] = {loader.name: [] for loader in loaders}
    for file in files:
        loader = next((loader for loader in loaders if loader.claims(file.path, file.head)), None)
        if loader is not None:
            claimed[loader.name].append(file)
    return [(loader, claimed[loader.name]) for loader in loaders if claimed[loader.name]]


def _affected(files: Sequence[FoundFile], changed: set[Path]) -> list[FoundFile]:
    """A changed file affects itself and, for Terraform, every .tf file of its module folder and of
    every folder that calls that module (so a module is checked with the values its callers pass)."""
    folders = {path.parent for path in changed}
    calls = local_calls(file.path for file in files if file.path.suffix == ".tf")
    folders |= callers_of(folders, calls)
    kept = []
    for file in files:
        path = file.path.resolve()
        if path in changed or (path.suffix == ".tf" and path.parent in folders):
            kept.append(file)
    return kept
