"""The month-end flow on the bundled examples, as README's first command and a FinOps team run it:
scan, cost import, report, period close, audit verify, then a late bill and a tampered record."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
BILL = EXAMPLES / "billing" / "focus-2026-10.csv"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tagwarden.engine.cli", *args], cwd=cwd, capture_output=True,
                          text=True, check=False)


def ok(cwd: Path, *args: str) -> str:
    done = run(cwd, *args)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout + done.stderr


def bill_total(path: Path) -> Decimal:
    with path.open(newline="") as handle:
        return sum((Decimal(row["EffectiveCost"]) for row in csv.DictReader(handle)), Decimal(0))


def test_scan_import_report_close_verify_on_the_bundled_examples(tmp_path: Path) -> None:
    shutil.copytree(REPO / "policies", tmp_path / "policies")
    done = run(tmp_path, "scan", "inventory", str(EXAMPLES / "inventory" / "estate.jsonl"), "--policy", "policies",
               "--state", str(EXAMPLES / "inventory" / "terraform.tfstate"), "--format", "json", "-o", "scan.json")
    assert done.returncode == 1, done.stderr  # the example estate has findings
    ok(tmp_path, "cost", "import", str(BILL))
    ok(tmp_path, "report", "--period", "2026-10", "--policy", "policies", "-o", "report")
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    allocation = report["allocation"]
    assert Decimal(str(allocation["total"])) == bill_total(BILL).quantize(Decimal("0.01"))
    parts = Decimal(str(allocation["allocated"])) + Decimal(str(allocation["shared"]))
    assert parts + Decimal(str(allocation["unallocated"])) == Decimal(str(allocation["total"]))
    assert {owner["value"] for owner in allocation["owners"]} >= {"cc-1000", "cc-2000", "cc-3000"}
    assert report["shadow"]["untagged"]["resources"] == 2  # the never-tagged volume and the untagged VM
    assert report["compliance"]["cost_weighted_score"] is not None
    html = (tmp_path / "report" / "report.html").read_text()
    assert "cc-1000" in html and "<script src" not in html

    closing = ok(tmp_path, "period", "close", "2026-10", "--policy", "policies", "--by", "finops@example.org")
    assert "closed 2026-10" in closing
    assert "intact" in ok(tmp_path, "audit", "verify")

    late = tmp_path / "late.csv"
    lines = BILL.read_text().splitlines()
    late.write_text("\n".join([lines[0], lines[1]]) + "\n")
    assert "2026-10" in ok(tmp_path, "cost", "import", str(late))  # a closed period: filed as an adjustment
    printed = run(tmp_path, "report", "--period", "2026-10", "--format", "json", "-o", "-", "--policy", "policies")
    assert printed.returncode == 0, printed.stderr
    frozen = json.loads(printed.stdout)
    assert frozen["closed"] is True
    assert frozen["allocation"]["total"] == allocation["total"]  # the close froze the figures

    with sqlite3.connect(tmp_path / ".tagwarden" / "tagwarden.db") as db:
        db.execute("UPDATE result SET value = 'cc-1000' WHERE id = (SELECT min(id) FROM result)")
    broken = run(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert "2026-10" in broken.stdout + broken.stderr
