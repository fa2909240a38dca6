"""RDS (and Aurora, Neptune, DocumentDB, which share its API): instances and clusters, tags inline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tagwarden.engine.collectors.aws.build import iso_time, tag_map
from tagwarden.engine.collectors.aws.services.base import ReadContext, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 100
MIN_PAGE = 20


class RdsReader:
    name = "rds"
    is_global = False
    iam_actions = ("rds:DescribeDBInstances", "rds:DescribeDBClusters")
    resource_types = ("rds:db", "rds:cluster")

    def read(self, context: ReadContext) -> Iterator[Resource]:
        client = context.client("rds")
        yield from skip_denied(_instances(context, client))
        yield from skip_denied(_clusters(context, client))


READER = RdsReader()


def _instances(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_db_instances", MAX_PAGE, MIN_PAGE):
        for db in page["DBInstances"]:
            yield context.resource(
                "rds:db",
                db["DBInstanceArn"],
                db["DBInstanceIdentifier"],
                tag_map(db.get("TagList")),
                created_at=iso_time(db.get("InstanceCreateTime")),
            )


def _clusters(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_db_clusters", MAX_PAGE, MIN_PAGE):
        for cluster in page["DBClusters"]:
            yield context.resource(
                "rds:cluster",
                cluster["DBClusterArn"],
                cluster["DBClusterIdentifier"],
                tag_map(cluster.get("TagList")),
                created_at=iso_time(cluster.get("ClusterCreateTime")),
            )
