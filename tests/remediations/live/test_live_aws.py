"""scan -> plan -> apply -> undo against moto in server mode, the journal on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_support import AS_OF, Estate, plant, scan_into_store, tagwarden, write_policy

from tagwarden.engine.audit.trail import events, verify
from tagwarden.engine.store import Store
from tagwarden.remediations.journal import Journal


def make_plan(tmp_path: Path, aws_env: dict[str, str], db: str) -> tuple[Estate, Path, dict[str, str]]:
    estate = plant(aws_env)
    policy = write_policy(tmp_path / "policy", aws_env["TAGWARDEN_TEST_ACCOUNT"])
    scan_into_store(db, policy, aws_env)
    plan = tmp_path / "plan.json"
    done = tagwarden(aws_env, "remediate", "plan", "--policy", str(policy), "--db", db, "-o", str(plan),
                     "--as-of", AS_OF)  # fmt: skip
    assert done.exit_code == 0, done.output
    return estate, plan, {**aws_env, "TAGWARDEN_DB": db}


@pytest.fixture
def planned(tmp_path: Path, aws_env: dict[str, str], sqlite_url: str) -> tuple[Estate, Path, dict[str, str]]:
    return make_plan(tmp_path, aws_env, sqlite_url)


@pytest.fixture
def planned_on_both_stores(
    tmp_path: Path, aws_env: dict[str, str], store_url: str
) -> tuple[Estate, Path, dict[str, str]]:
    return make_plan(tmp_path, aws_env, store_url)


def apply(env: dict[str, str], *args: str) -> tuple[int, dict[str, int | str | None], str]:
    done = tagwarden(env, "remediate", "apply", *args, "--format", "json")
    return done.exit_code, json.loads(done.stdout or "{}"), done.stderr


def test_the_plan_says_what_changes_and_apply_without_yes_changes_nothing(planned) -> None:
    estate, plan_path, env = planned
    plan = json.loads(plan_path.read_text())
    assert plan["tagwarden_plan"] == 1 and plan["digest"].startswith("sha256:")
    items = {item["resource"]["id"]: item for item in plan["items"]}
    misspelt = items[estate.arns["misspelt"]]
    changes = {(c["action"], c["rule"]): c for c in misspelt["changes"]}
    assert changes[("rename_key", "cost-center")]["edits"] == [
        {"key": "CostCenter", "before": None, "after": "cc-1000"},
        {"key": "cost_center", "before": "cc-1000", "after": None},
    ]
    assert changes[("normalise_value", "environment")]["source"] == "value_map"
    assert changes[("normalise_value", "environment")]["edits"] == [
        {"key": "Environment", "before": "Production", "after": "prod"}
    ]
    assert changes[("add_tag", "owner")]["source"] == "literal"
    assert set(misspelt["approvers"]) == {"finops@acme.example", "platform-lead@acme.example"}
    plain = {c["rule"]: c for c in items[estate.arns["plain"]]["changes"]}
    assert plain["cost-center"]["source"] == "owner_map"
    assert plain["cost-center"]["edits"] == [{"key": "CostCenter", "before": None, "after": "cc-2000"}]
    # the bucket has no Environment and the rule gives no default: for a person
    people = {(p["resource"]["id"], p["rule"]): p for p in plan["for_a_person"]}
    assert "remediation.default" in people[(estate.arns["bucket"], "environment")]["why"]
    # its changes are cost-center's and owner's, whose approver is the policy owner
    assert items[estate.arns["bucket"]]["approvers"] == ["finops@acme.example"]
    assert all(item["tags_digest"].startswith("sha256:") for item in plan["items"])

    # apply without --yes is a dry run
    code, result, stderr = apply(env, str(plan_path), "--approved-by", "alice@acme.example")
    assert code == 0 and result["run"] is None
    assert "would tag" in stderr and "nothing was changed" in stderr
    assert estate.tags("misspelt")["cost_center"] == "cc-1000" and "CostCenter" not in estate.tags("misspelt")


def test_apply_changes_tags_is_idempotent_and_undo_restores_exactly(planned_on_both_stores) -> None:
    estate, plan_path, env = planned_on_both_stores
    before = {label: estate.tags(label) for label in ("misspelt", "plain", "bucket")}
    code, result, stderr = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes")
    # the SQS queue's change fails (moto's Tagging API refuses SQS): exit 1, recorded per resource
    assert code == 1, stderr
    assert result["failed"] == 1 and result["applied"] == 3
    assert estate.arns["queue"] in stderr and "Service not yet supported" in stderr
    misspelt = estate.tags("misspelt")
    assert misspelt == {"Name": "web-1", "CostCenter": "cc-1000", "Environment": "prod", "Team": "web",
                        "Owner": "platform@acme.example"}  # fmt: skip
    plain = estate.tags("plain")
    assert plain["Keep"] == "me" and plain["CostCenter"] == "cc-2000"  # the ungoverned tag is untouched
    assert estate.tags("bucket") == {"CostCenter": "cc-2000", "Owner": "platform@acme.example"}

    again_code, again, _ = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes")
    assert again["applied"] == 0 and again["skipped"] == 3 and again["failed"] == 1
    assert estate.tags("misspelt") == misspelt

    run = str(result["run"])
    undo = tagwarden(env, "remediate", "undo", run, "--approved-by", "bob@acme.example", "--format", "json")
    assert undo.exit_code == 0, undo.output
    assert json.loads(undo.stdout)["applied"] == 3
    for label, tags in before.items():
        assert estate.tags(label) == tags, label

    runs = json.loads(tagwarden(env, "remediate", "runs", "--format", "json").stdout)
    assert [r["kind"] for r in runs][:1] == ["undo"] and runs[0]["undoes"] == run
    with Store.open(env["TAGWARDEN_DB"]) as store:
        trail = [(event.kind, event.actor, event.payload.get("run")) for event in events(store, "remediation")]
        assert verify(store).ok
    assert trail[:2] == [
        ("remediation.approve", "alice@acme.example", run),
        ("remediation.apply", "alice@acme.example", run),
    ]
    assert trail[-1] == ("remediation.undo", "bob@acme.example", runs[0]["run"])
    assert again_code == 1  # the queue still fails: its change is retried, never silently dropped


def test_a_resource_changed_since_the_plan_refuses_the_plan(planned) -> None:
    estate, plan_path, env = planned
    instance = estate.arns["plain"].rsplit("/", 1)[1]
    estate.client("ec2").create_tags(Resources=[instance], Tags=[{"Key": "Late", "Value": "change"}])
    code, result, stderr = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes")
    assert code == 2 and result == {}
    assert estate.arns["plain"] in stderr and "changed since the plan" in stderr
    assert "CostCenter" not in estate.tags("misspelt")  # nothing was changed anywhere


def test_resume_retries_only_what_is_not_applied(planned_on_both_stores, tagging_proxy, store_url: str) -> None:
    estate, plan_path, env = planned_on_both_stores
    tagging_proxy.refuse = {estate.arns["plain"]}  # the bucket gets the same tags: same batch, split apart
    code, result, stderr = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes",
                                 "--endpoint", tagging_proxy.url)  # fmt: skip
    assert code == 1 and result["applied"] == 2 and result["failed"] == 2
    assert "refused by the test proxy" in stderr
    run = str(result["run"])
    with Store.open(store_url) as store:
        states = {entry.target.resource_id: entry.state for entry in Journal(store).entries(run)}
    assert states == {estate.arns["misspelt"]: "applied", estate.arns["bucket"]: "applied",
                      estate.arns["plain"]: "failed", estate.arns["queue"]: "failed"}  # fmt: skip
    assert "CostCenter" not in estate.tags("plain") and estate.tags("bucket")["CostCenter"] == "cc-2000"

    tagging_proxy.refuse = set()
    tagging_proxy.calls.clear()
    code, resumed, stderr = apply(env, "--resume", run, "--approved-by", "alice@acme.example", "--yes",
                                  "--endpoint", tagging_proxy.url)  # fmt: skip
    assert code == 1 and resumed["applied"] == 3 and resumed["failed"] == 1  # the queue: moto refuses SQS
    assert estate.tags("plain") == {"Name": "batch-1", "Environment": "dev", "Keep": "me",
                                    "CostCenter": "cc-2000", "Owner": "platform@acme.example"}  # fmt: skip
    # only the plain instance and the queue were written again
    assert tagging_proxy.calls["TagResources"] == 2


def test_failed_arns_are_retried_with_back_off_and_throttling_is_absorbed(planned, tagging_proxy) -> None:
    estate, plan_path, env = planned
    env = {**env, "TAGWARDEN_AWS_BACKOFF_SECONDS": "0.01"}
    tagging_proxy.flaky = {estate.arns["plain"]: 2}
    tagging_proxy.throttle = 1
    code, result, stderr = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes",
                                 "--endpoint", tagging_proxy.url)  # fmt: skip
    assert code == 1 and result["applied"] == 3 and result["failed"] == 1, stderr  # the queue only
    assert estate.tags("plain")["CostCenter"] == "cc-2000"
    assert tagging_proxy.flaky[estate.arns["plain"]] == 0
    assert "1 throttled" in stderr


def test_max_changes_limits_the_blast_radius_and_resume_finishes(planned) -> None:
    estate, plan_path, env = planned
    code, result, _ = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes", "--max-changes", "4")
    changed = sum(1 for label in ("misspelt", "plain", "bucket") if "Owner" in estate.tags(label))
    assert code == 0 and changed == 1 and result["skipped"] == 3  # misspelt has 4 edits: the rest waits
    code, resumed, _ = apply(env, "--resume", str(result["run"]), "--approved-by", "alice@acme.example", "--yes")
    assert all("Owner" in estate.tags(label) for label in ("misspelt", "plain", "bucket"))
    assert code == 1 and resumed["applied"] == 3 and resumed["failed"] == 1  # the queue: moto refuses SQS


def test_undo_leaves_alone_a_resource_changed_after_the_run(planned) -> None:
    estate, plan_path, env = planned
    before = estate.tags("plain")
    _, result, _ = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes")
    instance = estate.arns["misspelt"].rsplit("/", 1)[1]
    estate.client("ec2").create_tags(Resources=[instance], Tags=[{"Key": "Owner", "Value": "someone@acme.example"}])
    undo = tagwarden(env, "remediate", "undo", str(result["run"]), "--approved-by", "bob@acme.example")
    assert undo.exit_code == 1
    assert estate.arns["misspelt"] in undo.stderr and "changed since it was journaled (Owner)" in undo.stderr
    assert estate.tags("misspelt")["Owner"] == "someone@acme.example"  # a person's later change wins
    assert estate.tags("plain") == before
