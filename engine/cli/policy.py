"""`tagwarden policy validate|test`: policy tooling."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from tagwarden.engine.cli.common import EXIT_FAILED, EXIT_OK, fail, load_policy_or_exit, resolve_policy_path


@click.group()
def policy() -> None:
    """Policy tooling: validate a policy, run the examples it ships with."""


@policy.command("validate")
@click.argument("path", type=click.Path(path_type=Path), required=False)
def policy_validate(path: Path | None) -> None:
    """Validate a policy file or folder: exit 0 if it loads, 2 with every problem if not."""
    loaded = load_policy_or_exit(resolve_policy_path(path))
    click.echo(
        f"{loaded.name}: {len(loaded.rules)} rules, {len(loaded.exemptions)} exemptions, "
        f"{len(loaded.value_sets)} value sets; valid ({loaded.digest})"
    )


@policy.command("test")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Date for exemption expiry (default: today).")
def policy_test(path: Path | None, as_of: Any) -> None:
    """Evaluate the example resources under the policy's `tests:` and compare with what they expect."""
    from tagwarden.engine.policy.testing import run_policy_tests

    loaded = load_policy_or_exit(resolve_policy_path(path))
    if not loaded.tests:
        fail(f"{loaded.name} has no `tests:` section to run")
    outcomes = run_policy_tests(loaded, as_of.date() if as_of else date.today())
    failures = 0
    for outcome in outcomes:
        click.echo(f"{'ok  ' if outcome.passed else 'FAIL'} {outcome.name}")
        for problem in outcome.problems:
            click.echo(f"     {problem}")
        failures += not outcome.passed
    click.echo(f"{len(outcomes) - failures} passed, {failures} failed")
    sys.exit(EXIT_FAILED if failures else EXIT_OK)
