"""`tagwarden check`: the pre-deploy check of IaC files."""

from __future__ import annotations

import gc
import os
from datetime import date
from pathlib import Path
from typing import Any

import click

from tagwarden.engine.cli.common import (
    common_output_options,
    exit_code_for,
    fail,
    finish,
    load_policy_or_exit,
    log,
    render,
    resolve_policy_path,
    write_output,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@common_output_options
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Terraform variable file (repeatable); terraform.tfvars and *.auto.tfvars are read anyway.",
)
@click.option(
    "--provider-schema",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Output of `terraform providers schema -json`, to classify every resource type exactly.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Findings recorded in this baseline file are not failures.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record the current findings as the baseline.",
)
@click.option("--changed-since", metavar="GIT_REF", help="Only resources in files changed since GIT_REF.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Parse cache folder, safe to share between CI runs (default: .tagwarden-cache).",
)
@click.option("--no-cache", is_flag=True, help="Parse every file afresh and write no cache.")
def check(
    paths: tuple[Path, ...],
    policy_path: Path | None,
    fmt: str | None,
    output: Path | None,
    fail_on: str,
    unknown_mode: str,
    show_all: bool,
    quiet: bool,
    no_progress: bool,
    as_of: Any,
    var_files: tuple[Path, ...],
    provider_schema: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    changed_since: str | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> None:
    """Pre-deploy: check Terraform folders and files, plan JSON and CloudFormation templates."""
    from tagwarden.engine.baseline import BaselineError, read_baseline
    from tagwarden.engine.baseline import write_baseline as store_baseline
    from tagwarden.engine.report_builder import build_report
    from tagwarden.engine.results import UnknownMode
    from tagwarden.iac_checks.collect import collect, root_of
    from tagwarden.iac_checks.interface import LoadOptions

    policy = load_policy_or_exit(resolve_policy_path(policy_path))
    for path in paths:
        if not path.exists():
            fail(f"{path} does not exist")
    for var_file in var_files:
        if not var_file.is_file():
            fail(f"--var-file {var_file} does not exist")
    registry = _registry(provider_schema)
    accepted: frozenset[str] = frozenset()
    if baseline is not None:
        try:
            accepted = read_baseline(baseline)
        except BaselineError as error:
            fail(str(error))
    changed = _changed(changed_since)
    options = LoadOptions(
        registry=registry,
        var_files=var_files,
        environ=dict(os.environ),
        cache_dir=None if no_cache else (cache_dir or Path(".tagwarden-cache")),
        registry_fingerprint=_fingerprint(provider_schema),
    )
    # Parse trees and results are large and acyclic: cycle collection over them is pure cost
    # (about 30% of a large check). A check is one short process, so it runs without it.
    gc.disable()
    loaded = collect(list(paths), options, changed)
    report = build_report(
        policy,
        loaded.resources,
        loaded.problems,
        as_of=as_of.date() if as_of else date.today(),
        unknown_mode=UnknownMode(unknown_mode),
        expand_type=registry.equivalent_types,
        baseline=accepted,
        notes=loaded.notes,
        include_passes=show_all or fmt == "junit",  # junit lists a test case per resource and rule
    )
    for note in report.notes:
        log(f"note: {note}", quiet=quiet)
    if write_baseline is not None:
        count = store_baseline(write_baseline, report.results)
        log(f"wrote {count} findings to the baseline {write_baseline}", quiet=quiet)
    root = _display_root(root_of(list(paths)))
    write_output(render(report, fmt, show_all=show_all, output=output, root=root), output)
    finish(exit_code_for(report, fail_on))


def _display_root(root: Path) -> str | None:
    """The checked folder as seen from here, so SARIF and annotations carry repository paths."""
    relative = os.path.relpath(root, Path.cwd())
    return None if relative == "." else Path(relative).as_posix()


def _fingerprint(provider_schema: Path | None) -> str:
    import hashlib

    return "builtin" if provider_schema is None else hashlib.sha256(provider_schema.read_bytes()).hexdigest()


def _registry(provider_schema: Path | None) -> Any:
    from tagwarden.engine.taggability.registry import default_registry

    registry = default_registry()
    if provider_schema is None:
        return registry
    import json

    try:
        schema = json.loads(provider_schema.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        fail(f"--provider-schema {provider_schema} cannot be read: {error}")
    except json.JSONDecodeError as error:
        fail(f"--provider-schema {provider_schema} line {error.lineno}: not valid JSON: {error.msg}")
    from tagwarden.engine.taggability.provider_schema import ProviderSchemaError

    try:
        return registry.with_provider_schema(schema)
    except ProviderSchemaError as error:
        fail(f"--provider-schema {provider_schema}: {error}")


def _changed(ref: str | None) -> set[Path] | None:
    if ref is None:
        return None
    from tagwarden.iac_checks.changes import ChangesError, changed_files

    try:
        return changed_files(ref, Path.cwd())
    except ChangesError as error:
        fail(str(error))
