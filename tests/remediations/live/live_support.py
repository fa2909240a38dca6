"""What the live remediation tests plant in moto, the policy they judge it by, and a real scan into the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import boto3
from click.testing import CliRunner, Result

from tagwarden.engine.cli.app import cli
from tagwarden.engine.collectors.aws.collector import AwsCollector
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats
from tagwarden.engine.evaluation.evaluate import evaluate
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.results import PolicyRef, Status, Summary
from tagwarden.engine.store import Store

REGION = "eu-west-1"
AS_OF = "2026-11-20"

SCOPE = '{resource_types: ["ec2:instance", "s3:bucket", "sqs:queue"]}'

POLICY = f"""
tagwarden: 1
name: live-remediation
owner: finops@acme.example
keys:
  CostCenter:
    aliases: [cost_center, costcenter]
owner_map:
  file: owners.csv
rules:
  - id: cost-center
    require: CostCenter
    allowed: [cc-1000, cc-2000, cc-3000]
    scope: {SCOPE}
    remediation:
      default: "{{owner_map.cost_center}}"
  - id: environment
    require: Environment
    allowed: [prod, dev]
    scope: {SCOPE}
    remediation:
      value_map: {{Production: prod}}
      approvers: [platform-lead@acme.example]
  - id: owner
    require: Owner
    scope: {SCOPE}
    remediation:
      default: platform@acme.example
"""

OWNERS_CSV = (
    "match,owner,cost_center\n*-planned-elsewhere,someone@acme.example,cc-3000\n{account},ops@acme.example,cc-2000\n"
)


@dataclass
class Estate:
    env: Mapping[str, str]
    arns: dict[str, str] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.env["AWS_ENDPOINT_URL"],
            region_name=REGION,
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=self.env["AWS_SESSION_TOKEN"],
        )

    def tags(self, label: str) -> dict[str, str]:
        """Tags as the service itself reports them (not the Tagging API the writer uses)."""
        arn = self.arns[label]
        if ":instance/" in arn:
            reservations = self.client("ec2").describe_instances(InstanceIds=[arn.rsplit("/", 1)[1]])["Reservations"]
            return {tag["Key"]: tag["Value"] for tag in reservations[0]["Instances"][0].get("Tags", [])}
        if arn.startswith("arn:aws:s3:::"):
            try:
                tag_set = self.client("s3").get_bucket_tagging(Bucket=arn.rsplit(":", 1)[1])["TagSet"]
            except self.client("s3").exceptions.ClientError:
                return {}
            return {tag["Key"]: tag["Value"] for tag in tag_set}
        url = self.client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
        return dict(self.client("sqs").list_queue_tags(QueueUrl=url).get("Tags", {}))

    def instance(self, label: str, tags: Mapping[str, str]) -> str:
        spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
        kwargs: dict[str, Any] = {"TagSpecifications": spec} if tags else {}
        instance = self.client("ec2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, **kwargs)
        instance_id = instance["Instances"][0]["InstanceId"]
        self.arns[label] = f"arn:aws:ec2:{REGION}:{self.env['TAGWARDEN_TEST_ACCOUNT']}:instance/{instance_id}"
        return self.arns[label]

    def bucket(self, label: str, name: str) -> str:
        self.client("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        self.arns[label] = f"arn:aws:s3:::{name}"
        return self.arns[label]

    def queue(self, label: str, name: str, tags: Mapping[str, str]) -> str:
        self.client("sqs").create_queue(QueueName=name, tags=dict(tags))
        self.arns[label] = f"arn:aws:sqs:{REGION}:{self.env['TAGWARDEN_TEST_ACCOUNT']}:{name}"
        return self.arns[label]


def plant(env: Mapping[str, str]) -> Estate:
    """misspelt: a key_case rename, a value to map and Owner to add; plain: CostCenter from the owner
    map and Owner to add, an ungoverned tag to keep; bucket: never tagged; queue: moto's Tagging API
    refuses SQS, so its change fails."""
    estate = Estate(env)
    suffix = env["TAGWARDEN_TEST_ACCOUNT"]
    estate.instance("misspelt", {"Name": "web-1", "cost_center": "cc-1000", "Environment": "Production", "Team": "web"})
    estate.instance("plain", {"Name": "batch-1", "Environment": "dev", "Keep": "me"})
    estate.bucket("bucket", f"logs-{suffix}")
    estate.queue("queue", f"jobs-{suffix}", {"Environment": "dev", "CostCenter": "cc-1000"})
    return estate


def write_policy(folder: Path, account: str, *, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "owners.csv").write_text(OWNERS_CSV.format(account=account), encoding="utf-8")
    path = folder / "policy.yaml"
    path.write_text(POLICY + extra, encoding="utf-8")
    return path


def scan_into_store(store_url: str, policy_path: Path, env: Mapping[str, str]) -> int:
    """A real scan: the AWS collector reads moto, the policy judges, the store keeps the failures."""
    policy = load_policy(policy_path)
    options = CollectorOptions(regions=(REGION,), environ=dict(env))
    resources = list(AwsCollector(services=["ec2", "s3", "sqs"]).collect(options, CollectStats()))
    results = [r for r in evaluate(policy, resources, as_of=date.fromisoformat(AS_OF)) if r.status is not Status.PASS]
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("aws", PolicyRef(policy.name, policy.digest), {"regions": [REGION]})
        store.add_batch(scan_id, resources, results)
        failed = len({r.resource.address for r in results})
        store.finish_scan(scan_id, Summary(len(resources), len(resources), 0, failed, 0, 0, 0, 0.0), {})
    return scan_id


def tagwarden(env: Mapping[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=dict(env), catch_exceptions=False)
