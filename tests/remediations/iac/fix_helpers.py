"""Shared by the `fix` tests: fixture paths, running fix and the real check in process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.report_builder import build_report
from tagwarden.engine.results import Report
from tagwarden.engine.taggability.registry import default_registry
from tagwarden.iac_checks.collect import collect
from tagwarden.iac_checks.interface import LoadOptions
from tagwarden.remediations.iac.fixer import FixResult, run_fix

REPO = Path(__file__).resolve().parents[3]
FIX = REPO / "tests" / "fixtures" / "fix"
CASES = FIX / "cases"
GOLDEN = FIX / "golden"
AS_OF = date(2026, 1, 1)

# case -> policy folder under tests/fixtures/fix
CASE_POLICIES = {
    "literal_map": "policy",
    "merge": "policy",
    "wrap": "policy",
    "no_tags": "policy",
    "default_tags": "policy-default-tags",
    "modules": "policy",
    "count_for_each": "policy",
    "asg_tag_blocks": "policy",
    "cfn_yaml": "policy",
    "cfn_json": "policy",
    "unknown": "policy-unknown",
    "expressions": "policy",
}

# case -> the rules whose findings fix leaves for a person (the rest must pass the check afterwards)
CASE_LEFT = {"unknown": {"owner", "creator", "contact"}, "expressions": {"cost-center"}}


def options() -> LoadOptions:
    return LoadOptions(registry=default_registry(), environ={})


def copy_case(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(CASES / case, target)
    return target


def fix(folder: Path, policy: Path) -> FixResult:
    return run_fix([folder], load_policy(policy), options(), AS_OF)


def write_fixed(result: FixResult) -> None:
    for file, text in result.fixed.items():
        with (result.root / file).open("w", encoding="utf-8", newline="") as stream:
            stream.write(text)


def check(paths: list[Path], policy: Path) -> Report:
    loaded = collect(paths, options())
    registry = default_registry()
    return build_report(
        load_policy(policy), loaded.resources, loaded.problems, as_of=AS_OF, expand_type=registry.equivalent_types
    )


def failures(report: Report) -> list[tuple[str, str, str]]:
    return sorted(
        (r.resource.address + (r.resource.instance or ""), r.rule, r.reason or "")
        for r in report.results
        if report.is_failure(r)
    )


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "tagwarden.engine.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
