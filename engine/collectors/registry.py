"""Every live collector, by the word that names it on the command line."""

from __future__ import annotations

from collections.abc import Callable

from tagwarden.engine.collectors.interface import Collector, CollectorError


def _aws() -> Collector:
    from tagwarden.engine.collectors.aws import AwsCollector

    return AwsCollector()


def _azure() -> Collector:
    from tagwarden.engine.collectors.azure import AzureCollector

    return AzureCollector()


def _gcp() -> Collector:
    from tagwarden.engine.collectors.gcp import GcpCollector

    return GcpCollector()


# Factories, so that naming a cloud imports only that cloud's SDK.
COLLECTORS: dict[str, Callable[[], Collector]] = {"aws": _aws, "azure": _azure, "gcp": _gcp}


def get_collector(name: str) -> Collector:
    factory = COLLECTORS.get(name)
    if factory is None:
        raise CollectorError(f"unknown source {name!r} (expected one of: {', '.join(COLLECTORS)}, inventory)")
    return factory()
