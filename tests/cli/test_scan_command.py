"""`tagwarden scan inventory`, `history` and `changes` end to end, with the SQLite store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ESTATE = REPO / "examples" / "inventory" / "estate.jsonl"
STATE = REPO / "examples" / "inventory" / "terraform.tfstate"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tagwarden.engine.cli", *args], cwd=cwd, capture_output=True,
                          text=True, check=False)


def scan_json(tmp_path: Path, *args: str) -> tuple[int, dict]:
    done = run("scan", "inventory", *args, "--policy", str(REPO / "policies"), "--format", "json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_scan_of_the_bundled_estate_finds_every_planted_problem(tmp_path) -> None:
    code, document = scan_json(tmp_path, str(ESTATE), "--state", str(STATE))
    assert code == 1
    found = {(r["resource"]["address"].rsplit("/", 1)[-1].rsplit(":", 1)[-1], r["rule"], r["status"], r["reason"])
             for r in document["results"]}
    assert ("vol-0never0tagged00001", "cost-center", "fail", "missing") in found
    assert ("vol-0never0tagged00001", "unmanaged", "fail", "unmanaged") in found
    assert ("console-made-queue", "cost-center", "fail", "key_case") in found
    assert ("resize", "cost-center", "fail", "not_allowed") in found
    assert ("resize", "environment", "fail", "value_case") in found
    assert ("i-0aaa1111bbbb2222c", "drift", "fail", "drift") in found
    assert ("legacy-logs", "owner", "exempt", "missing") in found
    assert ("etl-worker", "provider-limits", "fail", "invalid_for_provider") in found
    assert not any(name == "allow-ssh" and rule != "unmanaged" for name, rule, _s, _r in found)  # untaggable
    assert (tmp_path / ".tagwarden" / "tagwarden.db").exists()
    assert document["summary"]["evaluated"] == 10


def test_history_and_changes_between_scans(tmp_path) -> None:
    first = tmp_path / "first.jsonl"
    lines = ESTATE.read_text().splitlines()
    first.write_text("\n".join(lines[:-3]) + "\n")
    scan_json(tmp_path, str(first))
    scan_json(tmp_path, str(ESTATE))
    done = run("history", "--format", "json", cwd=tmp_path)
    scans = json.loads(done.stdout)
    assert [scan["status"] for scan in scans] == ["complete", "complete"]
    done = run("changes", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    changed = json.loads(done.stdout)
    assert len(changed["appeared"]) == 3
    assert any(r["rule"] == "owner" for r in changed["newly_failing"])


def test_bad_inventory_lines_exit_2_unless_skipped(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(ESTATE.read_text() + "{broken\n")
    done = run("scan", "inventory", str(bad), "--policy", str(REPO / "policies"), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{bad}:12: not valid JSON" in done.stderr
    assert done.stdout == ""
    history = json.loads(run("history", "--format", "json", cwd=tmp_path).stdout)
    assert all(scan["status"] != "complete" for scan in history)
    code, document = scan_json(tmp_path, str(bad), "--skip-bad-lines")
    assert code == 1 and document["summary"]["evaluated"] == 10


def test_unreachable_store_exits_2_with_masked_password(tmp_path) -> None:
    done = run("scan", "inventory", str(ESTATE), "--policy", str(REPO / "policies"),
               "--db", "postgresql+psycopg://user:s3cret@127.0.0.1:1/none", cwd=tmp_path)
    assert done.returncode == 2
    assert "s3cret" not in done.stderr and "127.0.0.1:1" in done.stderr


def test_shadow_it_view_lists_untagged_and_unmanaged(tmp_path) -> None:
    scan_json(tmp_path, str(ESTATE), "--state", str(STATE))
    done = run("shadow-it", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {row["id"].rsplit("/", 1)[-1].rsplit(":", 1)[-1]: row for row in json.loads(done.stdout)["resources"]}
    assert rows["vol-0never0tagged00001"]["untagged"] and rows["vol-0never0tagged00001"]["unmanaged"]
    assert rows["vol-0never0tagged00001"]["created_by"].endswith("user/bob")
    assert rows["console-made-queue"] == {**rows["console-made-queue"], "untagged": False, "unmanaged": True}
    assert "acme-prod-reports" not in rows  # tagged and declared in the state
    assert rows["allow-ssh"]["unmanaged"] and not rows["allow-ssh"]["untagged"]  # a firewall cannot carry labels
