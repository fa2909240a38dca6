"""A real SMTP server and a local webhook receiver, started per test on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from http_receiver import Receiver, receiving
from smtp_receiver import Mailbox, smtp_server


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server(Mailbox()) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving(Receiver()) as running:
        yield running
