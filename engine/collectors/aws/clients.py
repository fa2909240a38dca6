"""botocore clients: one per (service, region) and set of credentials, made once and shared by the workers."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from tagwarden.engine.collectors.aws.calls import CallRecorder
from tagwarden.engine.collectors.aws.sdk import Config, UnknownRegionError, boto3
from tagwarden.engine.collectors.interface import CollectorOptions, check_endpoint

RETRIES: Mapping[str, Any] = {"mode": "adaptive", "max_attempts": 10}


def resolve_endpoint(options: CollectorOptions) -> str | None:
    """``--endpoint`` first, then ``AWS_ENDPOINT_URL`` of the environment given; both must pass check_endpoint."""
    endpoint = options.endpoint or options.environ.get("AWS_ENDPOINT_URL")
    return check_endpoint(endpoint) if endpoint else None


def client_config(endpoint: str | None, pool_size: int) -> Config:
    return Config(
        retries=dict(RETRIES),
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=pool_size,
        user_agent_extra="tagwarden",
        # Emulators and private endpoints do not resolve bucket.host names.
        s3={"addressing_style": "path"} if endpoint else None,
    )


class ClientPool:
    """The clients of one set of credentials. boto3 sessions are not thread-safe, clients are:
    clients are made under a lock and then used freely."""

    def __init__(self, session: boto3.Session, endpoint: str | None, recorder: CallRecorder, pool_size: int) -> None:
        self.session = session
        self._endpoint = endpoint
        self.recorder = recorder
        self._config = client_config(endpoint, pool_size)
        self._clients: dict[tuple[str, str], Any] = {}
        self._partitions: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self.session.client(
                    service, region_name=region, endpoint_url=self._endpoint, config=self._config
                )
                self.recorder.attach(client)
                self._clients[key] = client
            return client

    def partition(self, region: str) -> str:
        """``aws``, ``aws-cn``, ``aws-us-gov``...: the first word of every ARN in that region."""
        with self._lock:
            if region not in self._partitions:
                try:
                    self._partitions[region] = str(self.session.get_partition_for_region(region))
                except UnknownRegionError:  # botocore's tables lag new regions
                    self._partitions[region] = _partition_guess(region)
            return self._partitions[region]


def _partition_guess(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
