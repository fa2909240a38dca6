"""`tagwarden fix`: write missing tags and correct keys in Terraform and CloudFormation files."""

from __future__ import annotations

import difflib
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tagwarden.engine.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    fail,
    finish,
    load_policy_or_exit,
    log,
    resolve_policy_path,
)

if TYPE_CHECKING:
    from tagwarden.remediations.iac.fixer import FixResult


@click.command("fix")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path),
    help="Policy file or folder (default: .tagwarden/policy.yaml, then policies/).",
)
@click.option("--dry-run", is_flag=True, help="Print a unified diff and change nothing.")
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Terraform variable file (repeatable), as for `check`.",
)
@click.option("--quiet", is_flag=True, help="No notes on stderr.")
def fix(
    paths: tuple[Path, ...], policy_path: Path | None, dry_run: bool, var_files: tuple[Path, ...], quiet: bool
) -> None:
    """Write missing tags and correct keys in IaC files so that `check` passes.

    Values come only from the policy (a literal remediation.default, or an owner_map template);
    findings whose value would have to be guessed are listed for a person. Exit 0 when nothing is
    left, 1 when findings remain, 2 on bad input.
    """
    from tagwarden.engine.taggability.registry import default_registry
    from tagwarden.iac_checks.interface import LoadOptions
    from tagwarden.remediations.iac.fixer import run_fix

    policy = load_policy_or_exit(resolve_policy_path(policy_path))
    for path in paths:
        if not path.exists():
            fail(f"{path} does not exist")
    for var_file in var_files:
        if not var_file.is_file():
            fail(f"--var-file {var_file} does not exist")
    options = LoadOptions(registry=default_registry(), var_files=var_files, environ=dict(os.environ))
    result = run_fix(paths, policy, options, date.today())
    for note in result.notes:
        log(f"note: {note}", quiet=quiet)
    if dry_run:
        click.echo(unified_diff(result), nl=False)
    else:
        for file, text in result.fixed.items():
            _write_atomically(result.root / file, text)
    click.echo(summary(result, dry_run=dry_run))
    finish(EXIT_FAILED if result.left else EXIT_OK)


def unified_diff(result: FixResult) -> str:
    """The change of every file, named relative to the checked folder."""
    chunks: list[str] = []
    for file in sorted(result.fixed):
        before = result.originals[file].splitlines(keepends=True)
        after = result.fixed[file].splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(before, after, f"a/{file}", f"b/{file}"))
    return "".join(chunk if chunk.endswith("\n") else chunk + "\n\\ No newline at end of file\n" for chunk in chunks)


def summary(result: FixResult, *, dry_run: bool) -> str:
    applied = result.applied
    verb = "would change" if dry_run else "changed"
    files = len(result.fixed)
    counts = [
        _count(files, "file"),
        _count(applied.added, "tag") + " added",
        _count(applied.renamed, "key") + " renamed",
        _count(applied.normalised, "value") + " normalised",
        _count(len(result.left), "finding") + " left for a person",
    ]
    lines = [f"{verb} {counts[0]}: {', '.join(counts[1:4])}; {counts[4]}"]
    lines += [f"  {left}" for left in result.left]
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _write_atomically(path: Path, text: str) -> None:
    """Temp file in the same folder, the original's mode, then rename: never a half-written file."""
    path = path.resolve()  # a symlinked file is written where it points, and stays a symlink
    mode = path.stat().st_mode & 0o7777
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tagwarden-fix", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        fail(f"cannot write {path}: {error}")
