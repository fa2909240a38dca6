"""The `tagwarden` command: parse flags, call the pieces, map errors to exit codes.

Exit codes (shared/spec/cli-and-outputs.md): 0 nothing at or above --fail-on failed, 1 something did,
2 could not run. Each command lives in its own module and imports what it needs inside its body, so
that `tagwarden --version` and `tagwarden check` start fast and load no cloud SDK.
"""

from __future__ import annotations

import sys

import click

from tagwarden.engine import __version__
from tagwarden.engine.cli.audit import audit_group
from tagwarden.engine.cli.check import check
from tagwarden.engine.cli.common import EXIT_ERROR
from tagwarden.engine.cli.cost import cost_group
from tagwarden.engine.cli.fix import fix
from tagwarden.engine.cli.history import changes, history
from tagwarden.engine.cli.period import period_group
from tagwarden.engine.cli.policy import policy
from tagwarden.engine.cli.remediate import remediate
from tagwarden.engine.cli.report import report
from tagwarden.engine.cli.scan import inventory_group, scan
from tagwarden.engine.cli.shadow import shadow_it


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


COMMANDS = (
    check,
    scan,
    inventory_group,
    history,
    changes,
    shadow_it,
    policy,
    report,
    period_group,
    audit_group,
    fix,
    remediate,
    cost_group,
)
for command in COMMANDS:
    cli.add_command(command)
