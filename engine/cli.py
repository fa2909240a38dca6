"""The `tagwarden` command: parse flags, call the pieces, map errors to exit codes.

Exit codes (shared/spec/cli-and-outputs.md): 0 nothing at or above --fail-on failed, 1 something did,
2 could not run. Everything heavier than click is imported inside the command that needs it, so
that `tagwarden --version` and `tagwarden check` start fast.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from tagwarden.engine import __version__

if TYPE_CHECKING:
    from tagwarden.engine.policy.model import Policy
    from tagwarden.engine.results import Report

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "junit", "markdown", "github", "csv")
FAIL_ON = ("critical", "high", "medium", "low", "info", "never")
DEFAULT_POLICIES = (Path(".tagwarden/policy.yaml"), Path("policies"))


class UsageProblem(click.ClickException):
    """Could not run: bad input, policy or flags. Exit code 2, message on stderr."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"tagwarden: error: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    raise UsageProblem(message)


def resolve_policy_path(given: Path | None) -> Path:
    if given is not None:
        return given
    for candidate in DEFAULT_POLICIES:
        if candidate.exists():
            return candidate
    fail("no policy given and neither .tagwarden/policy.yaml nor policies/ exists here (use --policy)")


def load_policy_or_exit(path: Path) -> Policy:
    from tagwarden.engine.policy.loader import PolicyError, load_policy

    try:
        return load_policy(path)
    except PolicyError as error:
        count = len(error.problems)
        fail(f"the policy does not load ({count} problem{'s' * (count != 1)}):\n{error}")


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(output.name + ".partial")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(output)  # never leave a half-written report
    except OSError as error:
        fail(f"cannot write {output}: {error}")


def render(report: Report, fmt: str | None, *, show_all: bool, output: Path | None, root: str | None = None) -> str:
    from tagwarden.engine.outputs.interface import OutputError
    from tagwarden.engine.outputs.registry import get_format

    name = fmt or "text"
    options: dict[str, Any] = {}
    if name == "text":
        options["color"] = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    try:
        return get_format(name, **options).render(report, show_all=show_all, root=root)
    except OutputError as error:
        fail(str(error))


def exit_code_for(report: Report, fail_on: str) -> int:
    from tagwarden.engine.results import severity_rank

    if fail_on == "never":
        return EXIT_OK
    threshold = severity_rank(fail_on)
    failing = any(report.is_failure(r) and severity_rank(r.severity) >= threshold for r in report.results)
    return EXIT_FAILED if failing else EXIT_OK


def log(message: str, *, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tagwarden")
def cli() -> None:
    """tagwarden: tagging governance for cloud infrastructure, as policy-as-code."""


def main() -> None:
    """Entry point. A crash is exit 2 ("could not run"), never 1, which means "findings"."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("tagwarden: interrupted", err=True)
        sys.exit(130)
    except Exception as error:
        import traceback

        traceback.print_exc()
        click.echo(f"tagwarden: internal error: {error!r} (please report it)", err=True)
        sys.exit(EXIT_ERROR)


def common_output_options(function: Any) -> Any:
    decorators = [
        click.option(
            "--policy",
            "policy_path",
            type=click.Path(path_type=Path),
            help="Policy file or folder (default: .tagwarden/policy.yaml, then policies/).",
        ),
        click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: text)."),
        click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Write the output to FILE instead of stdout.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(FAIL_ON),
            default="low",
            show_default=True,
            help="Exit 1 when a failure at or above this severity remains.",
        ),
        click.option(
            "--unknown",
            "unknown_mode",
            type=click.Choice(["fail", "warn", "pass"]),
            default="warn",
            show_default=True,
            help="How results that cannot be known before deploy count.",
        ),
        click.option("--all", "show_all", is_flag=True, help="List passing results too."),
        click.option("--quiet", is_flag=True, help="No progress or notes on stderr."),
        click.option("--no-progress", is_flag=True, help="No progress bar (it is never shown off a terminal)."),
        click.option(
            "--as-of",
            type=click.DateTime(["%Y-%m-%d"]),
            hidden=True,
            help="Evaluate exemption expiry as of this date (default: today).",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


@cli.command()
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
    )
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
    )
    for note in report.notes:
        log(f"note: {note}", quiet=quiet)
    if write_baseline is not None:
        count = store_baseline(write_baseline, report.results)
        log(f"wrote {count} findings to the baseline {write_baseline}", quiet=quiet)
    root = _display_root(root_of(list(paths)))
    write_output(render(report, fmt, show_all=show_all, output=output, root=root), output)
    sys.exit(exit_code_for(report, fail_on))


def _display_root(root: Path) -> str | None:
    """The checked folder as seen from here, so SARIF and annotations carry repository paths."""
    relative = os.path.relpath(root, Path.cwd())
    return None if relative == "." else Path(relative).as_posix()


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
        environ=dict(os.environ),
    )


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def cloud_options(function: Any) -> Any:
    decorators = [
        click.option("--endpoint", help="API endpoint (sovereign clouds, private endpoints, emulators); "
                     "plain http only on loopback."),
        click.option("--regions", help="aws: comma-separated regions (default: every enabled region)."),
        click.option("--profile", "profiles", multiple=True, help="aws: a named profile (repeatable)."),
        click.option("--org-role", help="aws: assume this role in every account of the organisation."),
        click.option("--subscriptions", help="azure: comma-separated subscription ids (default: all visible)."),
        click.option("--scope", help="gcp: organizations/ID, folders/ID or projects/ID."),
        click.option("--anonymous", is_flag=True, help="gcp: no credentials (emulators and test servers)."),
        click.option("--with-creators", is_flag=True,
                     help="Look up who created each resource (CloudTrail, Activity Log): slower."),
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
        collector = get_collector(source)
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


@cli.command()
@click.argument("source", type=click.Choice(["aws", "azure", "gcp", "inventory"]))
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@common_output_options
@cloud_options
@click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")
@click.option("--state", "states", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Terraform state (file or `terraform show -json` output), repeatable: report resources no "
              "IaC declares (shadow IT) and tag drift.")
@click.option("--skip-bad-lines", is_flag=True, help="inventory: skip lines that do not parse instead of exit 2.")
@click.option("--workers", type=click.IntRange(1, 64), help="inventory: evaluating processes (default: cores).")
def scan(source: str, file: Path | None, policy_path: Path | None, fmt: str | None, output: Path | None,
         fail_on: str, unknown_mode: str, show_all: bool, quiet: bool, no_progress: bool, as_of: Any,
         db_url: str | None, states: tuple[Path, ...], skip_bad_lines: bool, workers: int | None,
         **cloud_flags: Any) -> None:
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
    store = open_store_or_exit(db_url)
    runner = ScanRunner(policy_loaded, as_of=as_of.date() if as_of else date.today(),
                        unknown_mode=UnknownMode(unknown_mode), expand_type=registry.equivalent_types,
                        store=store, keep_passes=show_all, managed=inventory)
    stats = CollectStats()
    progress = Progress(enabled=not (quiet or no_progress), label=f"scan {source}")
    parameters = {"source": source, "file": str(file) if file else None, "states": [str(s) for s in states],
                  **{k: v for k, v in cloud_flags.items() if v}}
    with progress:
        if source == "inventory":
            assert file is not None
            batches = _inventory_batches(runner, file, registry, workers, progress)
        else:
            options = collector_options(**cloud_flags)
            resources = live_resources(source, file, options, stats, progress.update)
            batches = runner.evaluate_stream(resources)
        outcome = runner.run(source, batches, parameters, stats=lambda: _stats_dict(stats))
    bad_lines = [p for p in outcome.problems if p.rule == "parse-error"]
    for problem in bad_lines[:20]:
        log(f"{problem.file}:{problem.line}: {problem.message}", quiet=False)
    if bad_lines and not skip_bad_lines:
        if outcome.scan_id is not None:
            store.discard_scan(outcome.scan_id, f"{len(bad_lines)} inventory lines did not parse")
        fail(f"{len(bad_lines)} line(s) of {file} did not parse; nothing was stored (use --skip-bad-lines "
             "to judge the rest)")
    _log_stats(source, stats, outcome.scan_id, quiet)
    write_output(render(outcome.report, fmt, show_all=show_all, output=output), output)
    sys.exit(exit_code_for(outcome.report, fail_on))


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
        progress.advance(len(batch.resources))
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
        log(f"{source}: {stats.total_calls} API calls, {stats.throttles} throttles absorbed, "
            f"{len(stats.missing_permissions)} permissions missing", quiet=quiet)
        for permission in sorted(stats.missing_permissions):
            log(f"  missing permission: {permission}", quiet=quiet)
        for failure in stats.failures:
            log(f"  not scanned: {failure}", quiet=False)
    log(f"stored as scan {scan_id}", quiet=quiet)


@cli.group("inventory")
def inventory_group() -> None:
    """Live inventories as files: take them where the credentials are, judge them elsewhere."""


@inventory_group.command("export")
@click.argument("source", type=click.Choice(["aws", "azure", "gcp"]))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The JSON Lines file to write.")
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


@cli.group()
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


if __name__ == "__main__":  # pragma: no cover
    main()
