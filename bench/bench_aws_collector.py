"""Benchmark: API calls the AWS collector makes per 1,000 resources, against the fewest the APIs allow.

    python bench/bench_aws_collector.py [--resources 1000] [--regions eu-west-1,us-east-1]
                                        [--workers 8] [--seed 7] [--tag-source tagging-api]

Starts moto in server mode on loopback, plants --resources resources spread over the services the
collector reads (about a third of them never tagged), runs one full scan through HTTP and prints,
per operation: the calls made, the calls per 1,000 resources, and the minimum the API's batch limits
imply for what was found (pages of 1,000 for EC2 Describe*, 100 names per ECS DescribeClusters, 20
per ELB DescribeTags, one call per resource where the API only tags one at a time, and at least one
listing call per region even when it is empty). The last column is the ratio made / minimum.

A second floor is printed for reference: the same listings, but every per-resource tag read
replaced by Resource Groups Tagging API GetResources calls of 100 ARNs (which cannot find
never-tagged resources on its own, so the listings stay). The GetResources calls the collector
makes itself (``--tag-source tagging-api``, the default) count towards the first floor as made, and
are replaced by that reference in the second; ``--tag-source per-resource`` measures the collector
reading every tag per resource. Wall time against moto says little about AWS, where latency, not
CPU, dominates; the call counts are what carry over.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import logging
import math
import os
import random
import sys
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3

from tagwarden.engine.collectors.aws import AwsCollector
from tagwarden.engine.collectors.aws.services import (
    dynamodb,
    ec2,
    ecr,
    ecs,
    eks,
    elb,
    elbv2,
    kms,
    lambda_,
    logs,
    rds,
    s3,
    sqs,
)
from tagwarden.engine.collectors.aws.tagging import TAG_SOURCES, TagSource
from tagwarden.engine.collectors.interface import CollectorOptions, CollectStats
from tagwarden.engine.resources import Resource

TAGGING_API_BATCH = 100  # ARNs per GetResources call
GET_RESOURCES = "resourcegroupstaggingapi.GetResources"

# What is planted, as shares of --resources.
MIX: Mapping[str, float] = {
    "ec2:instance": 0.15,
    "ec2:volume": 0.10,
    "ec2:snapshot": 0.04,
    "ec2:security-group": 0.05,
    "ec2:network-interface": 0.04,
    "ec2:elastic-ip": 0.02,
    "s3:bucket": 0.08,
    "rds:db": 0.03,
    "lambda:function": 0.08,
    "dynamodb:table": 0.05,
    "sqs:queue": 0.10,
    "sns:topic": 0.06,
    "ecs:cluster": 0.03,
    "eks:cluster": 0.01,
    "elasticloadbalancing:loadbalancer/app": 0.02,
    "elasticloadbalancing:loadbalancer": 0.01,
    "logs:log-group": 0.08,
    "kms:key": 0.02,
    "ecr:repository": 0.03,
}


@dataclass(frozen=True)
class Floor:
    """How few calls an operation needs for the resources it covers."""

    types: tuple[str, ...]
    per_call: int  # resources per call (a page, a batch); 1: one call per resource
    listing: bool  # a listing is called at least once per scope even when nothing is there
    per_account: bool = False  # S3 lists once per account, not per region
    tag_read: bool = False  # a per-resource tag read the Tagging API could batch


FLOORS: Mapping[str, Floor] = {
    "ec2.DescribeInstances": Floor(("ec2:instance",), ec2.MAX_PAGE, True),
    "ec2.DescribeVolumes": Floor(("ec2:volume",), ec2.MAX_VOLUME_PAGE, True),
    "ec2.DescribeSnapshots": Floor(("ec2:snapshot",), ec2.MAX_PAGE, True),
    "ec2.DescribeImages": Floor(("ec2:image",), ec2.MAX_PAGE, True),
    "ec2.DescribeSecurityGroups": Floor(("ec2:security-group",), ec2.MAX_PAGE, True),
    "ec2.DescribeVpcs": Floor(("ec2:vpc",), ec2.MAX_PAGE, True),
    "ec2.DescribeSubnets": Floor(("ec2:subnet",), ec2.MAX_PAGE, True),
    "ec2.DescribeNetworkInterfaces": Floor(("ec2:network-interface",), ec2.MAX_PAGE, True),
    "ec2.DescribeAddresses": Floor(("ec2:elastic-ip",), 10**9, True),  # not paginated
    "ec2.DescribeNatGateways": Floor(("ec2:natgateway",), ec2.MAX_PAGE, True),
    "s3.ListBuckets": Floor(("s3:bucket",), s3.MAX_PAGE, True, per_account=True),
    "s3.GetBucketLocation": Floor(("s3:bucket",), 1, False, per_account=True),
    "s3.GetBucketTagging": Floor(("s3:bucket",), 1, False, tag_read=True),
    "rds.DescribeDBInstances": Floor(("rds:db",), rds.MAX_PAGE, True),
    "rds.DescribeDBClusters": Floor(("rds:cluster",), rds.MAX_PAGE, True),
    "lambda.ListFunctions": Floor(("lambda:function",), lambda_.MAX_PAGE, True),
    "lambda.ListTags": Floor(("lambda:function",), 1, False, tag_read=True),
    "dynamodb.ListTables": Floor(("dynamodb:table",), dynamodb.MAX_PAGE, True),
    "dynamodb.ListTagsOfResource": Floor(("dynamodb:table",), 1, False, tag_read=True),
    "sqs.ListQueues": Floor(("sqs:queue",), sqs.MAX_PAGE, True),
    "sqs.ListQueueTags": Floor(("sqs:queue",), 1, False, tag_read=True),
    "sns.ListTopics": Floor(("sns:topic",), 100, True),
    "sns.ListTagsForResource": Floor(("sns:topic",), 1, False, tag_read=True),
    "ecs.ListClusters": Floor(("ecs:cluster",), ecs.MAX_PAGE, True),
    "ecs.DescribeClusters": Floor(("ecs:cluster",), ecs.DESCRIBE_BATCH, False),
    "eks.ListClusters": Floor(("eks:cluster",), eks.MAX_PAGE, True),
    "eks.DescribeCluster": Floor(("eks:cluster",), 1, False, tag_read=True),
    "elbv2.DescribeLoadBalancers": Floor(tuple(elbv2.TYPES.values()), elbv2.MAX_PAGE, True),
    "elbv2.DescribeTags": Floor(tuple(elbv2.TYPES.values()), elbv2.TAGS_BATCH, False),
    "elb.DescribeLoadBalancers": Floor(("elasticloadbalancing:loadbalancer",), elb.MAX_PAGE, True),
    "elb.DescribeTags": Floor(("elasticloadbalancing:loadbalancer",), elb.TAGS_BATCH, False),
    "logs.DescribeLogGroups": Floor(("logs:log-group",), logs.MAX_PAGE, True),
    "logs.ListTagsForResource": Floor(("logs:log-group",), 1, False, tag_read=True),
    "kms.ListKeys": Floor(("kms:key",), kms.MAX_KEYS_PAGE, True),
    "kms.ListAliases": Floor((), kms.MAX_ALIASES_PAGE, True),
    "kms.ListResourceTags": Floor(("kms:key",), 1, False, tag_read=True),
    "ecr.DescribeRepositories": Floor(("ecr:repository",), ecr.MAX_PAGE, True),
    "ecr.ListTagsForResource": Floor(("ecr:repository",), 1, False, tag_read=True),
}


def main() -> int:
    arguments = _arguments()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"  # else ~1,300 public AMIs per region
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    regions = tuple(arguments.regions.split(","))
    try:
        started = time.perf_counter()
        planted = _plant(endpoint, regions, arguments.resources, random.Random(arguments.seed))
        print(f"planted {sum(planted.values())} resources in {time.perf_counter() - started:.1f} s: {dict(planted)}")
        resources, stats, seconds = _scan(endpoint, regions, arguments.workers, arguments.tag_source)
    finally:
        server.stop()
    _report(resources, stats, seconds, regions)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--regions", default="eu-west-1,us-east-1")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tag-source", choices=TAG_SOURCES, default="tagging-api")
    return parser.parse_args()


# --- planting ----------------------------------------------------------------------------------


def _plant(endpoint: str, regions: tuple[str, ...], total: int, rng: random.Random) -> Counter[str]:
    session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench")
    planter = _Planter(session, endpoint, rng)
    counts = _split(total)
    jobs: list[Callable[[], None]] = []
    for resource_type, count in counts.items():
        for region, share in _spread(count, regions):
            if share:
                jobs.extend(planter.jobs(resource_type, region, share))
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return counts


def _split(total: int) -> Counter[str]:
    counts = Counter({resource_type: max(1, round(total * share)) for resource_type, share in MIX.items()})
    counts["ec2:instance"] += total - sum(counts.values())  # rounding goes to the biggest share
    return counts


def _spread(count: int, regions: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    for index, region in enumerate(regions):
        yield region, count // len(regions) + (1 if index < count % len(regions) else 0)


class _Planter:
    def __init__(self, session: boto3.Session, endpoint: str, rng: random.Random) -> None:
        self.session = session
        self.endpoint = endpoint
        self.rng = rng
        self.sequence = itertools.count(1)
        self.role = ""
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        with self._lock:  # sessions are not thread-safe; clients are
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self.session.client(service, region_name=region, endpoint_url=self.endpoint)
            return self._clients[key]

    def tags(self) -> dict[str, str]:
        """A third never tagged, a third missing a key, a third fully tagged."""
        roll = self.rng.random()
        if roll < 1 / 3:
            return {}
        tags = {"Owner": "team@example.org", "CostCenter": f"cc-{self.rng.randrange(1, 5)}000"}
        if roll < 2 / 3:
            tags.pop(self.rng.choice(list(tags)))
        return tags

    def name(self, prefix: str) -> str:
        return f"{prefix}-{next(self.sequence):05d}"

    def jobs(self, resource_type: str, region: str, count: int) -> list[Callable[[], None]]:
        plant = _PLANTERS[resource_type]
        if resource_type == "ec2:instance":  # one call can start many instances
            return [lambda n=n: plant(self, region, n) for n in _chunks(count, 50)]
        if resource_type in ("lambda:function", "eks:cluster") and not self.role:
            self.role = _role(self.client("iam", region))
        return [lambda: plant(self, region, 1) for _ in range(count)]


def _chunks(count: int, size: int) -> list[int]:
    return [min(size, count - start) for start in range(0, count, size)]


def _role(iam: Any) -> str:
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    return str(iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"])


def _key_values(tags: Mapping[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in tags.items()]


def _spec(kind: str, tags: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": _key_values(tags)}] if tags else []


def _plant_instances(p: _Planter, region: str, count: int) -> None:
    p.client("ec2", region).run_instances(
        ImageId="ami-12345678", MinCount=count, MaxCount=count, TagSpecifications=_spec("instance", p.tags())
    )


def _plant_volume(p: _Planter, region: str, _: int) -> None:
    p.client("ec2", region).create_volume(
        AvailabilityZone=f"{region}a", Size=1, TagSpecifications=_spec("volume", p.tags())
    )


def _plant_snapshot(p: _Planter, region: str, _: int) -> None:
    ec2_client = p.client("ec2", region)
    volume = ec2_client.create_volume(AvailabilityZone=f"{region}a", Size=1)["VolumeId"]
    ec2_client.create_snapshot(VolumeId=volume, TagSpecifications=_spec("snapshot", p.tags()))


def _plant_security_group(p: _Planter, region: str, _: int) -> None:
    p.client("ec2", region).create_security_group(
        GroupName=p.name("sg"), Description="bench", TagSpecifications=_spec("security-group", p.tags())
    )


def _plant_interface(p: _Planter, region: str, _: int) -> None:
    ec2_client = p.client("ec2", region)
    subnet = ec2_client.describe_subnets(MaxResults=5)["Subnets"][0]["SubnetId"]
    ec2_client.create_network_interface(SubnetId=subnet, TagSpecifications=_spec("network-interface", p.tags()))


def _plant_address(p: _Planter, region: str, _: int) -> None:
    p.client("ec2", region).allocate_address(Domain="vpc", TagSpecifications=_spec("elastic-ip", p.tags()))


def _plant_bucket(p: _Planter, region: str, _: int) -> None:
    s3_client = p.client("s3", region)
    name = p.name("bench-bucket")
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3_client.create_bucket(Bucket=name, **extra)
    tags = p.tags()
    if tags:
        s3_client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _key_values(tags)})


def _plant_db(p: _Planter, region: str, _: int) -> None:
    p.client("rds", region).create_db_instance(
        DBInstanceIdentifier=p.name("db"),
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="bench_user",
        MasterUserPassword="password-123",
        AllocatedStorage=20,
        Tags=_key_values(p.tags()),
    )


_PACKAGE = io.BytesIO()
with zipfile.ZipFile(_PACKAGE, "w") as _archive:
    _archive.writestr("handler.py", "def handle(event, context):\n    return event\n")


def _plant_function(p: _Planter, region: str, _: int) -> None:
    p.client("lambda", region).create_function(
        FunctionName=p.name("fn"),
        Runtime="python3.11",
        Role=p.role,
        Handler="handler.handle",
        Code={"ZipFile": _PACKAGE.getvalue()},
        Tags=p.tags(),
    )


def _plant_table(p: _Planter, region: str, _: int) -> None:
    tags = p.tags()
    p.client("dynamodb", region).create_table(
        TableName=p.name("table"),
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        **({"Tags": _key_values(tags)} if tags else {}),
    )


def _plant_queue(p: _Planter, region: str, _: int) -> None:
    p.client("sqs", region).create_queue(QueueName=p.name("queue"), tags=p.tags())


def _plant_topic(p: _Planter, region: str, _: int) -> None:
    p.client("sns", region).create_topic(Name=p.name("topic"), Tags=_key_values(p.tags()))


def _plant_ecs_cluster(p: _Planter, region: str, _: int) -> None:
    p.client("ecs", region).create_cluster(clusterName=p.name("ecs"), tags=_key_values(p.tags(), "key", "value"))


def _default_subnets(p: _Planter, region: str) -> list[str]:
    found = p.client("ec2", region).describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
    return [subnet["SubnetId"] for subnet in found["Subnets"]][:2]


def _plant_eks_cluster(p: _Planter, region: str, _: int) -> None:
    p.client("eks", region).create_cluster(
        name=p.name("eks"), roleArn=p.role, resourcesVpcConfig={"subnetIds": _default_subnets(p, region)}, tags=p.tags()
    )


def _plant_alb(p: _Planter, region: str, _: int) -> None:
    tags = p.tags()
    p.client("elbv2", region).create_load_balancer(
        Name=p.name("alb"), Subnets=_default_subnets(p, region), **({"Tags": _key_values(tags)} if tags else {})
    )


def _plant_classic_elb(p: _Planter, region: str, _: int) -> None:
    tags = p.tags()
    p.client("elb", region).create_load_balancer(
        LoadBalancerName=p.name("elb"),
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        AvailabilityZones=[f"{region}a"],
        **({"Tags": _key_values(tags)} if tags else {}),
    )


def _plant_log_group(p: _Planter, region: str, _: int) -> None:
    tags = p.tags()
    p.client("logs", region).create_log_group(logGroupName=p.name("/bench/group"), **({"tags": tags} if tags else {}))


def _plant_key(p: _Planter, region: str, _: int) -> None:
    p.client("kms", region).create_key(Tags=_key_values(p.tags(), "TagKey", "TagValue"))


def _plant_repository(p: _Planter, region: str, _: int) -> None:
    p.client("ecr", region).create_repository(repositoryName=p.name("repo"), tags=_key_values(p.tags()))


_PLANTERS: Mapping[str, Callable[[_Planter, str, int], None]] = {
    "ec2:instance": _plant_instances,
    "ec2:volume": _plant_volume,
    "ec2:snapshot": _plant_snapshot,
    "ec2:security-group": _plant_security_group,
    "ec2:network-interface": _plant_interface,
    "ec2:elastic-ip": _plant_address,
    "s3:bucket": _plant_bucket,
    "rds:db": _plant_db,
    "lambda:function": _plant_function,
    "dynamodb:table": _plant_table,
    "sqs:queue": _plant_queue,
    "sns:topic": _plant_topic,
    "ecs:cluster": _plant_ecs_cluster,
    "eks:cluster": _plant_eks_cluster,
    "elasticloadbalancing:loadbalancer/app": _plant_alb,
    "elasticloadbalancing:loadbalancer": _plant_classic_elb,
    "logs:log-group": _plant_log_group,
    "kms:key": _plant_key,
    "ecr:repository": _plant_repository,
}


# --- scanning and reporting --------------------------------------------------------------------


def _scan(
    endpoint: str, regions: tuple[str, ...], workers: int, tag_source: TagSource
) -> tuple[list[Resource], CollectStats, float]:
    environ = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": regions[0],
        "AWS_ENDPOINT_URL": endpoint,
    }
    stats = CollectStats()
    started = time.perf_counter()
    resources = list(
        AwsCollector(max_workers=workers, tag_source=tag_source).collect(
            CollectorOptions(regions=regions, environ=environ), stats
        )
    )
    return resources, stats, time.perf_counter() - started


def _floor(operation: str, found: Mapping[tuple[str, str], int], regions: tuple[str, ...]) -> int:
    floor = FLOORS[operation]
    if floor.per_account and floor.listing:
        total = sum(found[(region, kind)] for region in regions for kind in floor.types)
        return max(1, math.ceil(total / floor.per_call))
    calls = 0
    for region in regions:
        count = sum(found[(region, kind)] for kind in floor.types)
        calls += max(1 if floor.listing else 0, math.ceil(count / floor.per_call))
    return calls


def _report(resources: list[Resource], stats: CollectStats, seconds: float, regions: tuple[str, ...]) -> None:
    found: defaultdict[tuple[str, str], int] = defaultdict(int)
    for resource in resources:
        found[(resource.region or "", resource.type)] += 1
    total = len(resources)
    print(
        f"\nscan: {total} resources, {stats.total_calls} API calls in {seconds:.2f} s "
        f"({total / seconds:.0f} resources/s against moto), failures: {len(stats.failures)}, "
        f"throttles {stats.throttles}, retries {stats.retries}, missing permissions {len(stats.missing_permissions)}"
    )
    minimum, tag_reads = _print_table(stats, found, regions, 1000 / total)
    sweeps = stats.api_calls.get(GET_RESOURCES, 0)
    _print_floors(stats.total_calls, minimum, tag_reads, sweeps, _tagging_api_calls(found, regions), 1000 / total)
    by_type = Counter(resource.type for resource in resources)
    print("found by type: " + ", ".join(f"{kind} {count}" for kind, count in sorted(by_type.items())))


def _print_table(
    stats: CollectStats, found: Mapping[tuple[str, str], int], regions: tuple[str, ...], per_thousand: float
) -> tuple[int, int]:
    """One line per operation; returns the floor of all of them and of the per-resource tag reads."""
    print(f"\n{'operation':34} {'calls':>7} {'/1k res':>8} {'minimum':>8} {'ratio':>6}")
    minimum = tag_reads = 0
    for operation, calls in sorted(stats.api_calls.items()):
        floor = _floor(operation, found, regions) if operation in FLOORS else calls
        ratio = f"{calls / floor:.2f}" if floor else "-"
        print(f"{operation:34} {calls:>7} {calls * per_thousand:>8.1f} {floor:>8} {ratio:>6}")
        minimum += floor
        if operation in FLOORS and FLOORS[operation].tag_read:
            tag_reads += floor
    made = stats.total_calls
    print(f"{'total':34} {made:>7} {made * per_thousand:>8.1f} {minimum:>8} {made / minimum:>6.2f}")
    return minimum, tag_reads


def _tagging_api_calls(found: Mapping[tuple[str, str], int], regions: tuple[str, ...]) -> int:
    tagged_one_by_one = [kind for floor in FLOORS.values() if floor.tag_read for kind in floor.types]
    return sum(
        math.ceil(sum(found[(region, kind)] for kind in tagged_one_by_one) / TAGGING_API_BATCH) for region in regions
    )


def _print_floors(made: int, minimum: int, tag_reads: int, sweeps: int, tagging_api: int, per_thousand: float) -> None:
    """``sweeps``: the GetResources calls made, in ``minimum`` as made; the second floor counts its own."""
    print(
        f"\nfloor with these APIs: {minimum} calls ({minimum * per_thousand:.0f} per 1,000 resources); "
        f"made / floor = {made / minimum:.2f}"
    )
    with_tagging_api = minimum - tag_reads - sweeps + tagging_api
    print(
        f"floor if the {tag_reads} per-resource tag reads (and {sweeps} GetResources made) were {tagging_api} "
        "Tagging API GetResources calls "
        f"of 100 ARNs: {with_tagging_api} calls ({with_tagging_api * per_thousand:.0f} per 1,000 resources); "
        f"made / that floor = {made / with_tagging_api:.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
