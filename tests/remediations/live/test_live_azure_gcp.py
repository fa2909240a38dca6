"""scan -> plan -> apply -> undo on Azure and GCP: the real collectors and SDK clients against the local
fake ARM and Google servers (tests/remediations/clouds/servers.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from live_support import tagwarden

from tagwarden.engine.collectors.azure import AzureCollector
from tagwarden.engine.collectors.gcp import GcpCollector, RetrySettings
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats
from tagwarden.engine.evaluation.evaluate import evaluate
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.resources import Resource
from tagwarden.engine.results import PolicyRef, Status, Summary
from tagwarden.engine.store import Store

AZURE_POLICY = """
tagwarden: 1
name: azure-live
owner: finops@acme.example
rules:
  - id: owner
    require: Owner
    scope: {resource_types: ["Microsoft.Compute/virtualMachines", "Microsoft.Storage/storageAccounts"]}
    remediation: {default: "{resource_group.tags.Owner}"}
  - id: cost-center
    require: CostCenter
    scope: {resource_types: ["Microsoft.Compute/virtualMachines"]}
    remediation: {default: "{account.tags.CostCenter}"}
"""

INSTANCE_TYPE = "compute.googleapis.com/Instance"

GCP_POLICY = """
tagwarden: 1
name: gcp-live
owner: finops@acme.example
rules:
  - id: owner
    require: Owner
    scope: {resource_types: ["compute.googleapis.com/Instance", "storage.googleapis.com/Bucket"]}
    remediation: {default: "{project.labels.owner}"}
"""


def store_scan(url: str, policy_path: Path, source: str, found: list[Resource]) -> None:
    policy = load_policy(policy_path)
    results = [r for r in evaluate(policy, found, as_of=date(2026, 11, 20)) if r.status is not Status.PASS]
    with Store.open(url) as store:
        scan = store.begin_scan(source, PolicyRef(policy.name, policy.digest), {})
        store.add_batch(scan, found, results)
        store.finish_scan(scan, Summary(len(found), len(found), 0, 0, 0, 0, 0, 0.0), {})


def plan_apply_undo(tmp_path: Path, db: str, policy: Path, env: dict[str, str], *flags: str) -> dict[str, Any]:
    plan = tmp_path / "plan.json"
    made = tagwarden(env, "remediate", "plan", "--policy", str(policy), "--db", db, "-o", str(plan))
    assert made.exit_code == 0, made.output
    applied = tagwarden(env, "remediate", "apply", str(plan), "--approved-by", "alice@acme.example", "--yes",
                        "--db", db, "--format", "json", *flags)  # fmt: skip
    assert applied.exit_code == 0, applied.output
    return {"plan": json.loads(plan.read_text()), "run": json.loads(applied.stdout)}


def test_azure_from_scan_to_applied_tags_and_back(tmp_path: Path, sqlite_url: str, arm, planted_clouds) -> None:
    env = {"TAGWARDEN_AZURE_TOKEN": planted_clouds.AZURE_TOKEN}
    prod = planted_clouds.PROD
    options = CollectorOptions(endpoint=arm.base_url, environ=env, subscriptions=(prod,))
    (tmp_path / "policy.yaml").write_text(AZURE_POLICY)
    store_scan(sqlite_url, tmp_path / "policy.yaml", "azure", list(AzureCollector().collect(options, CollectStats())))
    vm = planted_clouds.arm_id(prod, "rg-app", "Microsoft.Compute/virtualMachines", "vm_never_tagged")
    storage = planted_clouds.arm_id(prod, "rg-app", "Microsoft.Storage/storageAccounts", "storage_missing_owner")

    done = plan_apply_undo(tmp_path, sqlite_url, tmp_path / "policy.yaml", env, "--endpoint", arm.base_url)
    assert done["run"]["applied"] == 2 and done["run"]["failed"] == 0
    read = _reader("azure", arm.base_url, env)
    assert read(vm) == {"Owner": "app@example.org", "CostCenter": "cc-1000"}
    assert read(storage) == {"CostCenter": "cc-1000", "Owner": "app@example.org"}

    undo = tagwarden(env, "remediate", "undo", done["run"]["run"], "--approved-by", "bob@acme.example", "--db",
                     sqlite_url, "--endpoint", arm.base_url)  # fmt: skip
    assert undo.exit_code == 0, undo.output
    assert read(vm) == {} and read(storage) == {"CostCenter": "cc-1000"}


def test_gcp_from_scan_to_applied_labels_and_back(tmp_path: Path, sqlite_url: str, google, planted_clouds) -> None:
    options = CollectorOptions(endpoint=google.base_url, scope=planted_clouds.GCP_SCOPE, anonymous=True)
    retry = RetrySettings(initial=0.01, maximum=0.05, deadline=10.0)
    (tmp_path / "policy.yaml").write_text(GCP_POLICY)
    store_scan(sqlite_url, tmp_path / "policy.yaml", "gcp", list(GcpCollector(retry).collect(options, CollectStats())))
    instance = "//compute.googleapis.com/projects/shop-prod/zones/europe-west1-b/instances/instance_missing_owner"
    outside = "//storage.googleapis.com/projects/_/buckets/bucket_never_labelled_outside_scope_project"

    done = plan_apply_undo(tmp_path, sqlite_url, tmp_path / "policy.yaml", {}, "--endpoint", google.base_url,
                           "--anonymous")  # fmt: skip
    assert done["run"]["applied"] == 1 and done["run"]["failed"] == 0
    assert [p["resource"]["id"] for p in done["plan"]["for_a_person"]] == [outside]  # no project labels known
    read = _reader("gcp", google.base_url, {})
    assert read(instance, INSTANCE_TYPE) == {"cost-center": "cc-1000", "owner": "shop"}

    undo = tagwarden({}, "remediate", "undo", done["run"]["run"], "--approved-by", "bob@acme.example", "--db",
                     sqlite_url, "--endpoint", google.base_url, "--anonymous")  # fmt: skip
    assert undo.exit_code == 0, undo.output
    assert read(instance, INSTANCE_TYPE) == {"cost-center": "cc-1000"}


def _reader(provider: str, endpoint: str, env: dict[str, str]) -> Any:
    """Tags read back through the cloud's own API (the writer's read side, a fresh client)."""
    from tagwarden.remediations.clouds.interface import WriterOptions, WriterStats
    from tagwarden.remediations.clouds.registry import writer_for
    from tagwarden.remediations.targets import Target

    def read(resource_id: str, resource_type: str = "") -> dict[str, str]:
        options = WriterOptions(endpoint=endpoint, anonymous=provider == "gcp", environ=env)
        writer = writer_for(provider, options, WriterStats())
        return writer.current_tags([Target(provider, resource_id, resource_type)]).get(resource_id, {})

    return read
