"""`tagwarden shadow-it --period`: the untagged and unmanaged view with each resource's spend."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from billing_table import create_billing, insert_rows

REPO = Path(__file__).resolve().parents[3]
ESTATE = REPO / "examples" / "inventory" / "estate.jsonl"
STATE = REPO / "examples" / "inventory" / "terraform.tfstate"
VOLUME = "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0never0tagged00001"
QUEUE = "arn:aws:sqs:us-east-1:111122223333:console-made-queue"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tagwarden.engine.cli", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def line(resource: str, cost: str, currency: str = "USD") -> dict[str, object]:
    return {
        "period": "2026-10",
        "BillingCurrency": currency,
        "EffectiveCost": cost,
        "ProviderName": "AWS",
        "SubAccountId": "111122223333",
        "ResourceId": resource,
    }


def test_shadow_it_with_spend(tmp_path: Path) -> None:
    scanned = run("scan", "inventory", str(ESTATE), "--state", str(STATE), "--policy", str(REPO / "policies"),
                  "--format", "json", cwd=tmp_path)  # fmt: skip
    assert scanned.returncode in (0, 1), scanned.stderr
    conn = create_billing(tmp_path / ".tagwarden" / "tagwarden.billing.duckdb")  # beside the SQLite store
    insert_rows(
        conn,
        [
            line(VOLUME, "12.345"),
            line(VOLUME, "0.005"),
            line("console-made-queue", "1.50"),  # bare name, as legacy CUR bills SQS
            line(QUEUE, "99.00", currency="EUR"),  # the period's lesser currency: not mixed in
            line(QUEUE, "0.25"),
        ],
    )
    conn.close()

    done = run("shadow-it", "--format", "json", "--period", "2026-10", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    rows = {row["id"]: row for row in document["resources"]}
    assert rows[VOLUME]["cost"] == 12.35 and rows[QUEUE]["cost"] == 1.75
    assert document["spend"] == {
        "period": "2026-10",
        "currency": "USD",
        "cost_column": "EffectiveCost",
        "untagged": 12.35,
        "unmanaged": sum(row["cost"] for row in document["resources"] if row["unmanaged"]),
    }

    text = run("shadow-it", "--period", "2026-10", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "12.35" in text.stdout and "spend in 2026-10 (USD, EffectiveCost): untagged 12.35" in text.stdout

    plain = run("shadow-it", "--format", "json", cwd=tmp_path)  # without --period: as before, no spend
    assert "spend" not in json.loads(plain.stdout) and "cost" not in json.loads(plain.stdout)["resources"][0]

    missing = run("shadow-it", "--period", "2026-10", "--billing-db", str(tmp_path / "none.duckdb"), cwd=tmp_path)
    assert missing.returncode == 2 and "none.duckdb" in missing.stderr
