"""`tagwarden scan azure` and `scan gcp` end to end: a real process, the real SDKs, local servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fake_cloud_servers import ArmFake, AssetFake
from planted_clouds import AZURE_TOKEN, GCP_SCOPE

REPO = Path(__file__).resolve().parents[3]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tagwarden.engine.cli", *args, "--policy", str(REPO / "policies")],
                          cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True, check=False)


def addresses(document: dict, rule: str) -> set[str]:
    return {r["resource"]["address"] for r in document["results"] if r["rule"] == rule}


def test_scan_azure_reports_the_never_tagged_vm(tmp_path, arm: ArmFake) -> None:
    done = run(tmp_path, "scan", "azure", "--endpoint", arm.base_url, "--format", "json",
               TAGWARDEN_AZURE_TOKEN=AZURE_TOKEN)
    assert done.returncode == 1, done.stderr
    failing = addresses(json.loads(done.stdout), "cost-center")
    assert any(address.endswith("/virtualMachines/vm_never_tagged") for address in failing)
    assert "missing permission" in done.stderr  # the forbidden subscription is reported, the rest scanned


def test_scan_azure_with_a_wrong_token_exits_2(tmp_path, arm: ArmFake) -> None:
    done = run(tmp_path, "scan", "azure", "--endpoint", arm.base_url, TAGWARDEN_AZURE_TOKEN="wrong")
    assert done.returncode == 2
    assert "azure:" in done.stderr and "token" in done.stderr.lower()


def test_scan_gcp_reports_missing_labels_and_skips_the_firewall(tmp_path, asset: AssetFake) -> None:
    done = run(tmp_path, "scan", "gcp", "--endpoint", asset.base_url, "--scope", GCP_SCOPE, "--anonymous",
               "--format", "json")
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    failing = addresses(document, "owner")
    assert any("instance_missing_owner" in address for address in failing)
    assert not any("firewall" in r["resource"]["address"] for r in document["results"] if r["rule"] != "unmanaged")
