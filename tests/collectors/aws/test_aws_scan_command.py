"""`tagwarden scan aws` end to end: a real process, boto3 over HTTP to moto, the SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from aws_moto_support import REGION_A, REGION_B, Estate

REPO = Path(__file__).resolve().parents[3]


def run(tmp_path: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION_A,
        **(extra_env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "tagwarden.engine.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_scan_aws_finds_the_never_tagged_and_stores_the_scan(tmp_path, moto_url: str, estate: Estate) -> None:
    done = run(
        tmp_path,
        "scan",
        "aws",
        "--endpoint",
        moto_url,
        "--regions",
        f"{REGION_A},{REGION_B}",
        "--policy",
        str(REPO / "policies"),
        "--format",
        "json",
    )
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    failing = {r["resource"]["address"] for r in document["results"] if r["rule"] == "cost-center"}
    for label in ("volume_never_tagged", "bucket_never_tagged", "table_never_tagged", "subnet_never_tagged"):
        assert estate.resources[label].arn in failing, label
    assert "API calls" in done.stderr and "throttles absorbed" in done.stderr
    history = json.loads(run(tmp_path, "history", "--format", "json").stdout)
    assert history[0]["status"] == "complete" and history[0]["stats"]["api_calls"] > 0


def test_scan_aws_without_credentials_exits_2_with_the_reason(tmp_path, moto_url: str) -> None:
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    done = run(
        tmp_path,
        "scan",
        "aws",
        "--endpoint",
        moto_url,
        "--regions",
        REGION_A,
        "--policy",
        str(REPO / "policies"),
        extra_env=env,
    )
    assert done.returncode == 2
    assert "Unable to locate credentials" in done.stderr or "credentials" in done.stderr.lower()
    assert not (tmp_path / ".tagwarden").exists() or "complete" not in run(tmp_path, "history").stdout


def test_both_tag_sources_give_the_same_findings(tmp_path, moto_url: str, estate: Estate) -> None:
    def failing(source: str) -> set[tuple[str, str]]:
        done = run(
            tmp_path,
            "scan",
            "aws",
            "--endpoint",
            moto_url,
            "--regions",
            REGION_A,
            "--aws-tag-source",
            source,
            "--policy",
            str(REPO / "policies"),
            "--format",
            "json",
            "--no-store",
        )
        assert done.returncode == 1, done.stderr
        return {(r["resource"]["address"], r["rule"]) for r in json.loads(done.stdout)["results"]}

    assert failing("tagging-api") == failing("per-resource")
