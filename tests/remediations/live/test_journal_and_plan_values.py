"""The journal's schema on both stores, and plans made from stored scans of every cloud (no cloud calls:
planning reads only the store and the policy)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from live_support import tagwarden
from sqlalchemy import inspect

from tagwarden.engine.evaluation.evaluate import evaluate
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.results import PolicyRef, Status, Summary
from tagwarden.engine.store import Store
from tagwarden.engine.store.connection import create_store_engine
from tagwarden.engine.store.remediation_tables import REMEDIATION_CHANGE, REMEDIATION_RUN


def test_the_migrated_journal_tables_are_the_declared_ones(store_url: str) -> None:
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    inspector = inspect(engine)
    for table in (REMEDIATION_RUN, REMEDIATION_CHANGE):
        found = {column["name"]: column["nullable"] for column in inspector.get_columns(table.name)}
        assert found == {column.name: column.nullable for column in table.columns}, table.name
        assert {index.name for index in table.indexes} <= {i["name"] for i in inspector.get_indexes(table.name)}
    engine.dispose()


POLICY = """
tagwarden: 1
name: values
owner: finops@acme.example
owner_map:
  file: owners.csv
rules:
  - id: cost-center
    require: CostCenter
    remediation: {default: "{account.tags.CostCenter}"}
  - id: team
    require: Team
    remediation: {default: "{resource_group.tags.Team}"}
  - id: app
    require: App
    remediation: {default: "{project.labels.app}"}
  - id: owner
    require: Owner
    remediation: {default: "{owner_map.owner}"}
  - id: created-by
    require: CreatedBy
    remediation: {default: "{creator}"}
  - id: service
    require: Service
    remediation: {default: "svc-{iac.tags.Service}"}
  - id: environment
    require: Environment
    allowed: [prod, dev]
"""

AZURE_VM = "/subscriptions/0000-1111/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/vm1"
GCP_BUCKET = "//storage.googleapis.com/projects/_/buckets/data-1"
AWS_BUCKET = "arn:aws:s3:::declared-bucket"

STATE = {
    "version": 4,
    "resources": [
        {
            "mode": "managed",
            "type": "aws_s3_bucket",
            "name": "declared",
            "instances": [{"attributes": {"arn": AWS_BUCKET, "id": "declared-bucket", "tags": {"Service": "logs"}}}],
        }
    ],
}


def resources() -> list[Resource]:
    return [
        Resource(
            provider="azure",
            type="Microsoft.Compute/virtualMachines",
            address=AZURE_VM,
            id=AZURE_VM,
            account="0000-1111",
            tags=TagSet(known={"Environment": "Prod"}),
            context={"subscription_tags": {"costcenter": "cc-7"}, "resource_group_tags": {"Team": "web"}},
        ),
        Resource(
            provider="gcp",
            type="storage.googleapis.com/Bucket",
            address=GCP_BUCKET,
            id=GCP_BUCKET,
            account="proj-1",
            name="data-1",
            tags=TagSet(known={}),
            context={"project_labels": {"app": "lake", "costcenter": "cc-9"}},
        ),
        Resource(
            provider="aws",
            type="s3:bucket",
            address=AWS_BUCKET,
            id=AWS_BUCKET,
            account="111122223333",
            tags=TagSet(known={}),
            context={"created_by": "arn:aws:iam::111122223333:user/alice", "managed_by": "terraform"},
        ),
    ]


def test_every_value_source_and_what_is_left_for_a_person(tmp_path: Path, sqlite_url: str) -> None:
    (tmp_path / "owners.csv").write_text("match,owner\n*vm1,vm-team@acme.example\n1111*,aws-team@acme.example\n")
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "state.json").write_text(json.dumps(STATE))
    policy = load_policy(tmp_path / "policy.yaml")
    found = resources()
    results = [r for r in evaluate(policy, found, as_of=date(2026, 11, 20)) if r.status is not Status.PASS]
    with Store.open(sqlite_url) as store:
        scan = store.begin_scan("inventory", PolicyRef(policy.name, policy.digest), {})
        store.add_batch(scan, found, results)
        store.finish_scan(scan, Summary(3, 3, 0, 3, 0, 0, 0, 0.0), {})
    done = tagwarden({}, "remediate", "plan", "--policy", str(tmp_path / "policy.yaml"), "--db", sqlite_url,
                     "--state", str(tmp_path / "state.json"), "--format", "json")  # fmt: skip
    assert done.exit_code == 0, done.output
    plan = json.loads(done.stdout)
    added = {
        (item["resource"]["id"], edit["key"]): (edit["after"], change["source"])
        for item in plan["items"]
        for change in item["changes"]
        for edit in change["edits"]
    }
    assert added[(AZURE_VM, "CostCenter")] == ("cc-7", "account_tags")  # subscription tags, key case aside
    assert added[(AZURE_VM, "Team")] == ("web", "resource_group_tags")
    assert added[(AZURE_VM, "Owner")] == ("vm-team@acme.example", "owner_map")
    assert added[(GCP_BUCKET, "costcenter")] == ("cc-9", "account_tags")  # GCP spells keys in lowercase
    assert added[(GCP_BUCKET, "app")] == ("lake", "project_labels")
    assert added[(AWS_BUCKET, "CreatedBy")] == ("arn:aws:iam::111122223333:user/alice", "creator")
    assert added[(AWS_BUCKET, "Service")] == ("svc-logs", "iac")
    assert added[(AWS_BUCKET, "Owner")] == ("aws-team@acme.example", "owner_map")
    people = {(p["resource"]["id"], p["rule"]): p["why"] for p in plan["for_a_person"]}
    assert "{account.tags.CostCenter} has no value" in people[(AWS_BUCKET, "cost-center")]
    assert "{creator} has no value" in people[(GCP_BUCKET, "created-by")]
    # Environment 'Prod' is allowed only as 'prod': normalised to the allowed spelling
    assert added[(AZURE_VM, "Environment")] == ("prod", "allowed")
    text = tagwarden({}, "remediate", "plan", "--policy", str(tmp_path / "policy.yaml"), "--db", sqlite_url,
                     "--format", "text")  # fmt: skip
    assert "For a person" in text.stdout and "approve: finops@acme.example" in text.stdout
    assert "note: declared by terraform: fix the IaC too" in text.stdout
    managed = {item["resource"]["id"]: item["resource"]["managed_by"] for item in plan["items"]}
    assert managed == {AZURE_VM: None, GCP_BUCKET: None, AWS_BUCKET: "terraform"}


def test_an_unknown_placeholder_is_an_error_before_anything_is_planned(tmp_path: Path, sqlite_url: str) -> None:
    (tmp_path / "policy.yaml").write_text(
        "tagwarden: 1\nname: p\nrules:\n  - id: a\n    require: A\n    remediation: {default: '{acount.tags.A}'}\n"
    )
    done = tagwarden({}, "remediate", "plan", "--policy", str(tmp_path / "policy.yaml"), "--db", sqlite_url)
    assert done.exit_code == 2
    assert "rule a: remediation.default: unknown placeholder {acount.tags.A}" in done.stderr
