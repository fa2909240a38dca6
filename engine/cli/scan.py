"""`tagwarden scan` and `tagwarden inventory export`: live clouds and inventory files."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from tagwarden.engine.cli.common import (
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_OK,
    common_output_options,
    exit_code_for,
    fail,
    load_policy_or_exit,
    log,
    render,
    resolve_policy_path,
    streamed_format,
    write_output,
    write_streamed,
)


def open_store_or_exit(url: str | None) -> Any:
    from tagwarden.engine.store import Store, StoreError, default_url

    try:
        return Store.open(url or default_url(os.environ, Path.cwd()))
    except StoreError as error:
        fail(str(error))


def collector_options(**flags: Any) -> Any:
    from tagwarden.engine.collectors.interface import CollectorError, CollectorOptions, check_endpoint

    endpoint = flags.get("endpoint")
    if endpoint:
        try:
            check_endpoint(endpoint)
        except CollectorError as error:
            fail(str(error))
    return CollectorOptions(
        endpoint=endpoint,
        regions=_split(flags.get("regions")),
        profiles=tuple(flags.get("profiles") or ()),
        org_role=flags.get("org_role"),
        subscriptions=_split(flags.get("subscriptions")),
        scope=flags.get("scope"),
        anonymous=bool(flags.get("anonymous")),
        with_creators=bool(flags.get("with_creators")),
        aws_tag_source=flags.get("aws_tag_source") or "tagging-api",
        environ=dict(os.environ),
    )


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def cloud_options(function: Any) -> Any:
    decorators = [
        click.option(
            "--endpoint",
            help="API endpoint (sovereign clouds, private endpoints, emulators); plain http only on loopback.",
        ),
        click.option("--regions", help="aws: comma-separated regions (default: every enabled region)."),
        click.option("--profile", "profiles", multiple=True, help="aws: a named profile (repeatable)."),
        click.option("--org-role", help="aws: assume this role in every account of the organisation."),
        click.option("--subscriptions", help="azure: comma-separated subscription ids (default: all visible)."),
        click.option("--scope", help="gcp: organizations/ID, folders/ID or projects/ID."),
        click.option("--anonymous", is_flag=True, help="gcp: no credentials (emulators and test servers)."),
        click.option(
            "--aws-tag-source",
            type=click.Choice(["tagging-api", "per-resource"]),
            default="tagging-api",
            show_default=True,
            help="aws: read tags in one Resource Groups Tagging API sweep per region (fewest calls; it can "
            "lag tag changes by a little), or from each service per resource.",
        ),
        click.option(
            "--with-creators",
            is_flag=True,
            help="Look up who created each resource (CloudTrail, Activity Log): slower.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def live_resources(source: str, file: Path | None, options: Any, stats: Any, progress: Any) -> Any:
    from tagwarden.engine.collectors.interface import CollectorError
    from tagwarden.engine.collectors.registry import get_collector

    if file is not None:
        fail(f"scan {source} takes no FILE (only `scan inventory FILE` does)")
    try:
        collector = get_collector(source, aws_tag_source=options.aws_tag_source)
        iterator = collector.collect(options, stats, progress)
        first = next(iterator, None)  # credentials and endpoints fail here, before the store is touched
    except CollectorError as error:
        fail(f"{source}: {error}")
    if first is None:
        return iter(())
    return _chain_first(first, iterator, source)


def _chain_first(first: Any, rest: Any, source: str) -> Any:
    from tagwarden.engine.collectors.interface import CollectorError

    yield first
    try:
        yield from rest
    except CollectorError as error:
        fail(f"{source}: {error}")


@click.command()
@click.argument("source", type=click.Choice(["aws", "azure", "gcp", "inventory"]))
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@common_output_options
@cloud_options
@click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Terraform state (file or `terraform show -json` output), repeatable: report resources no "
    "IaC declares (shadow IT) and tag drift.",
)
@click.option("--skip-bad-lines", is_flag=True, help="inventory: skip lines that do not parse instead of exit 2.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="inventory: evaluating processes (default 1; more pays off when tag sets rarely repeat).",
)
@click.option("--no-store", is_flag=True, help="Judge and print only; record nothing in the store.")
def scan(
    source: str,
    file: Path | None,
    policy_path: Path | None,
    fmt: str | None,
    output: Path | None,
    fail_on: str,
    unknown_mode: str,
    show_all: bool,
    quiet: bool,
    no_progress: bool,
    as_of: Any,
    db_url: str | None,
    states: tuple[Path, ...],
    skip_bad_lines: bool,
    workers: int | None,
    no_store: bool,
    **cloud_flags: Any,
) -> None:
    """Post-deploy: scan aws, azure, gcp (live) or `inventory FILE`; results go to the store."""
    from tagwarden.engine.collectors.interface import CollectStats
    from tagwarden.engine.progress import Progress
    from tagwarden.engine.results import UnknownMode
    from tagwarden.engine.scanning import ScanRunner
    from tagwarden.engine.taggability.registry import default_registry

    policy_loaded = load_policy_or_exit(resolve_policy_path(policy_path))
    if source == "inventory" and (file is None or not file.is_file()):
        fail("scan inventory needs an inventory FILE that exists (JSON Lines, see `inventory export`)")
    inventory = _managed_inventory(list(states))
    registry = default_registry()
    store = None if no_store else open_store_or_exit(db_url)
    if store is not None:
        from tagwarden.engine.cli.audit import record_policy_or_exit

        record_policy_or_exit(store, policy_loaded)  # change control: a new policy digest is an audit record
    runner = ScanRunner(
        policy_loaded,
        as_of=as_of.date() if as_of else date.today(),
        unknown_mode=UnknownMode(unknown_mode),
        expand_type=registry.equivalent_types,
        store=store,
        keep_passes=show_all,
        managed=inventory,
        streamed_format=streamed_format(fmt),
    )
    stats = CollectStats()
    progress = Progress(enabled=not (quiet or no_progress), label=f"scan {source}")
    parameters = {
        "source": source,
        "file": str(file) if file else None,
        "states": [str(s) for s in states],
        **{k: v for k, v in cloud_flags.items() if v},
    }
    with progress:
        if source == "inventory":
            assert file is not None
            batches = _inventory_batches(runner, file, registry, workers, progress)
        else:
            options = collector_options(**cloud_flags)
            resources = live_resources(source, file, options, stats, progress.update)
            batches = runner.evaluate_stream(resources)
        outcome = runner.run(
            source, batches, parameters, stats=lambda: _stats_dict(stats), discard_on_problems=not skip_bad_lines
        )
    bad_lines = [p for p in outcome.problems if p.rule == "parse-error"]
    for problem in bad_lines[:20]:
        log(f"{problem.file}:{problem.line}: {problem.message}", quiet=False)
    if bad_lines and not skip_bad_lines:
        fail(
            f"{len(bad_lines)} line(s) of {file} did not parse; nothing was stored (use --skip-bad-lines "
            "to judge the rest)"
        )
    _log_stats(source, stats, outcome.scan_id, quiet)
    if outcome.spool is not None:
        spool = outcome.spool
        write_streamed(lambda stream: spool.write_to(stream, outcome.report), output)
        spool.close()
        sys.exit(_exit_code_of_worst(outcome.worst_failure, fail_on))
    write_output(render(outcome.report, fmt, show_all=show_all, output=output), output)
    sys.exit(exit_code_for(outcome.report, fail_on))


def _exit_code_of_worst(worst: int, fail_on: str) -> int:
    from tagwarden.engine.results import severity_rank

    if fail_on == "never":
        return EXIT_OK
    return EXIT_FAILED if worst >= severity_rank(fail_on) else EXIT_OK


def _managed_inventory(states: list[Path]) -> Any:
    if not states:
        return None
    from tagwarden.iac_checks.terraform.state import StateError, read_states

    try:
        return read_states(states)
    except StateError as error:
        fail(str(error))


def _inventory_batches(runner: Any, file: Path, registry: Any, workers: int | None, progress: Any) -> Any:
    from tagwarden.engine.collectors.inventory_file import read_lines
    from tagwarden.engine.scanning import evaluate_inventory_lines

    def lines() -> Any:
        with file.open("rb") as handle:
            for line in read_lines(handle):
                yield line.number, line.text

    for batch in evaluate_inventory_lines(runner, lines(), registry, str(file), workers):
        progress.advance(batch.count)
        yield batch


def _stats_dict(stats: Any) -> dict[str, Any]:
    return {
        "api_calls": stats.total_calls,
        "api_calls_by_operation": dict(stats.api_calls),
        "throttles": stats.throttles,
        "retries": stats.retries,
        "missing_permissions": sorted(stats.missing_permissions),
        "failures": list(stats.failures),
    }


def _log_stats(source: str, stats: Any, scan_id: int | None, quiet: bool) -> None:
    if source != "inventory":
        log(
            f"{source}: {stats.total_calls} API calls, {stats.throttles} throttles absorbed, "
            f"{len(stats.missing_permissions)} permissions missing",
            quiet=quiet,
        )
        for permission in sorted(stats.missing_permissions):
            log(f"  missing permission: {permission}", quiet=quiet)
        for failure in stats.failures:
            log(f"  not scanned: {failure}", quiet=False)
    if scan_id is not None:
        log(f"stored as scan {scan_id}", quiet=quiet)


@click.group("inventory")
def inventory_group() -> None:
    """Live inventories as files: take them where the credentials are, judge them elsewhere."""


@inventory_group.command("export")
@click.argument("source", type=click.Choice(["aws", "azure", "gcp"]))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The JSON Lines file to write.",
)
@cloud_options
@click.option("--quiet", is_flag=True)
@click.option("--no-progress", is_flag=True)
def inventory_export(source: str, output: Path, quiet: bool, no_progress: bool, **cloud_flags: Any) -> None:
    """Write a live inventory to a file that `scan inventory` reads."""
    from tagwarden.engine.collectors.interface import CollectStats
    from tagwarden.engine.collectors.inventory_file import write_inventory
    from tagwarden.engine.progress import Progress

    stats = CollectStats()
    progress = Progress(enabled=not (quiet or no_progress), label=f"export {source}")
    with progress:
        resources = live_resources(source, None, collector_options(**cloud_flags), stats, progress.update)
        count = write_inventory(resources, output)
    _log_stats(source, stats, None, quiet=True)
    log(f"wrote {count} resources to {output}", quiet=quiet)
    sys.exit(EXIT_ERROR if stats.failures and count == 0 else EXIT_OK)
