"""Benchmark: apply a plan of 10,000 tag changes to AWS (moto in server mode): API calls and time.

    python bench/bench_remediate_aws.py [--resources 10000] [--naive-sample 500]

Starts moto on loopback, launches --resources EC2 instances that all lack the same tag, stores them
as a scan, makes the plan with the real planner (one added tag per instance) and applies it with
``remediate apply``'s code (journal in a SQLite store). Prints the API calls by operation and the
ratio against the minimum the Tagging API allows (10,000 changes / 20 ARNs per TagResources = 500),
plus the GetResources reads (100 ARNs a call) that the changed-since-plan check costs. For
reference it times what a user would otherwise script, one EC2 CreateTags call per instance, on
--naive-sample instances, and extrapolates to --resources. Wall time against moto is CPU on
loopback; on AWS, latency per call dominates, so the call counts are what carry over.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import boto3

from tagwarden.engine.evaluation.evaluate import evaluate
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.results import PolicyRef, Status, Summary
from tagwarden.engine.store import Store
from tagwarden.remediations.apply import ApplyOptions, apply_plan, default_writers
from tagwarden.remediations.clouds.aws import TAG_BATCH
from tagwarden.remediations.clouds.interface import WriterOptions
from tagwarden.remediations.plan import PlanInputs, build_plan
from tagwarden.remediations.plan_model import plan_body, plan_digest

REGION = "eu-west-1"
ACCOUNT = "123456789012"
POLICY = """
tagwarden: 1
name: bench
owner: finops@acme.example
rules:
  - id: cost-center
    require: CostCenter
    remediation: {default: cc-1000}
"""


def launch(client: boto3.client, count: int) -> list[str]:
    ids: list[str] = []
    while len(ids) < count:
        batch = min(1000, count - len(ids))
        answer = client.run_instances(
            ImageId="ami-12345678",
            MinCount=batch,
            MaxCount=batch,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Team", "Value": "bench"}]}],
        )
        ids.extend(instance["InstanceId"] for instance in answer["Instances"])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=500)
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    environ = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
    }
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing",
                       aws_secret_access_key="testing")  # fmt: skip
    try:
        started = time.perf_counter()
        ids = launch(ec2, args.resources + args.naive_sample)
        planned_ids, naive_ids = ids[: args.resources], ids[args.resources :]
        print(f"launched {len(ids):,} instances in moto in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        with tempfile.TemporaryDirectory() as folder:
            report_bench(Path(folder), planned_ids, environ, endpoint)
        naive_time = naive(ec2, naive_ids)
    finally:
        server.stop()
    if naive_ids:
        per_call = naive_time / len(naive_ids)
        print(
            f"\nnaive alternative (one EC2 CreateTags per instance): {len(naive_ids):,} calls in {naive_time:.2f} s;"
            f" for {args.resources:,} instances: {args.resources:,} calls, ~{per_call * args.resources:.1f} s"
        )


def report_bench(folder: Path, instance_ids: list[str], environ: dict[str, str], endpoint: str) -> None:
    (folder / "policy.yaml").write_text(POLICY, encoding="utf-8")
    policy = load_policy(folder / "policy.yaml")
    resources = [
        Resource(
            provider="aws",
            type="ec2:instance",
            address=f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
            id=f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
            account=ACCOUNT,
            region=REGION,
            tags=TagSet(known={"Team": "bench"}),
        )
        for instance_id in instance_ids
    ]
    results = [r for r in evaluate(policy, resources, as_of=date.today()) if r.status is not Status.PASS]
    with Store.open(f"sqlite:///{folder / 'store.db'}") as store:
        scan_id = store.begin_scan("aws", PolicyRef(policy.name, policy.digest), {})
        store.add_batch(scan_id, resources, results)
        store.finish_scan(scan_id, Summary(len(resources), len(resources), 0, len(resources), 0, 0, 0, 0.0), {})
        scan = store.latest_complete_scan()
        assert scan is not None
        started = time.perf_counter()
        inputs = PlanInputs(policy=policy, as_of=date.today(), now=datetime.now(UTC))
        plan = build_plan(inputs, scan, store.resources_of(scan.id), store.results_of(scan.id, {"fail"}))
        planned = time.perf_counter() - started
        writers = default_writers(WriterOptions(environ=environ))
        started = time.perf_counter()
        report = apply_plan(store, plan, plan_digest(plan_body(plan)), ApplyOptions("bench", execute=True), writers)
        applied = time.perf_counter() - started
    stats = writers.stats["aws"]
    changes = plan.change_count
    minimum_writes = math.ceil(changes / TAG_BATCH)
    minimum_reads = math.ceil(len(instance_ids) / 100)
    writes = (
        stats.api_calls["resourcegroupstaggingapi.TagResources"]
        + stats.api_calls["resourcegroupstaggingapi.UntagResources"]
    )
    reads = stats.api_calls["resourcegroupstaggingapi.GetResources"]
    print(f"plan: {len(plan.items):,} resources, {changes:,} tag changes, made in {planned:.2f} s")
    print(f"apply: {report.applied:,} applied, {report.failed:,} failed in {applied:.2f} s "
          f"({changes / applied:,.0f} changes/s, journal included)")  # fmt: skip
    print(f"{'operation':<45} {'calls':>7} {'minimum':>8} {'ratio':>6}")
    rows = [
        ("TagResources + UntagResources (writes)", writes, minimum_writes),
        ("GetResources (changed-since-plan check)", reads, minimum_reads),
    ]
    for label, made, minimum in rows:
        print(f"{label:<45} {made:>7,} {minimum:>8,} {made / max(1, minimum):>6.2f}")
    print(f"{'all calls':<45} {stats.total_calls:>7,} {minimum_writes + minimum_reads:>8,} "
          f"{stats.total_calls / (minimum_writes + minimum_reads):>6.2f}")  # fmt: skip
    print(f"throttled: {stats.throttles}, retried: {stats.retries}")
    print(f"vs one call per change (the naive script): {changes:,} calls, {changes / stats.total_calls:.1f}x more")


def naive(client: boto3.client, instance_ids: list[str]) -> float:
    started = time.perf_counter()
    for instance_id in instance_ids:
        client.create_tags(Resources=[instance_id], Tags=[{"Key": "CostCenter", "Value": "cc-1000"}])
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
