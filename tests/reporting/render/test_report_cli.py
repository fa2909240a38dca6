"""`tagwarden report` end to end: a real process on a real store (SQLite) and billing database (DuckDB)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ESTATE = REPO / "examples" / "inventory" / "estate.jsonl"
PERIOD = datetime.now(UTC).strftime("%Y-%m")  # the scan below finishes now, so it counts for this month
POLICY = """
tagwarden: 1
name: report-test
keys:
  CostCenter:
    aliases: [cost_center, costcenter]
rules:
  - id: cost-center
    title: Every resource names a valid cost center
    severity: high
    require: CostCenter
    allowed: [cc-1000, cc-2000, cc-3000]
allocation:
  key: CostCenter
  cost: EffectiveCost
"""
# (resource id, account, tags, cost): two owners, one untagged resource, one invalid cost center
BILLING = [
    ("arn:aws:s3:::acme-prod-reports", "111122223333", {"CostCenter": "cc-1000"}, "1200.10"),
    ("arn:aws:ec2:eu-west-1:111122223333:instance/i-0aaa1111bbbb2222c", "111122223333", {"CostCenter": "cc-1000"},
     "800.00"),
    ("arn:aws:ec2:eu-west-1:111122223333:volume/vol-0never0tagged00001", "111122223333", {}, "45.50"),
    ("arn:aws:lambda:eu-west-1:111122223333:function:resize", "111122223333", {"CostCenter": "cc-9999"}, "4.40"),
    ("/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-web/providers/Microsoft.Storage/"
     "storageAccounts/acmewebassets", "0b1f6471-1bf0-4dda-aec3-111122223333", {"CostCenter": "cc-3000"}, "1000.00"),
]  # fmt: skip


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tagwarden.engine.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A store holding one inventory scan of the bundled estate, and a policy with allocation."""
    root = tmp_path_factory.mktemp("estate")
    policy = root / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    db = f"sqlite:///{(root / 'store.db').as_posix()}"
    scanned = run("scan", "inventory", str(ESTATE), "--db", db, "--policy", str(policy), "--quiet", cwd=root)
    assert scanned.returncode in (0, 1), scanned.stderr
    return {"root": str(root), "db": db, "policy": str(policy)}


@pytest.fixture(scope="module")
def billed(estate: dict[str, str]) -> dict[str, str]:
    """The estate with billing for this month in a DuckDB billing database (the import's table layout)."""
    billing = Path(estate["root"]) / "billing.duckdb"
    write_billing(billing)
    return estate | {"billing": str(billing)}


def write_billing(path: Path) -> None:
    from tagwarden.engine.cost.storage import open_billing

    start = datetime.strptime(PERIOD, "%Y-%m")
    conn = open_billing(path)
    try:
        for line, (resource, account, tags, cost) in enumerate(BILLING, start=1):
            conn.execute(
                'INSERT INTO billing_rows (import_id, source_line, period, "BillingPeriodStart", "ChargePeriodStart", '
                '"BillingCurrency", "BilledCost", "EffectiveCost", "ChargeCategory", "ProviderName", "SubAccountId", '
                '"ResourceId", "ServiceName", "Tags") VALUES (1, ?, ?, ?, ?, \'USD\', ?, ?, \'Usage\', \'AWS\', ?, ?, '
                "'Storage', MAP(?::VARCHAR[], ?::VARCHAR[]))",
                [*(line, PERIOD, start, start, Decimal(cost), Decimal(cost)), account, resource, *tag_lists(tags)],
            )
    finally:
        conn.close()


def tag_lists(tags: dict[str, str]) -> tuple[list[str], list[str]]:
    return list(tags), list(tags.values())


def report(estate: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    common = ["--db", estate["db"], "--policy", estate["policy"]]
    if "billing" in estate:
        common += ["--billing-db", estate["billing"]]
    return run("report", "--period", PERIOD, *common, *args, cwd=Path(estate["root"]))


def test_without_billing_the_report_covers_compliance(estate: dict[str, str], tmp_path: Path) -> None:
    done = report(estate, "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "no billing data at" in done.stderr and "the report covers compliance only" in done.stderr
    assert {path.name for path in (tmp_path / "out").iterdir()} == {
        "report.html", "report.csv", "allocation.csv", "report.json"}  # fmt: skip
    figures = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert figures["period"] == PERIOD and figures["compliance"]["resources"] == 10
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    compliance = figures["compliance"]
    assert "no billing data" in page and f"{compliance['compliant']} of 10 resources compliant" in page
    printed = report(estate, "--format", "json", "-o", "-")
    assert printed.returncode == 0 and json.loads(printed.stdout)["compliance"] == figures["compliance"]


def test_writes_html_csv_and_json_into_a_folder(billed: dict[str, str], tmp_path: Path) -> None:
    done = report(billed, "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    files = {path.name for path in (tmp_path / "out").iterdir()}
    assert files == {"report.html", "report.csv", "allocation.csv", "report.json"}
    figures = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert figures["period"] == PERIOD and figures["compliance"]["resources"] == 10
    allocation = figures["allocation"]
    assert allocation["total"] == pytest.approx(3050.0) and allocation["unallocated"] == pytest.approx(49.9)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "$3,050.00" in page and "$49.90" in page and f"{figures['compliance']['score']:.1f}\u2009%" in page
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "report.csv").read_text(encoding="utf-8"))))
    listed = [item for account in figures["drilldown"] for owner in account["owners"] for item in owner["items"]]
    assert len(rows) == len(listed) > 0
    owners = {row["owner"]: row["total"] for row in csv.DictReader(io.StringIO(
        (tmp_path / "out" / "allocation.csv").read_text(encoding="utf-8")))}  # fmt: skip
    assert owners["cc-1000"] == "2000.10" and owners["cc-3000"] == "1000.00" and owners["(unallocated)"] == "49.90"


def test_one_format_goes_to_stdout_or_to_a_named_file(billed: dict[str, str], tmp_path: Path) -> None:
    printed = report(billed, "--format", "json", "-o", "-", "--scope", "owner=cc-3000")
    assert printed.returncode == 0, printed.stderr
    scoped = json.loads(printed.stdout)
    assert scoped["scope"] == {"owner": "cc-3000"}
    assert [owner["value"] for owner in scoped["allocation"]["owners"]] == ["cc-3000"]
    written = report(billed, "--format", "html", "-o", str(tmp_path / "team.html"), "--quiet")
    assert written.returncode == 0 and written.stderr == ""
    assert (tmp_path / "team.html").read_text(encoding="utf-8").startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13", "-o", "out"], "not a month as YYYY-MM"),
        (["--period", "2026/10", "-o", "out"], "not a month as YYYY-MM"),
        (["--period", "2026-10", "-o", "out", "--format", "html,pdf"], "unknown report format 'pdf'"),
        (["--period", "2026-10", "-o", "out", "--scope", "team=x"], "is not owner=VALUE"),
        (["--period", "2026-10", "-o", "-"], "-o - writes one format to stdout"),
    ],
)
def test_bad_flags_exit_2_with_a_clear_message(args: list[str], message: str, tmp_path: Path) -> None:
    done = run("report", *args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


def test_a_store_that_cannot_be_opened_exits_2(estate: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    done = run("report", "--period", PERIOD, "-o", "out", "--policy", estate["policy"],
               "--db", f"sqlite:///{blocker.as_posix()}/store.db", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and "tagwarden: error:" in done.stderr and "Traceback" not in done.stderr


def test_no_data_for_the_period_exits_2(estate: dict[str, str], tmp_path: Path) -> None:
    empty = f"sqlite:///{(tmp_path / 'empty.db').as_posix()}"
    done = run("report", "--period", PERIOD, "-o", "out", "--policy", estate["policy"], "--db", empty, cwd=tmp_path)
    assert done.returncode == 2 and f"no scan results and no billing data for {PERIOD}" in done.stderr
    missing = report(estate, "-o", str(tmp_path / "out"), "--billing-db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert not (tmp_path / "out").exists()
