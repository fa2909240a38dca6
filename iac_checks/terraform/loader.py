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
from tagwarden.iac_checks.terraform.module import Module, called_local_folders
from tagwarden.iac_checks.terraform.parsing import FileParser


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
        parser = FileParser(root, options.cache_dir)
        parser.parse_many(files)  # in parallel where it pays; later lookups hit the memo
        library = ModuleLibrary(root.resolve(), parser)
        folders = _folders(files)
        roots = _root_folders(folders, library)
        result = LoadResult()
        settings = RootSettings(root=root.resolve(), var_files=tuple(options.var_files), environ=options.environ)
        for folder in roots:
            evaluator = ModuleEvaluator(library, options.registry, settings, result)
            evaluator.evaluate_root(folder)
        result.problems.extend(library.problems)
        return result


def _folders(files: Sequence[Path]) -> list[Path]:
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for path in files:
        by_folder[path.parent.resolve()].append(path)
    return sorted(by_folder)


def _root_folders(folders: list[Path], library: ModuleLibrary) -> list[Path]:
    called: set[Path] = set()
    for folder in folders:
        called.update(called_local_folders(library.get(folder)))
    return [folder for folder in folders if folder not in called]
