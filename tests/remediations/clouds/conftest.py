"""Writable fake ARM and Google servers (the collectors' fakes plus the tag-write APIs), one per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# the collectors' fake servers and planted estates live beside their tests
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "collectors" / "azure_gcp"))

from servers import WritableArmFake, WritableGoogleFake, serving_writable, writable_arm, writable_google


@pytest.fixture
def arm() -> Iterator[WritableArmFake]:
    fake = writable_arm()
    with serving_writable(fake):
        yield fake


@pytest.fixture
def google() -> Iterator[WritableGoogleFake]:
    fake = writable_google()
    with serving_writable(fake):
        yield fake
