"""Fake ARM and Cloud Asset servers, started per test on a free loopback port, with planted resources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_cloud_servers import ArmFake, AssetFake, serving
from planted_clouds import planted_arm, planted_assets


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def arm() -> Iterator[ArmFake]:
    fake = planted_arm()
    with serving(fake):
        yield fake


@pytest.fixture
def asset() -> Iterator[AssetFake]:
    fake = planted_assets()
    with serving(fake):
        yield fake
