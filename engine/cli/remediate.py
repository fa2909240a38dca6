"""`tagwarden remediate plan|apply|undo|runs`: live remediation, always through a reviewable plan.

`plan` is the dry run (it reads the store and the policy, never a cloud). `apply` prints what it
would do unless `--yes` is given (dry run by default); `undo` restores what a run changed.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from tagwarden.engine.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    fail,
    load_policy_or_exit,
    resolve_policy_path,
    write_output,
)
from tagwarden.engine.cli.scan import open_store_or_exit

DB_HELP = "Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here)."


@click.group()
def remediate() -> None:
    """Fix tags in the cloud: plan (review) -> apply (approved) -> undo."""


@remediate.command("plan")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path), help="Policy file or folder.")
@click.option("--scan", "scan_id", type=int, help="Plan from this scan (default: the latest complete one).")
@click.option("--db", "db_url", help=DB_HELP)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the plan (JSON) here.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), help="stdout: text for review, or the JSON.")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Terraform state (repeatable): the values of {iac.tags.K}.",
)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), hidden=True, help="The plan's date (default: today).")
def plan_command(
    policy_path: Path | None,
    scan_id: int | None,
    db_url: str | None,
    output: Path | None,
    fmt: str | None,
    states: tuple[Path, ...],
    as_of: datetime | None,
) -> None:
    """Turn a scan's failures into a plan file; it changes nothing."""
    from tagwarden.remediations.plan import PlanError, PlanInputs, build_plan, check_policy_templates
    from tagwarden.remediations.plan_model import plan_json
    from tagwarden.remediations.plan_text import render_plan_text
    from tagwarden.remediations.values.interface import ValueInputs
    from tagwarden.remediations.values.owner_map import OwnerMap

    policy = load_policy_or_exit(resolve_policy_path(policy_path))
    notify = _notify_section(policy.sources)
    iac = _read_states(list(states)) if states else None
    inputs = PlanInputs(
        policy=policy,
        as_of=as_of.date() if as_of else date.today(),
        now=datetime.now(UTC),
        values=ValueInputs(owner_map=OwnerMap.of(policy.owner_rows), iac=iac),
        notify=notify,
    )
    try:
        check_policy_templates(policy, notify)
    except PlanError as error:
        fail(str(error))
    store = open_store_or_exit(db_url)
    with store:
        scan = _scan_or_exit(store, scan_id)
        if scan.policy.digest != policy.digest:
            click.echo(
                f"tagwarden: note: scan {scan.id} was judged by another version of the policy "
                f"({scan.policy.digest}); its failures are planned with this one",
                err=True,
            )
        plan = build_plan(inputs, scan, store.resources_of(scan.id), store.results_of(scan.id, {"fail"}))
    text = plan_json(plan)
    if output is not None:
        write_output(text, output)
        click.echo(f"tagwarden: plan written to {output}: {len(plan.items)} resources, "
                   f"{plan.change_count} tag changes, {len(plan.for_a_person)} for a person", err=True)  # fmt: skip
        if fmt == "text":
            write_output(render_plan_text(plan), None)
        elif fmt == "json":
            write_output(text, None)
        return
    write_output(render_plan_text(plan) if fmt == "text" else text, None)


def _scan_or_exit(store: Any, scan_id: int | None) -> Any:
    if scan_id is None:
        scan = store.latest_complete_scan()
        if scan is None:
            fail("the store holds no complete scan to plan from (run `tagwarden scan` first)")
        return scan
    for scan in store.scans(None, 100_000):
        if scan.id == scan_id:
            if str(scan.status) != "complete":
                fail(f"scan {scan_id} is {scan.status}, not complete: its failures are not the whole picture")
            return scan
    fail(f"no scan {scan_id} in the store (see `tagwarden history`)")


def _notify_section(sources: tuple[str, ...]) -> dict[str, Any] | None:
    """The policy's `notify:` (one file of a policy folder may hold it); the loader has validated it."""
    from tagwarden.engine.policy.yaml_source import YamlSourceError, load_yaml

    found: dict[str, Any] | None = None
    for source in sources:
        try:
            data = load_yaml(Path(source).read_text(encoding="utf-8-sig")).data
        except (OSError, UnicodeDecodeError, YamlSourceError) as error:
            fail(f"{source}: cannot be read again: {error}")
        section = data.get("notify") if isinstance(data, dict) else None
        if section is not None:
            if found is not None:
                fail(f"{source}: notify: is defined in more than one file of the policy")
            found = dict(section)
    return found


def _read_states(paths: list[Path]) -> Any:
    from tagwarden.iac_checks.terraform.state import StateError, read_states

    try:
        return read_states(paths)
    except StateError as error:
        fail(str(error))


def _writers(endpoint: str | None, anonymous: bool) -> Any:
    from tagwarden.engine.collectors.interface import CollectorError, check_endpoint
    from tagwarden.remediations.apply import default_writers
    from tagwarden.remediations.clouds.interface import WriterOptions

    if endpoint:
        try:
            check_endpoint(endpoint)
        except CollectorError as error:
            fail(str(error))
    return default_writers(WriterOptions(endpoint=endpoint, anonymous=anonymous, environ=dict(os.environ)))


def _notifier(config: Any) -> Any:
    from tagwarden.remediations.notify.registry import notifier_for

    return notifier_for(config, os.environ)


def _report(report: Any, fmt: str, output: Path | None, *, executed: bool, verb: str) -> None:
    for note in report.notes:
        click.echo(f"tagwarden: {note}", err=True)
    if not executed and not report.notes:
        for line in report.lines:
            click.echo(f"would {line}", err=True)
        click.echo(
            f"tagwarden: dry run: {report.planned_edits} tag edit(s) on {len(report.lines)} item(s) would be made;"
            f" nothing was changed (add --yes to {verb})",
            err=True,
        )
    for skip in report.skips:
        click.echo(f"tagwarden: skipped: {skip}", err=True)
    for failure in report.failures:
        click.echo(f"tagwarden: failed: {failure}", err=True)
    for provider, stats in report.stats.items():
        click.echo(f"tagwarden: {provider}: {stats.total_calls} API calls, {stats.throttles} throttled", err=True)
    if fmt == "json":
        write_output(json.dumps(report.as_json()), output)
    elif executed:
        write_output(
            f"run {report.run}: {report.applied} applied, {report.failed} failed, {report.skipped} skipped", output
        )


def _refused(error: Any) -> None:
    for problem in error.problems:
        click.echo(f"tagwarden: changed: {problem}", err=True)
    fail(str(error))


APPLY_OPTIONS = [
    click.option("--approved-by", required=True, help="Who approved (recorded in the journal and the audit trail)."),
    click.option("--max-changes", type=click.IntRange(0), help="Change at most N tags; the rest wait for --resume."),
    click.option("--yes", "execute", is_flag=True, help="Make the changes (without it: print what would be done)."),
    click.option("--dry-run", is_flag=True, help="Print what would be done, change nothing (the default)."),
    click.option("--db", "db_url", help=DB_HELP),
    click.option("--endpoint", help="Cloud API endpoint (emulators, private endpoints); plain http only on loopback."),
    click.option("--anonymous", is_flag=True, help="gcp: no credentials (emulators and test servers)."),
    click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True),
    click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the result here."),
]


def _apply_options(function: Any) -> Any:
    for decorator in reversed(APPLY_OPTIONS):
        function = decorator(function)
    return function


@remediate.command("apply")
@click.argument("plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@_apply_options
@click.option("--resume", "resume", metavar="RUN", help="Retry what run RUN has not applied yet.")
@click.option("--skip-changed", is_flag=True, help="Leave out resources changed since the plan instead of refusing.")
def apply_command(
    plan_file: Path | None,
    approved_by: str,
    max_changes: int | None,
    execute: bool,
    dry_run: bool,
    db_url: str | None,
    endpoint: str | None,
    anonymous: bool,
    fmt: str,
    output: Path | None,
    resume: str | None,
    skip_changed: bool,
) -> None:
    """Apply exactly what PLAN says (dry run unless --yes); exit 1 when a change failed."""
    from tagwarden.remediations.apply import ApplyOptions, ApplyRefused, apply_plan, resume_run
    from tagwarden.remediations.clouds.interface import WriterError
    from tagwarden.remediations.plan_model import PlanFileError, load_plan

    if execute and dry_run:
        fail("--yes and --dry-run contradict each other")
    if not approved_by.strip():
        fail("--approved-by must name a person")
    if plan_file is None and resume is None:
        fail("give a PLAN file, or --resume RUN")
    plan = digest = None
    if plan_file is not None:
        try:
            plan, digest = load_plan(plan_file)
        except PlanFileError as error:
            fail(str(error))
    options = ApplyOptions(approved_by.strip(), execute, max_changes, skip_changed)
    store = open_store_or_exit(db_url)
    try:
        with store:
            writers = _writers(endpoint, anonymous)
            if resume is not None:
                report = resume_run(store, resume, options, writers, _notifier, digest)
            else:
                assert plan is not None and digest is not None
                report = apply_plan(store, plan, digest, options, writers, _notifier)
    except ApplyRefused as error:
        _refused(error)
    except WriterError as error:
        fail(f"cannot reach the cloud: {error}")
    _report(report, fmt, output, executed=execute, verb="apply")
    raise SystemExit(EXIT_FAILED if report.failed else EXIT_OK)


@remediate.command("undo")
@click.argument("run_id", metavar="RUN")
@_apply_options
def undo_command(
    run_id: str,
    approved_by: str,
    max_changes: int | None,
    execute: bool,
    dry_run: bool,
    db_url: str | None,
    endpoint: str | None,
    anonymous: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Restore every tag RUN changed to its previous value (removing tags it added)."""
    from tagwarden.remediations.apply import ApplyOptions, ApplyRefused, undo_run
    from tagwarden.remediations.clouds.interface import WriterError

    if execute and dry_run:
        fail("--yes and --dry-run contradict each other")
    if not approved_by.strip():
        fail("--approved-by must name a person")
    options = ApplyOptions(approved_by.strip(), not dry_run, max_changes)
    store = open_store_or_exit(db_url)
    try:
        with store:
            report = undo_run(store, run_id, options, _writers(endpoint, anonymous))
    except ApplyRefused as error:
        _refused(error)
    except WriterError as error:
        fail(f"cannot reach the cloud: {error}")
    _report(report, fmt, output, executed=not dry_run, verb="undo")
    raise SystemExit(EXIT_FAILED if report.failed else EXIT_OK)


@remediate.command("runs")
@click.option("--db", "db_url", help=DB_HELP)
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def runs_command(db_url: str | None, limit: int, fmt: str) -> None:
    """List remediation runs, newest first."""
    from tagwarden.remediations.journal import Journal

    store = open_store_or_exit(db_url)
    with store:
        runs = Journal(store).runs(limit)
    if fmt == "json":
        rows = [
            {
                "run": run.id,
                "kind": run.kind,
                "status": run.status,
                "approved_by": run.approved_by,
                "plan_digest": run.plan_digest,
                "undoes": run.undoes,
                "started_at": run.started_at.isoformat(),
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                "counts": dict(run.counts),
            }
            for run in runs
        ]
        write_output(json.dumps(rows, indent=2), None)
        return
    if not runs:
        click.echo("no remediation runs in the store yet")
    for run in runs:
        counts = ", ".join(f"{count} {state}" for state, count in sorted(run.counts.items()))
        undoes = f" (undoes {run.undoes})" if run.undoes else ""
        click.echo(f"{run.id}  {run.started_at:%Y-%m-%d %H:%M}  {run.kind:<5} {run.status:<8} "
                   f"by {run.approved_by}{undoes}  {counts}")  # fmt: skip
