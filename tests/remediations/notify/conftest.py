"""A real SMTP server and a local webhook receiver, started per test on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from http_receiver import Receiver, receiving
from smtp_receiver import Mailbox, smtp_server


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server(Mailbox()) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving(Receiver()) as running:
        yield running
