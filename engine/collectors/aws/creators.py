"""Who created each resource, from CloudTrail's management events (it keeps the last 90 days).

LookupEvents is limited by AWS to 2 calls a second per account and region, and takes a single
lookup attribute. Asking per resource would cost one paced call per resource; instead the create
events of each event name are read once per region, 50 a page, and every resource of that region
is matched against them (by ARN, id or name) — one pass per event name, cached for the region.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tagwarden.engine.collectors.aws.build import iso_time
from tagwarden.engine.collectors.aws.sdk import BotoCoreError, ClientError
from tagwarden.engine.resources import Resource

EVENTS_PAGE = 50
_MAX_LEAVES = 200  # strings read from one event's parameters when looking for resource ids

# live type -> (event source, event names that create it)
CREATE_EVENTS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "ec2:instance": ("ec2.amazonaws.com", ("RunInstances",)),
    "ec2:volume": ("ec2.amazonaws.com", ("CreateVolume",)),
    "ec2:snapshot": ("ec2.amazonaws.com", ("CreateSnapshot", "CreateSnapshots", "CopySnapshot")),
    "ec2:image": ("ec2.amazonaws.com", ("CreateImage", "RegisterImage", "CopyImage")),
    "ec2:security-group": ("ec2.amazonaws.com", ("CreateSecurityGroup",)),
    "ec2:vpc": ("ec2.amazonaws.com", ("CreateVpc", "CreateDefaultVpc")),
    "ec2:subnet": ("ec2.amazonaws.com", ("CreateSubnet", "CreateDefaultSubnet")),
    "ec2:network-interface": ("ec2.amazonaws.com", ("CreateNetworkInterface",)),
    "ec2:elastic-ip": ("ec2.amazonaws.com", ("AllocateAddress",)),
    "ec2:natgateway": ("ec2.amazonaws.com", ("CreateNatGateway",)),
    "s3:bucket": ("s3.amazonaws.com", ("CreateBucket",)),
    "rds:db": ("rds.amazonaws.com", ("CreateDBInstance", "RestoreDBInstanceFromDBSnapshot")),
    "rds:cluster": ("rds.amazonaws.com", ("CreateDBCluster", "RestoreDBClusterFromSnapshot")),
    "lambda:function": ("lambda.amazonaws.com", ("CreateFunction20150331",)),
    "dynamodb:table": ("dynamodb.amazonaws.com", ("CreateTable",)),
    "sqs:queue": ("sqs.amazonaws.com", ("CreateQueue",)),
    "sns:topic": ("sns.amazonaws.com", ("CreateTopic",)),
    "ecs:cluster": ("ecs.amazonaws.com", ("CreateCluster",)),
    "eks:cluster": ("eks.amazonaws.com", ("CreateCluster",)),
    "elasticloadbalancing:loadbalancer": ("elasticloadbalancing.amazonaws.com", ("CreateLoadBalancer",)),
    "elasticloadbalancing:loadbalancer/app": ("elasticloadbalancing.amazonaws.com", ("CreateLoadBalancer",)),
    "elasticloadbalancing:loadbalancer/net": ("elasticloadbalancing.amazonaws.com", ("CreateLoadBalancer",)),
    "elasticloadbalancing:loadbalancer/gwy": ("elasticloadbalancing.amazonaws.com", ("CreateLoadBalancer",)),
    "logs:log-group": ("logs.amazonaws.com", ("CreateLogGroup",)),
    "kms:key": ("kms.amazonaws.com", ("CreateKey",)),
    "ecr:repository": ("ecr.amazonaws.com", ("CreateRepository",)),
}


@dataclass(frozen=True)
class Creation:
    created_by: str
    created_at: str | None


@dataclass(frozen=True)
class _Event:
    source: str
    creation: Creation
    names: frozenset[str]  # every id, name and ARN the event mentions


class Pacer:
    """At most ``rate`` calls a second, across threads."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            time.sleep(delay)


class CreatorIndex:
    """The create events of one account and region, read once per event name and kept."""

    def __init__(self, cloudtrail: Any, rate: float, max_pages: int, on_failure: Callable[[Exception], None]) -> None:
        self._cloudtrail = cloudtrail
        self._on_failure = on_failure
        self._failed = False
        self._pacer = Pacer(rate)
        self._max_pages = max_pages
        self._created: dict[str, Mapping[tuple[str, str], Creation]] = {}
        self._lock = threading.Lock()

    def enrich(self, resources: Iterable[Resource]) -> Iterator[Resource]:
        for resource in resources:
            creation = self.creation_of(resource)
            if creation is None:
                yield resource
                continue
            context = dict(resource.context)
            context["created_by"] = creation.created_by
            if creation.created_at and not context.get("created_at"):
                context["created_at"] = creation.created_at
            yield dataclasses.replace(resource, context=context)

    def creation_of(self, resource: Resource) -> Creation | None:
        source, event_names = CREATE_EVENTS.get(resource.type, ("", ()))
        keys = _keys_of(resource)
        for event_name in event_names:
            created = self._index_of(event_name)
            found = next((created[(source, key)] for key in keys if (source, key) in created), None)
            if found is not None:
                return found
        return None

    def _index_of(self, event_name: str) -> Mapping[tuple[str, str], Creation]:
        """(event source, id/name/ARN) -> the creation; read on first use."""
        with self._lock:  # one lookup per region at a time: the 2 calls/s limit is per region
            if event_name not in self._created:
                self._created[event_name] = self._read_index(event_name)
            return self._created[event_name]

    def _read_index(self, event_name: str) -> Mapping[tuple[str, str], Creation]:
        created: dict[tuple[str, str], Creation] = {}
        if self._failed:
            return created
        try:
            # Events come newest first: the last one seen for a name is the one that created it.
            for event in self._lookup(event_name):
                created.update(((event.source, name), event.creation) for name in event.names)
        except (ClientError, BotoCoreError) as error:
            self._failed = True  # denied or broken here: no more CloudTrail calls in this region
            self._on_failure(error)
        return created

    def _lookup(self, event_name: str) -> Iterator[_Event]:
        params: dict[str, Any] = {
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": event_name}],
            "MaxResults": EVENTS_PAGE,
        }
        for _ in range(self._max_pages):
            self._pacer.wait()
            page = self._cloudtrail.lookup_events(**params)
            for raw in page.get("Events", ()):
                event = _parse(raw)
                if event is not None:
                    yield event
            token = page.get("NextToken")
            if not token:
                return
            params["NextToken"] = token


def _keys_of(resource: Resource) -> frozenset[str]:
    arn = resource.id or resource.address
    short_id = arn.rsplit("/", 1)[-1] if "/" in arn else arn.rsplit(":", 1)[-1]
    keys = {arn, short_id}
    if not resource.type.startswith("ec2:") and resource.name:
        keys.add(resource.name)  # EC2 names are Name tags, which events do not carry as ids
    return frozenset(keys)


def _parse(raw: Mapping[str, Any]) -> _Event | None:
    try:
        detail = json.loads(raw.get("CloudTrailEvent") or "{}")
    except ValueError:
        detail = {}
    if detail.get("errorCode"):
        return None  # a create call that failed created nothing
    identity = detail.get("userIdentity") or {}
    who = identity.get("arn") or identity.get("invokedBy") or raw.get("Username")
    if not who:
        return None
    names = {str(item.get("ResourceName")) for item in raw.get("Resources") or () if item.get("ResourceName")}
    names.update(_leaves(detail.get("responseElements")))
    names.update(_leaves(detail.get("requestParameters")))
    source = str(raw.get("EventSource") or detail.get("eventSource") or "")
    return _Event(source, Creation(str(who), iso_time(raw.get("EventTime"))), frozenset(names))


def _leaves(value: Any) -> Iterator[str]:
    pending = [value]
    seen = 0
    while pending and seen < _MAX_LEAVES:
        item = pending.pop()
        if isinstance(item, str):
            seen += 1
            yield item
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
