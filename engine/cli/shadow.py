"""`tagwarden shadow-it`: the untagged and unmanaged resources of a stored scan, as their own view."""

from __future__ import annotations

import json
from typing import Any

import click

from tagwarden.engine.cli.common import fail, write_output
from tagwarden.engine.cli.scan import open_store_or_exit
from tagwarden.engine.resources import Taggability


@click.command("shadow-it")
@click.option("--scan", "scan_id", type=int, help="The scan to read (default: the latest complete one).")
@click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def shadow_it(scan_id: int | None, db_url: str | None, fmt: str) -> None:
    """Resources nobody tagged, and resources no IaC declares (scans run with --state)."""
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
    if fmt == "json":
        write_output(
            json.dumps(
                {"scan": scan.id, "state_given": bool(scan.parameters.get("states")), "resources": rows}, indent=2
            ),
            None,
        )
        return
    if not scan.parameters.get("states"):
        click.echo(f"scan {scan.id} had no --state: only untagged resources can be listed", err=True)
    for row in rows:
        what = ", ".join(label for label in ("untagged", "unmanaged") if row[label])
        created = f"  created by {row['created_by']}" if row["created_by"] else ""
        click.echo(f"{what:<20} {row['provider']:<6} {row['account'] or '-':<14} {row['id']}{created}")
    click.echo(f"{len(rows)} resources in scan {scan.id}")


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
