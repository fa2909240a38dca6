"""`tagwarden cost ...`: billing data. One click group; each subcommand is a small function below.

To add a subcommand, define it with ``@cost_group.command(...)`` in this module (or in a module of its
own that imports ``cost_group``, imported at the bottom of this one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tagwarden.engine.cli.common import fail, write_output

if TYPE_CHECKING:
    import duckdb
    from sqlalchemy import Engine

    from tagwarden.engine.cost.importer import ImportSummary

FORMAT_CHOICES = ("auto", "focus", "cur2", "cur", "azure", "gcp")
REJECTED_LINES_SHOWN = 10


def store_url_option(function: Any) -> Any:
    return click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")(
        function
    )


def billing_db_option(function: Any) -> Any:
    return click.option(
        "--billing-db",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Billing database (DuckDB) file (default: beside a SQLite store, else TAGWARDEN_BILLING_DB, "
        "else the user data folder).",
    )(function)


@click.group("cost")
def cost_group() -> None:
    """Billing data: import cost exports (FOCUS, AWS CUR, Azure, GCP) for allocation and reports."""


@cost_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(FORMAT_CHOICES),
    default="auto",
    show_default=True,
    help="The file's format; auto detects it from the header.",
)
@store_url_option
@billing_db_option
@click.option("--replace", is_flag=True, help="Import a file whose content was imported before, in place of it.")
def import_command(file: Path, format_name: str, db_url: str | None, billing_db: Path | None, replace: bool) -> None:
    """Import one billing file into the billing database and record the import in the store."""
    import duckdb

    from tagwarden.engine.cost.formats.interface import BillingFormatError
    from tagwarden.engine.cost.import_log import CostImportLog
    from tagwarden.engine.cost.importer import ImportRefused, import_billing
    from tagwarden.engine.store import StoreError

    url = store_url(db_url)
    with store_engine(url) as engine, billing_connection(url, billing_db) as (conn, path):
        try:
            closed, note = closed_periods_of(engine)
            if note:
                click.echo(f"tagwarden: {note}", err=True)
            summary = import_billing(
                file,
                conn,
                CostImportLog(engine),
                billing_db=str(path),
                format_name=format_name,
                closed=closed,
                replace=replace,
            )
        except (BillingFormatError, ImportRefused) as error:
            fail(str(error))
        except StoreError as error:
            fail(str(error))
        except duckdb.Error as error:  # the file defeated the reader in a way no format check foresaw
            fail(f"{file}: cannot import it: {str(error).strip().splitlines()[0]} (nothing was imported)")
    click.echo("\n".join(summary_lines(summary, path)))


@cost_group.command("imports")
@store_url_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def imports_command(db_url: str | None, fmt: str) -> None:
    """List the billing imports the store has recorded, oldest first."""
    from tagwarden.engine.cost.import_log import CostImportLog

    with store_engine(store_url(db_url)) as engine:
        records = CostImportLog(engine).imports()
    if fmt == "json":
        write_output(json.dumps([_record_json(record) for record in records], indent=2), None)
        return
    if not records:
        click.echo("no billing imports yet")
    for record in records:
        replaced = f"  (replaced by {record.replaced_by})" if record.replaced_by else ""
        totals = ", ".join(f"{currency} {amounts['effective']}" for currency, amounts in record.totals.items())
        click.echo(
            f"{record.import_id:>5}  {record.imported_at:%Y-%m-%d %H:%M}  {record.format:<6} {record.rows:>12,} rows"
            f"  {record.rejected:,} rejected  periods {', '.join(record.periods) or '-'}  {totals}  {record.file}"
            f"{replaced}"
        )


def summary_lines(summary: ImportSummary, billing_path: Path) -> list[str]:
    how = "detected" if summary.detected else "given"
    lines = [
        f"imported {summary.file} as import {summary.import_id} ({summary.format_title}, {how})",
        f"  rows:       {summary.rows:,}",
        f"  rejected:   {summary.rejected:,}",
    ]
    for rejection in summary.rejections[:REJECTED_LINES_SHOWN]:
        lines.append(f"    {summary.file}:{rejection.line}: {rejection.reason}")
    if summary.rejected > REJECTED_LINES_SHOWN:
        lines.append(f"    ... and {summary.rejected - REJECTED_LINES_SHOWN:,} more")
    lines.append(f"  periods:    {', '.join(summary.periods) or '-'}")
    lines.append(f"  currencies: {', '.join(summary.currencies) or '-'}")
    for total in summary.totals:
        lines.append(
            f"  total {total.currency}: EffectiveCost {total.effective:,f}, BilledCost {total.billed:,f}"
            f" ({total.rows:,} row{'s' * (total.rows != 1)})"
        )
    for adjustment in summary.adjustments:
        lines.append(
            f"  period {adjustment.of_period} is closed: its {adjustment.rows:,} rows are recorded as adjustments"
            f" in {adjustment.period}"
        )
    if summary.replaced:
        lines.append(f"  replaces import {', '.join(str(number) for number in summary.replaced)}")
    lines.append(f"  billing database: {billing_path}")
    return lines


def store_url(db_url: str | None) -> str:
    from tagwarden.engine.store import default_url

    return db_url or default_url(os.environ, Path.cwd())


@contextmanager
def store_engine(url: str) -> Iterator[Engine]:
    """The store, opened (and so migrated) once, as an engine for the cost tables."""
    from tagwarden.engine.store import Store, StoreError
    from tagwarden.engine.store.connection import create_store_engine

    try:
        Store.open(url).close()
        engine = create_store_engine(url)
    except StoreError as error:
        fail(str(error))
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def billing_connection(url: str, given: Path | None) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    import duckdb

    from tagwarden.engine.cost.storage import billing_path, open_billing

    path = given or billing_path(url)
    try:
        conn = open_billing(path)
    except (duckdb.Error, OSError) as error:
        fail(f"cannot open the billing database {path}: {error}")
    try:
        yield conn, path
    finally:
        conn.close()


def closed_periods_of(engine: Engine) -> tuple[set[str], str | None]:
    """The periods closed in the store (rows for them become adjustments of the next open period)."""
    from tagwarden.engine.audit.periods import closed_periods

    return set(closed_periods(engine)), None


def _record_json(record: Any) -> dict[str, Any]:
    from tagwarden.engine.cost.import_log import import_row

    return {**import_row(record), "imported_at": record.imported_at.isoformat()}
