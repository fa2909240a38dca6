"""The AWS collector's parts that need no cloud: the reader registry, resource building, streaming."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tagwarden.engine.collectors.aws import AwsCollector
from tagwarden.engine.collectors.aws.build import TagsDenied, iso_time, make_resource, managed_by
from tagwarden.engine.collectors.aws.services.base import ReadContext
from tagwarden.engine.collectors.aws.services.registry import DEFAULT_READERS, readers_by_name, select
from tagwarden.engine.collectors.aws.streaming import Task, TaskDone, stream
from tagwarden.engine.collectors.interface import CollectorOptions
from tagwarden.engine.resources import Resource, Taggability
from tagwarden.engine.taggability.registry import default_registry


class _Reader:
    def __init__(self, name: str, types: tuple[str, ...]) -> None:
        self.name = name
        self.resource_types = types
        self.iam_actions: tuple[str, ...] = ()
        self.is_global = False

    def read(self, context: ReadContext) -> Iterator[Resource]:
        return iter(())


def test_the_registry_refuses_two_readers_of_one_name() -> None:
    with pytest.raises(ValueError, match="two AWS service readers are named 'ec2'"):
        readers_by_name([*DEFAULT_READERS, _Reader("ec2", ())])


def test_the_registry_refuses_two_readers_of_one_type() -> None:
    with pytest.raises(ValueError, match="sqs:queue is read by both sqs and queues"):
        readers_by_name([*DEFAULT_READERS, _Reader("queues", ("sqs:queue",))])


def test_unknown_service_names_are_refused() -> None:
    with pytest.raises(KeyError, match="unknown AWS service"):
        select(["ec2", "route53"])


@pytest.mark.parametrize("reader", DEFAULT_READERS, ids=lambda reader: reader.name)
def test_every_type_read_is_a_taggable_live_type_of_the_registry(reader: object) -> None:
    for resource_type in reader.resource_types:  # type: ignore[attr-defined]
        assert default_registry().info(resource_type).taggability is Taggability.TAGGABLE, resource_type
    assert all(":" in action for action in reader.iam_actions)  # type: ignore[attr-defined]


def test_required_permissions_follow_the_options() -> None:
    collector = AwsCollector()
    plain = collector.required_permissions(CollectorOptions())
    assert {"sts:GetCallerIdentity", "ec2:DescribeVolumes", "s3:ListAllMyBuckets", "kms:ListResourceTags"} <= set(plain)
    assert "sts:AssumeRole" not in plain
    full = collector.required_permissions(CollectorOptions(org_role="Audit", with_creators=True))
    assert {"organizations:ListAccounts", "sts:AssumeRole", "cloudtrail:LookupEvents"} <= set(full)


def _resource(tags: dict[str, str] | TagsDenied) -> Resource:
    return make_resource(
        resource_type="ec2:instance",
        arn="arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
        name="i-1",
        account="111122223333",
        region="eu-west-1",
        tags=tags,
    )


def test_aws_system_tags_are_not_user_tags() -> None:
    resource = _resource({"Owner": "a", "aws:autoscaling:groupName": "web", "AWS:Foo": "x"})
    assert dict(resource.tags.known) == {"Owner": "a"}
    assert resource.context["system_tags"] == {"aws:autoscaling:groupName": "web", "AWS:Foo": "x"}
    assert "managed_by" not in resource.context


def test_tags_that_may_not_be_read_are_unknown_not_missing() -> None:
    resource = _resource(TagsDenied("ec2:DescribeTags"))
    assert resource.tags.is_open
    assert resource.tags.open_deps == ("permission ec2:DescribeTags",)


@pytest.mark.parametrize(
    ("user", "system", "expected"),
    [
        ({}, {"aws:cloudformation:stack-name": "web"}, "cloudformation"),
        ({"managed-by": "terraform"}, {}, "terraform"),
        ({"ManagedBy": "Terraform Cloud"}, {}, "terraform"),
        ({"Terraform": "true"}, {}, "terraform"),
        ({"iac": "pulumi"}, {}, "pulumi"),
        ({"managed_by": "CDK"}, {}, "cloudformation"),
        ({"ManagedBy": "platform-team"}, {}, None),
        ({"Terraform": "false"}, {}, None),
    ],
)
def test_managed_by(user: dict[str, str], system: dict[str, str], expected: str | None) -> None:
    assert managed_by(user, system) == expected


@pytest.mark.parametrize(
    ("value", "millis", "expected"),
    [
        (datetime(2026, 9, 30, 14, 0, tzinfo=timezone(timedelta(hours=2))), False, "2026-09-30T12:00:00Z"),
        (datetime(2026, 9, 30, 12, 0), False, "2026-09-30T12:00:00Z"),
        ("2026-09-30T12:00:00.000Z", False, "2026-09-30T12:00:00Z"),
        (1790769600000, True, "2026-09-30T12:00:00Z"),
        (datetime(2026, 9, 30, 12, 0, tzinfo=UTC).timestamp(), False, "2026-09-30T12:00:00Z"),
        (None, False, None),
    ],
)
def test_iso_time(value: object, millis: bool, expected: str | None) -> None:
    assert iso_time(value, epoch_millis=millis) == expected  # type: ignore[arg-type]


def test_stream_yields_every_item_and_a_done_per_task() -> None:
    tasks = [Task(f"t{n}", lambda n=n: iter(range(n * 10, n * 10 + 3))) for n in range(5)]
    items = list(stream(tasks, workers=3))
    assert sorted(item for item in items if isinstance(item, int)) == sorted(
        value for n in range(5) for value in range(n * 10, n * 10 + 3)
    )
    assert sorted(item.label for item in items if isinstance(item, TaskDone)) == [f"t{n}" for n in range(5)]


def test_stream_raises_what_escapes_a_task_in_the_callers_thread() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise RuntimeError("reader bug")

    with pytest.raises(RuntimeError, match="reader bug"):
        list(stream([Task("broken", broken)], workers=2))


def test_a_consumer_that_stops_early_stops_the_workers() -> None:
    produced = []
    running = threading.Event()

    def endless() -> Iterator[int]:
        running.set()
        number = 0
        while True:
            produced.append(number)
            yield number
            number += 1

    started = time.monotonic()
    items = stream([Task("endless", endless)], workers=1)
    assert next(items) == 0
    items.close()  # returns once the worker has stopped
    count = len(produced)
    time.sleep(0.3)
    assert len(produced) == count
    assert time.monotonic() - started < 5


def test_importing_the_engine_and_collectors_does_not_import_boto3() -> None:
    code = (
        "import sys, tagwarden.engine, tagwarden.engine.collectors, tagwarden.engine.collectors.interface; "
        "sys.exit(1 if 'boto3' in sys.modules or 'botocore' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
