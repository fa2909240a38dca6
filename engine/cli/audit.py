"""`tagwarden audit verify` and `tagwarden audit log`: prove the audit trail intact, read it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from tagwarden.engine.cli.common import EXIT_FAILED, EXIT_OK, fail, write_output
from tagwarden.engine.cli.scan import open_store_or_exit

DB_HELP = "Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here)."


@click.group("audit")
def audit_group() -> None:
    """The audit trail: closes, reopens, policy changes and remediations, hash-chained."""


@audit_group.command("verify")
@click.option("--db", "db_url", help=DB_HELP)
@click.option(
    "--anchor",
    help="SEQ:HASH kept outside the store (a head printed by an earlier verify): that record must be unchanged.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify_command(db_url: str | None, anchor: str | None, fmt: str) -> None:
    """Exit 0 when the chain and every closed period are intact; 1 naming the first break."""
    from tagwarden.engine.audit.trail import verify
    from tagwarden.engine.store import StoreError

    kept = _anchor(anchor) if anchor else None
    store = _existing_store_or_exit(db_url)
    with store:
        try:
            result = verify(store, kept)
        except StoreError as error:
            fail(str(error))
    if fmt == "json":
        write_output(json.dumps(_verify_json(result), indent=2), None)
    elif result.ok:
        click.echo(result.message)
    else:
        click.echo(result.message, err=True)
    sys.exit(EXIT_OK if result.ok else EXIT_FAILED)


def _existing_store_or_exit(db_url: str | None) -> Any:
    """Opening a SQLite store creates it; here that would prove an empty trail "intact" after a typo in --db."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from tagwarden.engine.store import default_url

    url_text = db_url or default_url(os.environ, Path.cwd())
    try:
        url = make_url(url_text)
    except (ArgumentError, ValueError):
        url = None  # the store reports a bad URL itself
    if url is not None and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = str(url.database)
        if not database.startswith("file:") and not Path(database).is_file():
            fail(f"no store at {Path(database).absolute()}: nothing to read (check --db or TAGWARDEN_DB)")
    return open_store_or_exit(url_text)


def _anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or not digest.startswith("sha256:"):
        fail(f"--anchor {text!r}: expected SEQ:sha256:HEX, as `audit verify` prints the head")
    return int(seq), digest


def _verify_json(result: Any) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "records": result.records,
        "head": {"seq": result.head_seq, "hash": result.head_hash},
        "broken": None
        if result.ok
        else {"record": result.broken_seq, "period": result.period, "reason": result.reason},
        "message": result.message,
    }


@audit_group.command("log")
@click.option("--db", "db_url", help=DB_HELP)
@click.option("--kind", help="Only records of this kind (period.close) or family (period).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def log_command(db_url: str | None, kind: str | None, fmt: str) -> None:
    """The audit records, oldest first."""
    from tagwarden.engine.audit.trail import events
    from tagwarden.engine.store import StoreError

    store = _existing_store_or_exit(db_url)
    with store:
        try:
            records = events(store, kind)
        except StoreError as error:
            fail(str(error))
    if fmt == "json":
        items = [
            {
                "seq": r.seq,
                "kind": r.kind,
                "actor": r.actor,
                "at": r.at,
                "payload": r.payload,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in records
        ]
        write_output(json.dumps(items, indent=2, ensure_ascii=False), None)
        return
    if not records:
        click.echo("no audit records" + (f" of kind {kind}" if kind else ""))
    for record in records:
        click.echo(f"{record.seq:>6}  {record.at}  {record.kind:<18} {record.actor:<16} {_summary(record.payload)}")


def _summary(payload: Any) -> str:
    """One line: the payload's short scalar fields."""
    parts = [
        f"{key}={value}"
        for key, value in payload.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool) and len(str(value)) <= 80
    ]
    return " ".join(parts)


def record_policy_or_exit(store: Any, policy: Any) -> None:
    """Record a policy change (if the digest is new) in the audit trail; a store error stops the run."""
    from tagwarden.engine.audit.actor import current_actor
    from tagwarden.engine.audit.policy_changes import record_policy
    from tagwarden.engine.store import StoreError

    try:
        record_policy(store, policy, current_actor())
    except StoreError as error:
        fail(str(error))
