"""A full scan of the planted estate (two regions, every service) against moto over HTTP."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pytest
from aws_moto_support import MAIN_ACCOUNT, PAGED_QUEUES, REGION_A, REGION_B, SCAN_PAGE_SIZE, Estate, options_for

from tagwarden.engine.collectors.aws import AwsCollector
from tagwarden.engine.collectors.interface import CollectStats
from tagwarden.engine.resources import Resource, Taggability

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@dataclass(frozen=True)
class Scan:
    resources: list[Resource]
    stats: CollectStats
    progress: list[tuple[str, int]]

    def by_arn(self) -> dict[str, Resource]:
        return {resource.id or resource.address: resource for resource in self.resources}


@pytest.fixture(scope="module")
def scan(moto_url: str, estate: Estate) -> Scan:
    stats = CollectStats()
    progress: list[tuple[str, int]] = []
    collector = AwsCollector(max_page_size=SCAN_PAGE_SIZE)
    resources = list(
        collector.collect(options_for(moto_url), stats, lambda what, count: progress.append((what, count)))
    )
    return Scan(resources, stats, progress)


MAIN_ACCOUNT_LABELS = [
    "instance_missing_owner",
    "instance_tagged",
    "instance_from_cloudformation",
    "instance_missing_owner_b",
    "volume_never_tagged",
    "volume_mistagged",
    "snapshot_tagged",
    "image_never_tagged",
    "vpc_tagged",
    "subnet_never_tagged",
    "security_group_managed_by_terraform",
    "eni_never_tagged",
    "eip_tagged",
    "nat_gateway_missing_costcenter",
    "bucket_never_tagged",
    "bucket_tagged",
    "db_instance_tagged",
    "db_cluster_missing_owner",
    "table_never_tagged",
    "function_tagged",
    "queue_never_tagged",
    "queue_tagged",
    "topic_mistagged",
    "ecs_cluster_missing_costcenter",
    "eks_cluster_tagged",
    "alb_missing_costcenter",
    "nlb_never_tagged",
    "classic_elb_never_tagged",
    "log_group_never_tagged",
    "log_group_missing_costcenter",
    "key_tagged",
    "repository_missing_costcenter",
]


@pytest.mark.parametrize("label", MAIN_ACCOUNT_LABELS)
def test_every_planted_resource_arrives_with_exact_type_arn_region_and_tags(
    scan: Scan, estate: Estate, label: str
) -> None:
    planted = estate.resources[label]
    found = scan.by_arn().get(planted.arn)
    assert found is not None, f"{label}: {planted.arn} not found"
    assert found.provider == "aws"
    assert found.type == planted.type
    assert found.address == found.id == planted.arn
    assert found.account == MAIN_ACCOUNT
    assert found.region == planted.region
    assert dict(found.tags.known) == dict(planted.tags)
    assert not found.tags.is_open
    assert found.taggability is Taggability.TAGGABLE
    if planted.name is not None:
        assert found.name == planted.name


def test_labels_cover_every_planted_resource_of_the_main_account(estate: Estate) -> None:
    main = {label for label, planted in estate.resources.items() if planted.account == MAIN_ACCOUNT}
    assert main == set(MAIN_ACCOUNT_LABELS)


def test_every_type_the_brief_names_is_read(scan: Scan) -> None:
    types = {resource.type for resource in scan.resources}
    expected = {
        "ec2:instance",
        "ec2:volume",
        "ec2:snapshot",
        "ec2:image",
        "ec2:security-group",
        "ec2:vpc",
        "ec2:subnet",
        "ec2:network-interface",
        "ec2:elastic-ip",
        "ec2:natgateway",
        "s3:bucket",
        "rds:db",
        "rds:cluster",
        "lambda:function",
        "dynamodb:table",
        "sqs:queue",
        "sns:topic",
        "ecs:cluster",
        "eks:cluster",
        "elasticloadbalancing:loadbalancer",
        "elasticloadbalancing:loadbalancer/app",
        "elasticloadbalancing:loadbalancer/net",
        "logs:log-group",
        "kms:key",
        "ecr:repository",
    }
    assert expected <= types


def test_each_resource_arrives_once_and_only_from_the_scanned_account_and_regions(scan: Scan) -> None:
    counts = Counter(resource.id for resource in scan.resources)
    assert [arn for arn, count in counts.items() if count > 1] == []
    assert {resource.account for resource in scan.resources} == {MAIN_ACCOUNT}
    assert {resource.region for resource in scan.resources} == {REGION_A, REGION_B}


def test_terminated_instances_are_left_out(scan: Scan, estate: Estate) -> None:
    assert estate.absent["instance_terminated"] not in scan.by_arn()


def test_the_scan_is_complete_and_counted(scan: Scan) -> None:
    stats = scan.stats
    assert stats.failures == []
    assert stats.complete
    assert stats.missing_permissions == set()
    assert stats.throttles == 0
    assert stats.resources == len(scan.resources)
    assert stats.api_calls["sts.GetCallerIdentity"] == 1
    assert stats.api_calls["ec2.DescribeInstances"] == 2  # one page per region
    assert stats.total_calls == sum(stats.api_calls.values())


def test_more_than_one_page_of_queues_all_arrive(scan: Scan, estate: Estate) -> None:
    found = {resource.id for resource in scan.resources if resource.region == REGION_B and resource.type == "sqs:queue"}
    assert found == set(estate.paged_queue_arns)
    assert len(found) == PAGED_QUEUES
    pages_in_b = -(-PAGED_QUEUES // SCAN_PAGE_SIZE)
    assert scan.stats.api_calls["sqs.ListQueues"] == pages_in_b + 1  # + the one page of region A


def test_system_tags_are_kept_apart_and_show_cloudformation(scan: Scan, estate: Estate) -> None:
    found = scan.by_arn()[estate.resources["instance_from_cloudformation"].arn]
    assert "aws:cloudformation:stack-id" not in found.tags.known
    assert found.context["system_tags"]["aws:cloudformation:stack-id"].startswith("arn:aws:cloudformation:")
    assert found.context["managed_by"] == "cloudformation"


def test_terraform_managed_by_tag_is_recognised(scan: Scan, estate: Estate) -> None:
    found = scan.by_arn()[estate.resources["security_group_managed_by_terraform"].arn]
    assert found.context["managed_by"] == "terraform"
    assert "managed_by" not in scan.by_arn()[estate.resources["instance_tagged"].arn].context


def test_vpc_scoped_resources_name_their_vpc_as_parent(scan: Scan, estate: Estate) -> None:
    vpc = estate.resources["vpc_tagged"].arn
    for label in ("subnet_never_tagged", "security_group_managed_by_terraform", "eni_never_tagged"):
        assert scan.by_arn()[estate.resources[label].arn].context["parent"] == vpc


@pytest.mark.parametrize(
    "label",
    [
        "instance_tagged",
        "volume_never_tagged",
        "snapshot_tagged",
        "bucket_tagged",
        "db_instance_tagged",
        "log_group_never_tagged",
    ],
)
def test_creation_times_are_iso_utc(scan: Scan, estate: Estate, label: str) -> None:
    created = scan.by_arn()[estate.resources[label].arn].context["created_at"]
    assert ISO_UTC.match(created), created


def test_progress_reports_each_region_and_service_with_a_growing_count(scan: Scan) -> None:
    labels = [what for what, _ in scan.progress]
    assert any(f"{REGION_A} ec2" in label for label in labels)
    assert any(f"{REGION_B} sqs" in label for label in labels)
    assert any(label.endswith(" s3") for label in labels)
    counts = [count for _, count in scan.progress]
    assert counts == sorted(counts)
    assert counts[-1] == len(scan.resources)
