"""`tagwarden shadow-it`: the untagged and unmanaged resources of a stored scan, as their own view."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tagwarden.engine.cli.common import fail, write_output
from tagwarden.engine.cli.scan import open_store_or_exit
from tagwarden.engine.resources import Taggability


@click.command("shadow-it")
@click.option("--scan", "scan_id", type=int, help="The scan to read (default: the latest complete one).")
@click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--period", help="YYYY-MM: add each resource's spend in that billing period (needs imported billing).")
@click.option(
    "--billing-db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Billing database (default: beside a SQLite store, else TAGWARDEN_BILLING_DB).",
)
def shadow_it(scan_id: int | None, db_url: str | None, fmt: str, period: str | None, billing_db: Path | None) -> None:
    """Resources nobody tagged, and resources no IaC declares (scans run with --state)."""
    spend = _spend_reader(db_url, period, billing_db)
    store = open_store_or_exit(db_url)
    with store:
        scan = store.latest_complete_scan() if scan_id is None else _scan(store, scan_id)
        if scan is None:
            fail("no complete scan in the store yet (run `tagwarden scan` first)")
        unmanaged = {(r.address, r.instance) for r in store.results_of(scan.id, {"fail"}) if r.rule == "unmanaged"}
        rows = [
            _row(item, (item.resource.address, item.resource.instance) in unmanaged)
            for item in store.resources_of(scan.id)
        ]
    rows = [row for row in rows if row["untagged"] or row["unmanaged"]]
    totals = spend(rows) if spend is not None else None
    if fmt == "json":
        document: dict[str, Any] = {
            "scan": scan.id,
            "state_given": bool(scan.parameters.get("states")),
            "resources": rows,
        }
        if totals is not None:
            document["spend"] = totals
        write_output(json.dumps(document, indent=2), None)
        return
    if not scan.parameters.get("states"):
        click.echo(f"scan {scan.id} had no --state: only untagged resources can be listed", err=True)
    for row in rows:
        what = ", ".join(label for label in ("untagged", "unmanaged") if row[label])
        created = f"  created by {row['created_by']}" if row["created_by"] else ""
        cost = f"{row['cost']:>12.2f} " if totals is not None else ""
        click.echo(f"{what:<20} {cost}{row['provider']:<6} {row['account'] or '-':<14} {row['id']}{created}")
    click.echo(f"{len(rows)} resources in scan {scan.id}")
    if totals is not None:
        click.echo(
            f"spend in {totals['period']} ({totals['currency']}, {totals['cost_column']}): "
            f"untagged {totals['untagged']:.2f}, unmanaged {totals['unmanaged']:.2f}"
        )


def _scan(store: Any, scan_id: int) -> Any:
    found = next((scan for scan in store.scans(None, 10_000) if scan.id == scan_id), None)
    if found is None:
        fail(f"no scan {scan_id} in the store")
    return found


def _row(item: Any, unmanaged: bool) -> dict[str, Any]:
    resource = item.resource
    return {
        "id": resource.id or resource.address,
        "type": resource.type,
        "provider": resource.provider,
        "account": resource.account,
        "region": resource.region,
        "untagged": resource.taggability is Taggability.TAGGABLE
        and not resource.tags.known
        and not resource.tags.open_deps,  # a resource that cannot carry tags is never "untagged"
        "unmanaged": unmanaged,
        "created_by": resource.context.get("created_by"),
        "created_at": resource.context.get("created_at"),
    }


SpendReader = Callable[[list[dict[str, Any]]], dict[str, Any] | None]


def _spend_reader(db_url: str | None, period: str | None, billing_db: Path | None) -> SpendReader | None:
    """With --period and billing data for it: a function that adds "cost" to each row and returns the totals."""
    if period is None:
        if billing_db is not None:
            fail("--billing-db needs --period YYYY-MM")
        return None
    from tagwarden.engine.cost.storage import billing_path, open_billing
    from tagwarden.engine.reporting.trend import period_bounds
    from tagwarden.engine.store import default_url

    try:
        period_bounds(period)
    except ValueError as error:
        fail(str(error))
    path = billing_db or billing_path(db_url or default_url(os.environ, Path.cwd()))
    if not path.exists():
        if billing_db is not None:
            fail(f"--billing-db {billing_db}: no such file")
        click.echo(f"no billing data at {path}: spend is not shown", err=True)
        return None

    def read(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        try:
            conn = open_billing(path, read_only=True)
        except Exception as error:  # duckdb raises several unrelated error classes for an unreadable file
            fail(f"cannot open the billing database {path}: {error}")
        try:
            return _add_spend(conn, period, rows)
        finally:
            conn.close()

    return read


def _add_spend(conn: Any, period: str, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    from decimal import Decimal

    from tagwarden.engine.cost.allocation import DEFAULT_COST
    from tagwarden.engine.cost.join import ResourceIndex, billed_resources
    from tagwarden.engine.cost.money import as_number

    found = conn.execute(
        "SELECT coalesce(nullif(BillingCurrency, ''), 'XXX'), count(*) FROM billing WHERE period = ? "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        [period],
    ).fetchone()
    if found is None:
        click.echo(f"no billing rows for {period}: spend is not shown", err=True)
        return None
    currency = str(found[0])
    costs: dict[int, Decimal] = {}
    index = ResourceIndex((row["provider"], row["id"], row["account"], position) for position, row in enumerate(rows))
    for item in billed_resources(conn, period, currency, DEFAULT_COST, None):
        position = index.find(item.provider, item.resource_id, item.account)
        if position is not None:
            costs[position] = costs.get(position, Decimal(0)) + item.cost
    for position, row in enumerate(rows):
        row["cost"] = as_number(costs.get(position, Decimal(0)))
    return {
        "period": period,
        "currency": currency,
        "cost_column": DEFAULT_COST,
        "untagged": as_number(
            sum((costs.get(i, Decimal(0)) for i, row in enumerate(rows) if row["untagged"]), Decimal(0))
        ),
        "unmanaged": as_number(
            sum((costs.get(i, Decimal(0)) for i, row in enumerate(rows) if row["unmanaged"]), Decimal(0))
        ),
    }
