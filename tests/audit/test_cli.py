"""`period close|reopen|list` and `audit verify|log` end to end through the click command, both stores."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from audit_samples import open_billing, previous_period
from click.testing import CliRunner, Result
from sqlalchemy import text

from tagwarden.engine.audit.periods import period_bounds
from tagwarden.engine.cli.app import cli
from tagwarden.engine.store.connection import create_store_engine

REPO = Path(__file__).resolve().parents[2]
ESTATE = REPO / "examples" / "inventory" / "estate.jsonl"
POLICIES = REPO / "policies"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TAGWARDEN_ACTOR", "ci-bot")
    monkeypatch.setenv("TAGWARDEN_BILLING_DB", str(tmp_path / "no-billing.duckdb"))
    monkeypatch.chdir(tmp_path)

    def _run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return _run


def test_close_verify_reopen_end_to_end(run, store_url: str, tmp_path: Path) -> None:
    scanned = run("scan", "inventory", str(ESTATE), "--policy", str(POLICIES), "--db", store_url, "--format", "json")
    assert scanned.exit_code == 1, scanned.output  # the estate has findings
    changes = json.loads(run("audit", "log", "--kind", "policy", "--format", "json", "--db", store_url).stdout)
    assert [(c["kind"], c["actor"]) for c in changes] == [("policy.change", "ci-bot")]

    period = previous_period()
    closed = run("period", "close", period, "--policy", str(POLICIES), "--db", store_url, "--by", "alice")
    assert closed.exit_code == 0, closed.output
    assert f"closed {period}: record 2" in closed.stdout
    again = run("period", "close", period, "--policy", str(POLICIES), "--db", store_url, "--by", "alice")
    assert again.exit_code == 2 and "already closed" in again.stderr

    (listed,) = json.loads(run("period", "list", "--format", "json", "--db", store_url).stdout)
    assert (listed["period"], listed["state"], listed["closed_by"], listed["record"]) == (period, "closed", "alice", 2)
    assert len(listed["scans"]) == 1 and listed["policy_digest"].startswith("sha256:")

    verified = run("audit", "verify", "--db", store_url)
    assert verified.exit_code == 0 and "audit trail intact: 2 records, head 2:sha256:" in verified.stdout
    anchor = verified.stdout.split("head ")[1].strip()
    assert run("audit", "verify", "--anchor", anchor, "--db", store_url).exit_code == 0
    wrong = run("audit", "verify", "--anchor", "2:sha256:" + "0" * 64, "--db", store_url)
    assert wrong.exit_code == 1 and "chain was rebuilt" in wrong.stderr
    assert run("audit", "verify", "--anchor", "two", "--db", store_url).exit_code == 2

    no_reason = run("period", "reopen", period, "--by", "bob", "--db", store_url)
    assert no_reason.exit_code == 2 and "needs a reason" in no_reason.stderr

    engine = create_store_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE result SET status = 'pass' WHERE status = 'fail'"))
    engine.dispose()
    broken = run("audit", "verify", "--db", store_url)
    assert broken.exit_code == 1
    assert f"audit trail broken at period {period} (record 2): frozen scan" in broken.stderr
    as_json = json.loads(run("audit", "verify", "--format", "json", "--db", store_url).stdout)
    assert as_json["ok"] is False and as_json["broken"]["period"] == period

    reopened = run("period", "reopen", period, "--reason", "results corrected", "--by", "bob", "--db", store_url)
    assert reopened.exit_code == 0 and "record 3" in reopened.stdout
    log = run("audit", "log", "--db", store_url)
    assert "period.reopen" in log.stdout and "reason=results corrected" in log.stdout


def test_close_with_a_billing_database_records_accruals(run, tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    period = previous_period()
    first, last = period_bounds(period)
    billing = open_billing(tmp_path / "billing.duckdb")
    for offset in range((last - first).days - 1):  # invoiced up to 2 days before the end, 5.00 a day
        billing.execute(
            "INSERT INTO billing (period, ChargePeriodStart, BillingCurrency, EffectiveCost) VALUES (?, ?, 'EUR', 5)",
            [period, datetime(first.year, first.month, 1 + offset)],
        )
    billing.close()
    closed = run(
        "period", "close", period, "--policy", str(POLICIES), "--db", store_url,
        "--billing-db", str(tmp_path / "billing.duckdb"), "--quiet",
    )  # fmt: skip
    assert closed.exit_code == 0, closed.output
    assert "accrued 10.0 EUR for 2 day(s) not yet invoiced" in closed.stdout
    (record,) = json.loads(run("audit", "log", "--kind", "period.close", "--format", "json", "--db", store_url).stdout)
    assert record["payload"]["accruals"]["amount"] == 10.0
    missing = run("period", "close", "2020-01", "--policy", str(POLICIES), "--db", store_url, "--billing-db", "nope.db")
    assert missing.exit_code == 2 and "no billing database at nope.db" in missing.stderr
