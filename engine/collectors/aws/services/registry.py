"""The service readers the AWS collector runs, listed explicitly: adding a service is adding a line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
    sns,
    sqs,
)
from tagwarden.engine.collectors.aws.services.base import ServiceReader

DEFAULT_READERS: tuple[ServiceReader, ...] = (
    ec2.READER,
    s3.READER,
    rds.READER,
    lambda_.READER,
    dynamodb.READER,
    sqs.READER,
    sns.READER,
    ecs.READER,
    eks.READER,
    elbv2.READER,
    elb.READER,
    logs.READER,
    kms.READER,
    ecr.READER,
)


def readers_by_name(readers: Iterable[ServiceReader] = DEFAULT_READERS) -> Mapping[str, ServiceReader]:
    """Raises ``ValueError`` when two readers share a name, or two readers yield the same type."""
    by_name: dict[str, ServiceReader] = {}
    type_owner: dict[str, str] = {}
    for reader in readers:
        if reader.name in by_name:
            raise ValueError(f"two AWS service readers are named {reader.name!r}")
        by_name[reader.name] = reader
        for resource_type in reader.resource_types:
            if resource_type in type_owner:
                raise ValueError(f"{resource_type} is read by both {type_owner[resource_type]} and {reader.name}")
            type_owner[resource_type] = reader.name
    return by_name


def select(
    names: Iterable[str] | None = None, readers: Iterable[ServiceReader] = DEFAULT_READERS
) -> tuple[ServiceReader, ...]:
    """The readers of the given service names (all of them when None); an unknown name raises ``KeyError``."""
    by_name = readers_by_name(readers)
    if names is None:
        return tuple(by_name.values())
    unknown = sorted(set(names) - by_name.keys())
    if unknown:
        raise KeyError(f"unknown AWS service(s): {', '.join(unknown)}; known: {', '.join(sorted(by_name))}")
    return tuple(by_name[name] for name in names)
