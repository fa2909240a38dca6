"""`tagwarden report`: the governance report of one period, as HTML, CSV and JSON files.

The figures come from ``tagwarden.engine.reporting.build.build_report`` (store + billing + policy);
this module only checks the flags, opens what the build reads, and writes what the renderers return.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tagwarden.engine.cli.common import (
    fail,
    load_policy_or_exit,
    log,
    open_billing_or_none,
    resolve_policy_path,
    write_output,
)
from tagwarden.engine.cli.scan import open_store_or_exit

if TYPE_CHECKING:
    from tagwarden.engine.reporting.render.interface import ReportRenderer

PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
DEFAULT_FORMATS = "html,csv,json"
STDOUT = "-"


@click.command()
@click.option("--period", required=True, help="The month to report on, YYYY-MM.")
@click.option(
    "-o",
    "--output",
    required=True,
    help="Folder for report.html, report.csv, allocation.csv, report.json; a FILE with one format; - for stdout.",
)
@click.option("--format", "formats", default=DEFAULT_FORMATS, show_default=True, help="Comma-separated: html,csv,json.")
@click.option("--scope", help="owner=VALUE: only this owner's resources and spend, for distribution to that owner.")
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path),
    help="Policy file or folder (default: .tagwarden/policy.yaml, then policies/).",
)
@click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")
@click.option(
    "--billing-db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Billing database (default: beside a SQLite store, else TAGWARDEN_BILLING_DB).",
)
@click.option("--quiet", is_flag=True, help="No notes on stderr.")
def report(
    period: str,
    output: str,
    formats: str,
    scope: str | None,
    policy_path: Path | None,
    db_url: str | None,
    billing_db: Path | None,
    quiet: bool,
) -> None:
    """Write the governance report of one period: figures, charts, drill-down, allocation."""
    check_period(period)
    renderers = renderers_named(formats)
    scope_owner = owner_of(scope)
    targets = destinations(output, renderers)
    policy = load_policy_or_exit(resolve_policy_path(policy_path))
    figures = build(period, policy, db_url, billing_db, scope_owner, quiet=quiet)
    for renderer in renderers:
        for name, text in render_or_exit(renderer, figures).items():
            target = targets.get(name)
            if output == STDOUT and target is None and name == renderer.files[0]:
                write_output(text, None)
            elif target is not None:
                write_output(text, target)
                log(f"wrote {target}", quiet=quiet)
            else:
                log(f"{name} is written only into a folder (-o DIR)", quiet=quiet)


def check_period(period: str) -> None:
    if not PERIOD.fullmatch(period):
        fail(f"--period {period!r} is not a month as YYYY-MM (for example 2026-10)")


def renderers_named(formats: str) -> list[ReportRenderer]:
    from tagwarden.engine.reporting.render.interface import RenderError
    from tagwarden.engine.reporting.render.registry import get_renderer

    names = [name.strip().lower() for name in formats.split(",") if name.strip()]
    if not names:
        fail("--format names no format (choose from html, csv, json)")
    try:
        return [get_renderer(name) for name in dict.fromkeys(names)]
    except RenderError as error:
        fail(str(error))


def owner_of(scope: str | None) -> str | None:
    if scope is None:
        return None
    key, equals, value = scope.partition("=")
    if key.strip() != "owner" or not equals or not value.strip():
        fail(f"--scope {scope!r} is not owner=VALUE (for example --scope owner=cc-1000)")
    return value.strip()


def destinations(output: str, renderers: Sequence[ReportRenderer]) -> dict[str, Path]:
    """File name -> where it goes. ``-``: nowhere (stdout); a FILE with a matching suffix: there; else DIR/name."""
    if output == STDOUT:
        if len(renderers) != 1:
            fail("-o - writes one format to stdout; name it with --format (html, csv or json)")
        return {}
    path = Path(output)
    if len(renderers) == 1 and not path.is_dir() and path.suffix.lower() == Path(renderers[0].files[0]).suffix:
        main, *others = renderers[0].files
        return {main: path} | {name: path.with_name(f"{path.stem}-{name}") for name in others}
    if path.exists() and not path.is_dir():
        fail(f"-o {output}: a file is there; give a folder for {', '.join(n for r in renderers for n in r.files)}")
    return {name: path / name for renderer in renderers for name in renderer.files}


def build(
    period: str, policy: Any, db_url: str | None, billing_db: Path | None, scope_owner: str | None, *, quiet: bool
) -> Mapping[str, Any]:
    from tagwarden.engine.audit.periods import PeriodError
    from tagwarden.engine.cost.owners import AllocationError
    from tagwarden.engine.reporting.build import build_report
    from tagwarden.engine.store import StoreError, default_url

    url = db_url or default_url(os.environ, Path.cwd())
    store = open_store_or_exit(url)
    billing = open_billing_or_none(url, billing_db, quiet=quiet, without="the report covers compliance only")
    try:
        with store:
            figures: Mapping[str, Any] = build_report(store, billing, policy, period, scope_owner=scope_owner)
    except (StoreError, AllocationError, PeriodError) as error:
        fail(str(error))
    finally:
        if billing is not None:
            billing.close()
    if not has_data(figures):
        where = f" for owner {scope_owner}" if scope_owner else ""
        fail(f"no scan results and no billing data for {period}{where} (run a scan or `tagwarden cost import` first)")
    return figures


def has_data(figures: Mapping[str, Any]) -> bool:
    if figures.get("closed"):
        return True
    compliance = figures.get("compliance") or {}
    allocation = figures.get("allocation") or {}
    spend = [allocation, *(allocation.get("other_currencies") or ())]
    has_spend = any(block.get("total") for block in spend)
    return bool(compliance.get("resources")) or has_spend or bool(figures.get("drilldown"))


def render_or_exit(renderer: ReportRenderer, figures: Mapping[str, Any]) -> dict[str, str]:
    from tagwarden.engine.reporting.render.interface import RenderError

    try:
        return renderer.render(figures)
    except RenderError as error:
        fail(str(error))
