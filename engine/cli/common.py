"""What every command shares: errors and exit codes, policy loading, rendering, common flags."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

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
    write_streamed(lambda stream: stream.write(text), output)


def write_streamed(write: Callable[[IO[str]], object], output: Path | None) -> None:
    """Hand ``write`` the output to write into: stdout, a device or pipe as it is (/dev/null, a FIFO),
    or a file, which is written beside its place and renamed, so it is never left half-written."""
    if output is None:
        write(sys.stdout)
        return
    temporary: Path | None = None
    try:
        if output.exists() and not output.is_file():
            with output.open("w", encoding="utf-8") as stream:
                write(stream)
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(f".{output.name}.{os.getpid()}.partial")
        with temporary.open("w", encoding="utf-8") as stream:
            write(stream)
        temporary.replace(output)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        fail(f"cannot write {output}: {error}")


def open_billing_or_none(store_url: str, given: Path | None, *, quiet: bool, without: str) -> Any:
    """The billing database beside the store (or ``--billing-db``), read-only; None with a note saying
    what goes ``without`` it when nothing was ever imported. A ``--billing-db`` that is not there is exit 2."""
    import duckdb

    from tagwarden.engine.cost.storage import billing_path, open_billing

    path = given or billing_path(store_url)
    if not path.exists():
        if given is not None:
            fail(f"no billing database at {given}: no such file")
        log(f"no billing data at {path}: {without}", quiet=quiet)
        return None
    try:
        return open_billing(path, read_only=True)
    except duckdb.Error as error:
        fail(f"cannot open the billing database {path}: {error}")


def streamed_format(fmt: str | None) -> Any:
    """The format as a ``StreamedFormat`` when it can render results one by one, else ``None``."""
    from tagwarden.engine.outputs.registry import get_format

    if fmt is None or fmt == "text":
        return None
    chosen = get_format(fmt)
    return chosen if hasattr(chosen, "items") and hasattr(chosen, "frame") else None


def finish(code: int) -> NoReturn:
    """Exit once everything is written, without tearing down a large heap object by object."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


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
