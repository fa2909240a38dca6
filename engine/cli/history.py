"""`tagwarden history` and `tagwarden changes`: what the store remembers of past scans."""

from __future__ import annotations

import json
from typing import Any

import click

from tagwarden.engine.cli.common import fail, write_output
from tagwarden.engine.cli.scan import open_store_or_exit


@click.command()
@click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")
@click.option("--source", help="Only scans of this source (aws, azure, gcp, inventory).")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(db_url: str | None, source: str | None, limit: int, fmt: str) -> None:
    """List past scans, newest first, with their scores."""
    store = open_store_or_exit(db_url)
    with store:
        scans = store.scans(source, limit)
    if fmt == "json":
        write_output(json.dumps([_scan_json(scan) for scan in scans], indent=2), None)
        return
    if not scans:
        click.echo("no scans in the store yet")
    for scan in scans:
        summary = scan.summary
        score = f"{summary.score:5.1f}%  {summary.failed} failed of {summary.evaluated}" if summary else "     -"
        click.echo(f"{scan.id:>6}  {scan.started_at:%Y-%m-%d %H:%M}  {scan.source:<9} {scan.status:<10} {score}")


def _scan_json(scan: Any) -> dict[str, Any]:
    summary = scan.summary
    return {
        "id": scan.id,
        "source": scan.source,
        "status": str(scan.status),
        "started_at": scan.started_at.isoformat(),
        "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
        "policy": {"name": scan.policy.name, "digest": scan.policy.digest},
        "summary": None
        if summary is None
        else {
            "resources": summary.resources,
            "evaluated": summary.evaluated,
            "compliant": summary.compliant,
            "failed": summary.failed,
            "unknown": summary.unknown,
            "exempt": summary.exempt,
            "unclassified": summary.unclassified,
            "score": summary.score,
        },
        "stats": scan.stats,
        "failure": scan.failure,
    }


@click.command()
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@click.option("--db", "db_url", help="Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here).")
@click.option("--source", help="Compare the last two complete scans of this source.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def changes(old: int | None, new: int | None, db_url: str | None, source: str | None, fmt: str) -> None:
    """What changed between two scans (default: the last two complete ones)."""
    store = open_store_or_exit(db_url)
    with store:
        old, new = _pair(store, old, new, source)
        found = store.changes(old, new)
    if fmt == "json":
        write_output(json.dumps(_changes_json(found), indent=2), None)
        return
    click.echo(f"scan {old} -> scan {new}")
    if found.is_empty:
        click.echo("  nothing changed")
    for label, items in (("appeared", found.appeared), ("disappeared", found.disappeared)):
        for item in items:
            click.echo(f"  {label:<14} {item.resource.address}")
    for label, results in (("newly failing", found.newly_failing), ("fixed", found.fixed)):
        for result in results:
            click.echo(f"  {label:<14} {result.address}  {result.rule}: {result.message}")
    for change in found.tag_changes:
        parts = [f"+{k}" for k in change.added] + [f"-{k}" for k in change.removed]
        parts += [f"{k}: {old_value!s} -> {new_value!s}" for k, (old_value, new_value) in change.changed.items()]
        click.echo(f"  {'tags':<14} {change.address}  {', '.join(parts)}")


def _pair(store: Any, old: int | None, new: int | None, source: str | None) -> tuple[int, int]:
    if old is not None and new is not None:
        return old, new
    complete = [scan for scan in store.scans(source, 1000) if str(scan.status) == "complete"]
    if new is None:
        if len(complete) < 2:
            fail("need two complete scans to compare (run `tagwarden scan` twice, or name the scans)")
        return complete[1].id, complete[0].id
    earlier = [scan for scan in complete if scan.id < new]
    if not earlier:
        fail(f"no complete scan before scan {new} to compare with")
    return earlier[0].id, new


def _changes_json(found: Any) -> dict[str, Any]:
    def result(item: Any) -> dict[str, Any]:
        return {
            "address": item.address,
            "instance": item.instance,
            "rule": item.rule,
            "status": str(item.status),
            "reason": item.reason,
            "key": item.key,
            "value": item.value,
            "message": item.message,
        }

    return {
        "old_scan": found.old_scan,
        "new_scan": found.new_scan,
        "appeared": [item.resource.address for item in found.appeared],
        "disappeared": [item.resource.address for item in found.disappeared],
        "newly_failing": [result(item) for item in found.newly_failing],
        "fixed": [result(item) for item in found.fixed],
        "tag_changes": [
            {
                "address": change.address,
                "added": _texts(change.added),
                "removed": _texts(change.removed),
                "changed": {key: [str(a), str(b)] for key, (a, b) in change.changed.items()},
            }
            for change in found.tag_changes
        ],
    }


def _texts(mapping: Any) -> dict[str, str]:
    return {key: str(value) for key, value in mapping.items()}
