"""Scans render json, csv and github output batch by batch into a spool: the same results as the
in-memory path, listed in the order the resources were read, with the same summary and exit code."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tagwarden.engine.collectors.inventory_file import read_inventory
from tagwarden.engine.outputs.registry import get_format
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.results import UnknownMode
from tagwarden.engine.scanning import BATCH_SIZE, ScanRunner
from tagwarden.engine.taggability.registry import default_registry

REPO = Path(__file__).resolve().parents[2]
ESTATE = REPO / "examples" / "inventory" / "estate.jsonl"
POLICY = """\
tagwarden: 1
name: streamed
rules:
  - {id: cost-center, severity: high, require: CostCenter, allowed: [cc-1, cc-2]}
  - {id: owner, severity: low, require: Owner}
"""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tagwarden.engine.cli", *args], cwd=tmp_path, capture_output=True,
                          text=True, check=False)


def write_inventory(path: Path, count: int, seed: int = 3) -> list[str]:
    """``count`` resources, some breaking rules, one with hostile values; returns their ids in file order."""
    rng = random.Random(seed)
    ids = []
    with path.open("w") as handle:
        for _index in range(count):
            tags = {"CostCenter": rng.choice(["cc-1", "cc-2", "cc-9", '=HYPERLINK("x")\n::error::hi'])}
            if rng.random() < 0.5:
                tags["Owner"] = "a@example.org"
            identifier = f"arn:aws:s3:::bucket-{rng.randrange(10**9):09d}"
            ids.append(identifier)
            handle.write(json.dumps({"provider": "aws", "id": identifier, "type": "s3:bucket", "tags": tags}) + "\n")
    return ids


@pytest.fixture
def estate(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    inventory = tmp_path / "inventory.jsonl"
    ids = write_inventory(inventory, BATCH_SIZE * 2 + 123)  # several batches, the last one short
    return policy, inventory, ids


def in_memory_render(policy_path: Path, inventory: Path, fmt: str, show_all: bool) -> str:
    registry = default_registry()
    runner = ScanRunner(load_policy(policy_path), as_of=date.today(), unknown_mode=UnknownMode.WARN,
                        expand_type=registry.equivalent_types, store=None, keep_passes=show_all)
    outcome = runner.run("inventory", runner.evaluate_stream(read_inventory(inventory, registry)), {})
    assert outcome.spool is None
    return get_format(fmt).render(outcome.report, show_all=show_all)


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("show_all", [False, True])
def test_streamed_json_lists_what_the_in_memory_path_lists_in_read_order(estate, tmp_path, workers, show_all) -> None:
    policy, inventory, ids = estate
    extra = ["--all"] if show_all else []
    done = run(tmp_path, "scan", "inventory", str(inventory), "--policy", str(policy), "--no-store", "--format",
               "json", "--workers", workers, *extra)
    assert done.returncode == 1, done.stderr
    streamed = json.loads(done.stdout)
    expected = json.loads(in_memory_render(policy, inventory, "json", show_all))
    assert streamed["summary"] == expected["summary"]
    key = json.dumps
    assert sorted(map(key, streamed["results"])) == sorted(map(key, expected["results"]))
    order = {identifier: position for position, identifier in enumerate(ids)}
    positions = [order[result["resource"]["id"]] for result in streamed["results"]]
    assert positions == sorted(positions)


@pytest.mark.parametrize("fmt", ["csv", "github"])
def test_streamed_csv_and_github_hold_the_same_rows_and_stay_inert(estate, tmp_path, fmt) -> None:
    policy, inventory, _ids = estate
    done = run(tmp_path, "scan", "inventory", str(inventory), "--policy", str(policy), "--no-store", "--format", fmt)
    assert done.returncode == 1, done.stderr
    expected = in_memory_render(policy, inventory, fmt, False)
    assert sorted(done.stdout.splitlines()) == sorted(expected.splitlines())
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(done.stdout)))
        assert all(not cell.startswith("=") for row in rows for cell in row)
    else:
        assert all(line.startswith(("::error", "::warning", "::notice")) for line in done.stdout.splitlines())


def test_exit_code_follows_the_worst_streamed_failure(estate, tmp_path) -> None:
    policy, inventory, _ids = estate
    args = ["scan", "inventory", str(inventory), "--policy", str(policy), "--no-store", "--format", "json", "-o",
            str(tmp_path / "out.json")]
    assert run(tmp_path, *args, "--fail-on", "high").returncode == 1
    assert run(tmp_path, *args, "--fail-on", "critical").returncode == 0
    assert run(tmp_path, *args, "--fail-on", "never").returncode == 0
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["summary"]["failed"] > 0


def test_a_clean_estate_streams_an_empty_result_list_and_exits_0(tmp_path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    inventory = tmp_path / "inventory.jsonl"
    inventory.write_text(json.dumps({"provider": "aws", "id": "arn:aws:s3:::ok", "type": "s3:bucket",
                                     "tags": {"CostCenter": "cc-1", "Owner": "o"}}) + "\n")
    done = run(tmp_path, "scan", "inventory", str(inventory), "--policy", str(policy), "--no-store", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"] == []
    assert done.stdout == in_memory_render(policy, inventory, "json", False)


def test_skipped_bad_lines_are_streamed_as_parse_errors_with_the_store_on(estate, tmp_path) -> None:
    policy, inventory, _ids = estate
    with inventory.open("a") as handle:
        handle.write("{not json\n")
    done = run(tmp_path, "scan", "inventory", str(inventory), "--policy", str(policy), "--format", "json",
               "--skip-bad-lines", "--db", f"sqlite:///{tmp_path / 'store.db'}")
    assert done.returncode == 1, done.stderr
    results = json.loads(done.stdout)["results"]
    assert [r["resource"]["line"] for r in results if r["rule"] == "parse-error"] == [BATCH_SIZE * 2 + 124]
    assert results[-1]["rule"] == "parse-error"
    history = json.loads(run(tmp_path, "history", "--format", "json", "--db", f"sqlite:///{tmp_path / 'store.db'}")
                         .stdout)
    assert history[0]["status"] == "complete"
