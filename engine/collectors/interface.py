"""The interface every live collector implements (AWS, Azure, GCP, inventory files).

A collector turns one cloud's APIs into :class:`Resource` objects, streaming them so that a large
estate never sits in memory whole. Failures of one region or account are recorded in
``CollectStats`` and the collection goes on; only a collector that cannot run at all (no
credentials, a bad endpoint) raises ``CollectorError``, which the CLI turns into exit code 2.
Cloud SDKs are imported inside the collector modules, never at import of this package.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlparse

from tagwarden.engine.resources import Resource


class CollectorError(Exception):
    """The collector cannot run at all; the message carries the cloud's own reason."""


@dataclass(frozen=True)
class CollectorOptions:
    endpoint: str | None = None  # --endpoint: sovereign clouds, private endpoints, emulators
    regions: tuple[str, ...] = ()  # aws --regions (empty: every enabled region)
    profiles: tuple[str, ...] = ()  # aws --profile, repeatable
    org_role: str | None = None  # aws --org-role: assume it in every account of the organisation
    subscriptions: tuple[str, ...] = ()  # azure --subscriptions (empty: all the identity sees)
    scope: str | None = None  # gcp --scope organizations/ID | folders/ID | projects/ID
    anonymous: bool = False  # gcp --anonymous (emulators and test servers)
    with_creators: bool = False  # look up who created each resource (CloudTrail, Activity Log)
    aws_tag_source: str = "tagging-api"  # or "per-resource" (see AwsCollector)
    environ: Mapping[str, str] = field(default_factory=dict)


@dataclass
class CollectStats:
    """What a collection cost and what it could not see; printed after every scan."""

    api_calls: Counter[str] = field(default_factory=Counter)  # by "service.Operation"
    throttles: int = 0
    retries: int = 0
    missing_permissions: set[str] = field(default_factory=set)  # "ec2:DescribeVolumes", ...
    failures: list[str] = field(default_factory=list)  # "eu-west-1: <reason>", "account 1111: <reason>"
    resources: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.api_calls.values())

    @property
    def complete(self) -> bool:
        return not self.failures


ProgressCallback = Callable[[str, int], None]  # (what is being read now, resources so far)


class Collector(Protocol):
    name: str  # the `tagwarden scan NAME` word: aws, azure, gcp

    def collect(
        self, options: CollectorOptions, stats: CollectStats, progress: ProgressCallback | None = None
    ) -> Iterator[Resource]: ...


def check_endpoint(endpoint: str) -> str:
    """Plain http only to loopback (emulators, test servers); anywhere else TLS is required."""
    parsed = urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise CollectorError(f"--endpoint {endpoint!r} is not an http(s) URL")
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        raise CollectorError(f"--endpoint {endpoint!r}: plain http is accepted only on loopback; use https")
    return endpoint.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
