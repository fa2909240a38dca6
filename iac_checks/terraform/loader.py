"""Terraform folders -> resources: parse every .tf file once, then evaluate each root module.

A root module is a folder with .tf files that no other checked folder calls as a local module.
Local modules are followed with the values passed in; remote ones are read from
``.terraform/modules`` when ``terraform init`` has run, and reported once as not followed otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tagwarden.engine.resources import SourceProblem
from tagwarden.iac_checks.discovery import relative_name
from tagwarden.iac_checks.interface import LoadOptions, LoadResult
from tagwarden.iac_checks.terraform.evaluation import ModuleEvaluator, RootSettings
from tagwarden.iac_checks.terraform.module import Module
from tagwarden.iac_checks.terraform.module_calls import local_calls, root_folders
from tagwarden.iac_checks.terraform.parsing import FileParser
from tagwarden.iac_checks.terraform.root_cache import RootCache, RootOutcome


@dataclass
class ModuleLibrary:
    """Modules by folder, parsed on first use (local modules outside the checked paths too)."""

    root: Path
    parser: FileParser
    problems: list[SourceProblem] = field(default_factory=list)
    _modules: dict[Path, Module] = field(default_factory=dict)

    def get(self, folder: Path) -> Module:
        folder = folder.resolve()
        module = self._modules.get(folder)
        if module is None:
            module = self._load(folder)
            self._modules[folder] = module
        return module

    def _load(self, folder: Path) -> Module:
        module = Module(folder)
        for path in sorted(folder.glob("*.tf")):
            parsed = self.parser.parse(path)
            if isinstance(parsed, SourceProblem):
                self.problems.append(parsed)
            else:
                module.add_file(parsed, relative_name(path, self.root))
        return module


class TerraformLoader:
    name = "terraform"

    def claims(self, path: Path, head: bytes) -> bool:
        return path.suffix == ".tf"

    def load(self, files: Sequence[Path], root: Path, options: LoadOptions) -> LoadResult:
        folders = _folders(files)
        roots = root_folders(folders, local_calls(files))
        cache = _root_cache(options, root)
        result = LoadResult()
        cold = []
        for folder in roots:
            cached = cache.get(folder) if cache is not None else None
            if cached is None:
                cold.append(folder)
            else:
                _add(result, cached)
        if cold:
            self._evaluate_roots(cold, files, folders, root, options, cache, result)
        result.problems[:] = list(dict.fromkeys(result.problems))  # a module shared by roots reports once
        return result

    @staticmethod
    def _evaluate_roots(
        roots: list[Path],
        files: Sequence[Path],
        folders: list[Path],
        root: Path,
        options: LoadOptions,
        cache: RootCache | None,
        result: LoadResult,
    ) -> None:
        parser = FileParser(root, options.cache_dir)
        cold_folders = set(roots) if len(roots) < len(folders) else set(folders)
        parser.parse_many([path for path in files if path.parent.resolve() in cold_folders])  # in parallel
        library = ModuleLibrary(root.resolve(), parser)
        settings = RootSettings(root=root.resolve(), var_files=tuple(options.var_files), environ=options.environ)
        for folder in roots:
            outcome = LoadResult()
            evaluator = ModuleEvaluator(library, options.registry, settings, outcome)
            evaluator.evaluate_root(folder)
            visited = evaluator.visited_folders
            names = {name for path in visited for name in _relative_tf_names(path, root)}
            outcome.problems.extend(problem for problem in library.problems if problem.file in names)
            if cache is not None:
                cache.put(
                    folder,
                    RootOutcome(outcome.resources, outcome.problems, outcome.notes),
                    visited,
                    list(options.var_files),
                )
            result.extend(outcome)


def _root_cache(options: LoadOptions, root: Path) -> RootCache | None:
    if options.cache_dir is None:
        return None
    settings = {
        "registry": options.registry_fingerprint,
        "checked_root": str(root.resolve()),
        "var_files": [str(path.resolve()) for path in options.var_files],
        "tf_vars": sorted((key, value) for key, value in options.environ.items() if key.startswith("TF_VAR_")),
    }
    return RootCache(options.cache_dir, settings)


def _add(result: LoadResult, outcome: RootOutcome) -> None:
    result.resources.extend(outcome.resources)
    result.problems.extend(outcome.problems)
    result.notes.extend(outcome.notes)


def _relative_tf_names(folder: Path, root: Path) -> list[str]:
    return [relative_name(path, root) for path in folder.glob("*.tf")]


def _folders(files: Sequence[Path]) -> list[Path]:
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for path in files:
        by_folder[path.parent.resolve()].append(path)
    return sorted(by_folder)
