"""Edge cases of scan -> plan -> apply -> undo against moto in server mode: two regions, mis-cased keys and
values, AWS system tags, the 50-tag limit, hand-edited plans, undoing twice, resuming with nothing left."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from live_support import AS_OF, Estate, tagwarden

from tagwarden.engine.audit.trail import events
from tagwarden.engine.store import Store
from tagwarden.remediations.plan_model import plan_digest

REGIONS = ("eu-west-1", "us-east-1")
SCOPE = '{resource_types: ["ec2:instance", "s3:bucket"]}'
POLICY = f"""
tagwarden: 1
name: edge-cases
owner: finops@acme.example
rules:
  - id: cost-center
    require: CostCenter
    allowed: [cc-1000, cc-2000]
    scope: {SCOPE}
    remediation: {{default: cc-1000}}
  - id: environment
    require: Environment
    allowed: [prod, dev]
    scope: {SCOPE}
  - id: team
    require: Team
    scope: {SCOPE}
    remediation: {{default: "{{account.tags.Team}}"}}
  - id: summary
    require: Summary
    scope: {SCOPE}
    remediation: {{default: "{{tags.Notes}}!"}}
"""


class TwoRegionEstate(Estate):
    def instance_in(self, region: str, label: str, tags: dict[str, str]) -> str:
        client = self.client_in("ec2", region)
        spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
        kwargs: dict[str, Any] = {"TagSpecifications": spec} if tags else {}
        instance_id = client.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, **kwargs)["Instances"][0][
            "InstanceId"
        ]
        self.arns[label] = f"arn:aws:ec2:{region}:{self.env['TAGWARDEN_TEST_ACCOUNT']}:instance/{instance_id}"
        return self.arns[label]

    def client_in(self, service: str, region: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.env["AWS_ENDPOINT_URL"],
            region_name=region,
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=self.env["AWS_SESSION_TOKEN"],
        )

    def tags_in(self, label: str) -> dict[str, str]:
        arn = self.arns[label]
        region, instance = arn.split(":")[3], arn.rsplit("/", 1)[1]
        found = self.client_in("ec2", region).describe_instances(InstanceIds=[instance])["Reservations"]
        return {tag["Key"]: tag["Value"] for tag in found[0]["Instances"][0].get("Tags", [])}


def plant(env: dict[str, str], *, crowded: bool) -> TwoRegionEstate:
    estate = TwoRegionEstate(env)
    estate.instance_in("eu-west-1", "never-tagged", {})
    estate.instance_in(
        "eu-west-1",
        "miscased",
        {"costcenter": "cc-2000", "Environment": "Prod", "Name": "wéb-ü", "aws:cloudformation:stack-name": "stack",
         "Notes": "ö" * 256},
    )  # fmt: skip
    estate.instance_in("us-east-1", "us", {"CostCenter": "CC-1000", "Environment": "dev", "Name": "日本語"})
    bucket = f"b-{env['TAGWARDEN_TEST_ACCOUNT']}"
    s3 = estate.client_in("s3", "us-east-1")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "environment", "Value": "PROD"}]})
    estate.arns["bucket"] = f"arn:aws:s3:::{bucket}"
    if crowded:  # 50 tags: the AWS limit, so adding CostCenter must fail for this resource only
        estate.instance_in("eu-west-1", "crowded", {**{f"K{i:02d}": "v" for i in range(49)}, "Environment": "dev"})
        # 50 tags too, but a rename keeps the count: it must go through (removing before adding)
        full = {**{f"K{i:02d}": "v" for i in range(47)}, "costcenter": "cc-2000", "Environment": "dev", "Team": "t"}
        estate.instance_in("eu-west-1", "full", full)
    return estate


def scan(db: str, policy_path: Path, env: dict[str, str]) -> None:
    """A real `tagwarden scan aws` of both regions (exit 1: the estate has failures)."""
    done = tagwarden(env, "scan", "aws", "--policy", str(policy_path), "--regions", ",".join(REGIONS), "--db", db,
                     "--quiet", "-o", str(policy_path.with_name("scan.json")))  # fmt: skip
    assert done.exit_code == 1, done.output


def make_plan(tmp_path: Path, aws_env: dict[str, str], db: str, *, crowded: bool) -> tuple[TwoRegionEstate, Path, dict]:
    estate = plant(aws_env, crowded=crowded)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    scan(db, policy, aws_env)
    plan = tmp_path / "plan.json"
    done = tagwarden(aws_env, "remediate", "plan", "--policy", str(policy), "--db", db, "-o", str(plan),
                     "--as-of", AS_OF)  # fmt: skip
    assert done.exit_code == 0, done.output
    return estate, plan, {**aws_env, "TAGWARDEN_DB": db}


def apply(env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    done = tagwarden(env, "remediate", "apply", *args, "--format", "json")
    return done.exit_code, json.loads(done.stdout or "{}"), done.stderr


def undo(env: dict[str, str], run: str) -> tuple[int, dict[str, Any], str]:
    done = tagwarden(env, "remediate", "undo", run, "--approved-by", "bob@acme.example", "--format", "json")
    return done.exit_code, json.loads(done.stdout or "{}"), done.stderr


def rewrite(plan_path: Path, target: Path, change: Any, *, redigest: bool) -> Path:
    body = json.loads(plan_path.read_text(encoding="utf-8"))
    change(body)
    if redigest:  # as someone would who knows how the digest is made
        body["digest"] = plan_digest(body)
    target.write_text(json.dumps(body), encoding="utf-8")
    return target


def item_of(body: dict[str, Any], arn: str) -> dict[str, Any]:
    return next(item for item in body["items"] if item["resource"]["id"] == arn)


def test_two_regions_system_tags_and_aws_limits(tmp_path: Path, aws_env: dict[str, str], sqlite_url: str) -> None:
    estate, plan_path, env = make_plan(tmp_path, aws_env, sqlite_url, crowded=True)
    body = json.loads(plan_path.read_text(encoding="utf-8"))
    edited = {edit["key"] for item in body["items"] for change in item["changes"] for edit in change["edits"]}
    assert edited == {"CostCenter", "costcenter", "Environment", "environment"}  # never Name, aws:..., Notes or K..
    people = {(p["resource"]["id"], p["rule"]): p["why"] for p in body["for_a_person"]}
    assert "{account.tags.Team} has no value" in people[(estate.arns["us"], "team")]  # never a guessed value
    # what AWS would refuse is for a person, not a failure at apply time
    assert "aws allows at most 50 a resource" in people[(estate.arns["crowded"], "cost-center")]
    assert "at most 256 characters in a tag value, not 257" in people[(estate.arns["miscased"], "summary")]

    # a mis-cased key whose value is mis-cased too: both fixed in one change, not one per plan
    rename = next(c for c in item_of(body, estate.arns["bucket"])["changes"] if c["rule"] == "environment")
    assert rename["edits"] == [{"key": "Environment", "before": None, "after": "prod"},
                               {"key": "environment", "before": "PROD", "after": None}]  # fmt: skip

    code, result, stderr = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes")
    assert code == 0 and result["failed"] == 0 and result["applied"] == 5, stderr
    tag_set = estate.client_in("s3", "us-east-1").get_bucket_tagging(Bucket=estate.arns["bucket"][13:])["TagSet"]
    assert {tag["Key"]: tag["Value"] for tag in tag_set} == {"Environment": "prod", "CostCenter": "cc-1000"}
    assert "CostCenter" not in estate.tags_in("crowded")
    full = estate.tags_in("full")
    assert len(full) == 50 and full["CostCenter"] == "cc-2000" and "costcenter" not in full
    miscased = estate.tags_in("miscased")
    assert miscased == {"CostCenter": "cc-2000", "Environment": "prod", "Name": "wéb-ü",
                        "aws:cloudformation:stack-name": "stack", "Notes": "ö" * 256}  # fmt: skip
    assert estate.tags_in("us")["CostCenter"] == "cc-1000"  # the other region

    # undo of a run that partly failed restores what it applied, and only that
    code, undone, stderr = undo(env, str(result["run"]))
    assert code == 0 and undone["applied"] == 5 and undone["failed"] == 0, stderr
    assert estate.tags_in("full")["costcenter"] == "cc-2000" and "CostCenter" not in estate.tags_in("full")
    assert estate.tags_in("miscased")["costcenter"] == "cc-2000" and "CostCenter" not in estate.tags_in("miscased")
    assert estate.tags_in("us")["CostCenter"] == "CC-1000" and "CostCenter" not in estate.tags_in("never-tagged")


@pytest.fixture
def planned(tmp_path: Path, aws_env: dict[str, str], sqlite_url: str) -> tuple[TwoRegionEstate, Path, dict]:
    return make_plan(tmp_path, aws_env, sqlite_url, crowded=False)


@pytest.fixture
def planned_on_both_stores(
    tmp_path: Path, aws_env: dict[str, str], store_url: str
) -> tuple[TwoRegionEstate, Path, dict]:
    return make_plan(tmp_path, aws_env, store_url, crowded=False)


def test_a_plan_edited_by_hand_is_refused_and_nothing_changes(planned, tmp_path: Path) -> None:
    estate, plan_path, env = planned
    arn = estate.arns["miscased"]
    before = estate.tags_in("miscased")

    def other_value(body: dict[str, Any]) -> None:
        item_of(body, arn)["changes"][0]["edits"][0]["after"] = "cc-9999"

    def strip_system_tags(body: dict[str, Any]) -> None:
        item_of(body, arn)["changes"].append(
            {"action": "add_tag", "rule": "x", "reason": "missing", "source": "literal", "detail": "",
             "edits": [{"key": "aws:cloudformation:stack-name", "before": "stack", "after": None}]}
        )  # fmt: skip

    def drop_name(body: dict[str, Any]) -> None:
        item_of(body, arn)["changes"][0]["edits"].append({"key": "Name", "before": "wéb-ü", "after": None})

    cases = [
        (rewrite(plan_path, tmp_path / "a.json", other_value, redigest=False), "edited after it was made"),
        (rewrite(plan_path, tmp_path / "b.json", strip_system_tags, redigest=True), "reserved tag keys"),
        (rewrite(plan_path, tmp_path / "c.json", other_value, redigest=True), "do not lead to its after_digest"),
        (rewrite(plan_path, tmp_path / "d.json", drop_name, redigest=True), "do not lead to its after_digest"),
    ]
    for path, why in cases:
        code, result, stderr = apply(env, str(path), "--approved-by", "alice@acme.example", "--yes")
        assert code == 2 and result == {} and why in stderr, (path.name, stderr)
        assert estate.tags_in("miscased") == before, path.name
    assert "CostCenter" not in estate.tags_in("never-tagged")


def test_undo_twice_is_refused_and_resume_with_nothing_left_is_a_clear_no_op(planned_on_both_stores) -> None:
    estate, plan_path, env = planned_on_both_stores
    code, result, stderr = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes")
    assert code == 0 and result["applied"] == 4, stderr
    run = str(result["run"])
    with Store.open(env["TAGWARDEN_DB"]) as store:
        recorded = len(list(events(store, "remediation")))
    code, resumed, stderr = apply(env, "--resume", run, "--approved-by", "alice@acme.example", "--yes")
    assert code == 0 and resumed == {"run": run, "applied": 4, "failed": 0, "skipped": 0}
    assert "nothing left to retry" in stderr
    with Store.open(env["TAGWARDEN_DB"]) as store:
        assert len(list(events(store, "remediation"))) == recorded  # a no-op is not an audit record

    applied = estate.tags_in("miscased")
    code, first, stderr = undo(env, run)
    assert code == 0 and first["applied"] == 4, stderr
    restored = estate.tags_in("miscased")
    assert restored != applied and restored["costcenter"] == "cc-2000"
    code, second, stderr = undo(env, run)
    assert code == 2 and second == {} and f"already undone by {first['run']}" in stderr
    assert estate.tags_in("miscased") == restored


def test_a_resumed_dry_run_says_what_it_would_retry(planned) -> None:
    estate, plan_path, env = planned
    code, result, _ = apply(env, str(plan_path), "--approved-by", "alice@acme.example", "--yes", "--max-changes", "0")
    assert code == 0 and result["applied"] == 0 and result["skipped"] == 4
    instance = estate.arns["never-tagged"].rsplit("/", 1)[1]  # someone made this change meanwhile
    estate.client_in("ec2", "eu-west-1").create_tags(
        Resources=[instance], Tags=[{"Key": "CostCenter", "Value": "cc-1000"}]
    )
    done = tagwarden(env, "remediate", "apply", "--resume", str(result["run"]), "--approved-by", "alice@acme.example")
    assert done.exit_code == 0
    assert "dry run: 7 tag edit(s) on 3 item(s) would be made" in done.stderr  # a rename is 2 edits
    assert f"skipped: {estate.arns['never-tagged']} (tags): already in place" in done.stderr
    assert "[deferred" not in done.stderr and estate.tags_in("us")["CostCenter"] == "CC-1000"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such plan file"),
        ('{"tagwarden_plan": 1, "items": [', "plan.json:1: not valid JSON"),
        ("[]", "not a tagwarden plan"),
        (b"\xff\xfe", "cannot be read"),
    ],
)
def test_a_missing_or_garbled_plan_file_exits_2_without_a_traceback(
    tmp_path: Path, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "plan.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "tagwarden"), "remediate", "apply", str(path), "--approved-by", "a@b"],
        capture_output=True,
        text=True,
        env={"TAGWARDEN_DB": f"sqlite:///{tmp_path / 'db.sqlite'}", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.stdout == ""
