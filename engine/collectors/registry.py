"""Every live collector, by the word that names it on the command line."""

from __future__ import annotations

from collections.abc import Callable

from tagwarden.engine.collectors.interface import Collector, CollectorError


def _aws(tag_source: str = "tagging-api") -> Collector:
    from tagwarden.engine.collectors.aws import AwsCollector

    if tag_source not in ("tagging-api", "per-resource"):
        raise CollectorError(f"unknown tag source {tag_source!r} (tagging-api or per-resource)")
    return AwsCollector(tag_source=tag_source)  # type: ignore[arg-type]


def _azure() -> Collector:
    from tagwarden.engine.collectors.azure import AzureCollector

    return AzureCollector()


def _gcp() -> Collector:
    from tagwarden.engine.collectors.gcp import GcpCollector

    return GcpCollector()


# Factories, so that naming a cloud imports only that cloud's SDK.
COLLECTORS: dict[str, Callable[..., Collector]] = {"aws": _aws, "azure": _azure, "gcp": _gcp}


def get_collector(name: str, *, aws_tag_source: str = "tagging-api") -> Collector:
    factory = COLLECTORS.get(name)
    if factory is None:
        raise CollectorError(f"unknown source {name!r} (expected one of: {', '.join(COLLECTORS)}, inventory)")
    return factory(tag_source=aws_tag_source) if name == "aws" else factory()
