"""Fake ARM and Cloud Asset servers, started per test on a free loopback port, with planted resources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_cloud_servers import ArmFake, AssetFake, serving
from planted_clouds import planted_arm, planted_assets


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
