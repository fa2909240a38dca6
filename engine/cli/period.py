"""`tagwarden period close|reopen|list`: month-end close of compliance and cost figures."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

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

DB_HELP = "Store URL (default: TAGWARDEN_DB, else .tagwarden/tagwarden.db here)."


@click.group("period")
def period_group() -> None:
    """Close a month (freeze its figures and scans, record it in the audit trail), reopen it, list them."""


@period_group.command("close")
@click.argument("period")
@click.option("--policy", "policy_path", type=click.Path(path_type=Path), help="Policy file or folder.")
@click.option("--db", "db_url", help=DB_HELP)
@click.option(
    "--billing-db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Billing DuckDB file (default: beside a SQLite store, else TAGWARDEN_BILLING_DB).",
)
@click.option("--by", "actor", help="Who closes (default: TAGWARDEN_ACTOR, else the OS user).")
@click.option("--quiet", is_flag=True)
def close_command(
    period: str, policy_path: Path | None, db_url: str | None, billing_db: Path | None, actor: str | None, quiet: bool
) -> None:
    """Freeze PERIOD (YYYY-MM): figures, accruals, the latest scans and the policy digest."""
    from tagwarden.engine.audit.actor import current_actor
    from tagwarden.engine.audit.periods import PeriodError, close_period, period_bounds
    from tagwarden.engine.store import StoreError, default_url

    try:
        period_bounds(period)
    except PeriodError as error:
        fail(str(error))
    policy = load_policy_or_exit(resolve_policy_path(policy_path))
    url = db_url or default_url(os.environ, Path.cwd())
    store = open_store_or_exit(url)
    with store:
        billing = open_billing_or_none(url, billing_db, quiet=quiet, without="closing without cost figures or accruals")
        try:
            figures = _figures(store, billing, policy, period)
            closed = close_period(store, period, actor or current_actor(), figures, billing_conn=billing, policy=policy)
            report = _frozen(store, period)
        except (PeriodError, StoreError) as error:
            fail(str(error))
        finally:
            if billing is not None:
                billing.close()
    if not closed.scans:
        log(f"warning: no complete scan in the store: the close of {period} freezes no scan", quiet=False)
    accruals = report.get("accruals")
    click.echo(f"closed {period}: record {closed.record} {closed.hash} by {closed.closed_by}")
    click.echo(f"  policy {closed.policy_digest}; frozen scans: {_scan_list(closed.scans)}")
    if accruals:
        click.echo(
            f"  accrued {accruals['amount']} {accruals['currency']} for {accruals['days']} day(s) not yet invoiced "
            f"({accruals['basis']})"
        )


def _frozen(store: Any, period: str) -> dict[str, Any]:
    from tagwarden.engine.audit.periods import frozen_report

    return frozen_report(store, period) or {}


def _scan_list(scans: Any) -> str:
    return ", ".join(f"{s['id']} ({s['source']})" for s in scans) or "none"


def _figures(store: Any, billing: Any, policy: Any, period: str) -> dict[str, Any]:
    from tagwarden.engine.reporting.build import build_report

    figures: dict[str, Any] = build_report(store, billing, policy, period)
    return figures


@period_group.command("reopen")
@click.argument("period")
@click.option("--reason", help="Why the period is reopened (required; recorded in the audit trail).")
@click.option("--by", "actor", help="Who reopens (default: TAGWARDEN_ACTOR, else the OS user).")
@click.option("--db", "db_url", help=DB_HELP)
def reopen_command(period: str, reason: str | None, actor: str | None, db_url: str | None) -> None:
    """Reopen a closed PERIOD so that it can be closed again; the reason is recorded."""
    from tagwarden.engine.audit.actor import current_actor
    from tagwarden.engine.audit.periods import PeriodError, reopen_period
    from tagwarden.engine.store import StoreError

    store = open_store_or_exit(db_url)
    with store:
        try:
            seq = reopen_period(store, period, actor or current_actor(), reason or "")
        except (PeriodError, StoreError) as error:
            fail(str(error))
    click.echo(f"reopened {period}: record {seq}")


@period_group.command("list")
@click.option("--db", "db_url", help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_command(db_url: str | None, fmt: str) -> None:
    """Every period ever closed, with its latest close (and reopen)."""
    from tagwarden.engine.audit.periods import period_states
    from tagwarden.engine.store import StoreError

    store = open_store_or_exit(db_url)
    with store:
        try:
            states = period_states(store)
        except StoreError as error:
            fail(str(error))
    if fmt == "json":
        write_output(json.dumps([_state_json(state) for state in states], indent=2), None)
        return
    if not states:
        click.echo("no period has been closed")
    for state in states:
        line = f"{state.period}  {state.state:<8}  closed {state.closed_at:%Y-%m-%d %H:%M} by {state.closed_by}"
        line += f" (record {state.record})"
        if state.reopen_record is not None:
            line += f"; reopened by {state.reopened_by} (record {state.reopen_record}): {state.reopen_reason}"
        click.echo(line)


def _state_json(state: Any) -> dict[str, Any]:
    return {
        "period": state.period,
        "state": state.state,
        "closed_at": state.closed_at.isoformat(),
        "closed_by": state.closed_by,
        "record": state.record,
        "hash": state.hash,
        "report_digest": state.report_digest,
        "policy_digest": state.policy_digest,
        "scans": list(state.scans),
        "reopened_at": state.reopened_at.isoformat() if state.reopened_at else None,
        "reopened_by": state.reopened_by,
        "reopen_reason": state.reopen_reason,
        "reopen_record": state.reopen_record,
    }
