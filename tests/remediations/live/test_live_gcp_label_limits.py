"""A value GCP must refuse as a label (an e-mail address, upper case) is listed for a person when the
plan is made, instead of failing at apply time; a valid one still goes through."""

from __future__ import annotations

import json
from pathlib import Path

from live_support import tagwarden
from test_live_azure_gcp import store_scan

from tagwarden.engine.collectors.gcp import GcpCollector, RetrySettings
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats

POLICY = """
tagwarden: 1
name: gcp-label-limits
owner: finops@acme.example
rules:
  - id: owner
    require: Owner
    scope: {resource_types: ["compute.googleapis.com/Instance"]}
    remediation: {default: "platform@acme.example"}
  - id: team
    require: Team
    scope: {resource_types: ["compute.googleapis.com/Instance"]}
    remediation: {default: "{project.labels.owner}-ü"}
"""


def test_values_gcp_refuses_are_for_a_person(tmp_path: Path, sqlite_url: str, google, planted_clouds) -> None:
    options = CollectorOptions(endpoint=google.base_url, scope=planted_clouds.GCP_SCOPE, anonymous=True)
    retry = RetrySettings(initial=0.01, maximum=0.05, deadline=10.0)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    store_scan(sqlite_url, policy, "gcp", list(GcpCollector(retry).collect(options, CollectStats())))
    plan = tmp_path / "plan.json"
    made = tagwarden({}, "remediate", "plan", "--policy", str(policy), "--db", sqlite_url, "-o", str(plan))
    assert made.exit_code == 0, made.output
    body = json.loads(plan.read_text(encoding="utf-8"))
    changes = [(edit["key"], edit["after"]) for item in body["items"] for c in item["changes"] for edit in c["edits"]]
    assert changes == [("team", "shop-ü")]  # lowercase unicode is a valid label value
    why = {person["rule"]: person["why"] for person in body["for_a_person"]}
    assert "gcp labels take lowercase letters, digits, _ and - only" in why["owner"]
    assert "owner=platform@acme.example" in why["owner"]
