"""One moto server for the whole session, the resources planted in it once, and the fault proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_moto_support import Estate, FaultProxy, plant_estate
from moto_fixtures import isolate_aws_environment, moto_server


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(autouse=True)
def _isolated_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture(scope="session")
def estate(moto_url: str) -> Estate:
    return plant_estate(moto_url)


@pytest.fixture(scope="session")
def _proxy_server(moto_url: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(moto_url)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def proxy(_proxy_server: FaultProxy) -> Iterator[FaultProxy]:
    _proxy_server.reset()
    yield _proxy_server
    _proxy_server.reset()
