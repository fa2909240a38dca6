"""Parse .tf files once: memoised per run, cached on disk by content hash, in parallel when cold.

The disk cache (``hcl/cache.py``) holds JSON, never pickles, so a cache shared between CI runs
cannot run code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tagwarden.engine.resources import SourceProblem
from tagwarden.iac_checks.discovery import read_text, relative_name
from tagwarden.iac_checks.terraform.hcl.cache import ParseCache
from tagwarden.iac_checks.terraform.hcl.ir import HclFile, HclSyntaxError
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl

PARALLEL_THRESHOLD = 64  # below this many cold files a process pool costs more than it saves
MAX_WORKERS = 8

Parsed = HclFile | SourceProblem


def parse_text(text: str, name: str) -> Parsed:
    try:
        return parse_hcl(text)
    except HclSyntaxError as error:
        return SourceProblem(name, error.line, f"HCL syntax error at column {error.column}: {error.message}")


def _parse_job(job: tuple[str, str]) -> Parsed:
    return parse_text(*job)


class FileParser:
    def __init__(self, root: Path, cache_dir: Path | None) -> None:
        self.root = root
        self.cache = ParseCache(cache_dir) if cache_dir is not None else None
        self._memo: dict[Path, Parsed] = {}

    def parse(self, path: Path) -> Parsed:
        key = path.resolve()
        if key not in self._memo:
            self.parse_many([path])
        return self._memo[key]

    def parse_many(self, paths: Sequence[Path]) -> None:
        cold: list[tuple[Path, str, str]] = []  # resolved path, name, text
        for path in paths:
            key = path.resolve()
            if key in self._memo:
                continue
            name = relative_name(path, self.root)
            text, problem = read_text(path, name)
            if text is None:
                assert problem is not None
                self._memo[key] = problem
                continue
            cached = self.cache.get(text) if self.cache is not None else None
            if cached is not None:
                self._memo[key] = cached
            else:
                cold.append((key, name, text))
        for (key, _name, text), parsed in zip(cold, self._parse_cold(cold), strict=True):
            self._memo[key] = parsed
            if isinstance(parsed, HclFile) and self.cache is not None:
                self.cache.put(text, parsed)

    @staticmethod
    def _parse_cold(cold: list[tuple[Path, str, str]]) -> list[Parsed]:
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        jobs = [(text, name) for _key, name, text in cold]
        if len(jobs) < PARALLEL_THRESHOLD or workers < 2:
            return [_parse_job(job) for job in jobs]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_parse_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
