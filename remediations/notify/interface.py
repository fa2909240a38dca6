"""The interface every notification channel implements.

A ``Notice`` is what one recipient is told about a set of resources: the findings, the deadline of
the grace period, and the level (0: the owner; 1 and up: escalation). Channels render it (e-mail
through a Jinja2 template, Slack and webhooks as JSON) and deliver it; a delivery that fails raises
``NotifyError`` with the server's own reason, which the remediation run records per notice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


class NotifyError(Exception):
    """A notice could not be delivered; the message names the channel and the server's reason.

    ``failed`` names the recipients whose notices were not delivered (empty: none could be, or the
    channel is misconfigured); a channel tries every notice of a ``send`` before it raises.
    """

    def __init__(self, message: str, failed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.failed: tuple[str, ...] = tuple(failed)


@dataclass(frozen=True)
class NoticeItem:
    resource_id: str
    resource_type: str
    account: str | None
    findings: tuple[str, ...]  # human-readable: "CostCenter is missing"
    planned_changes: tuple[str, ...] = ()  # "CostCenter: (absent) -> cc-1000"


@dataclass(frozen=True)
class Notice:
    recipient: str  # e-mail address, Slack channel or webhook name, as the policy gives it
    subject: str
    items: tuple[NoticeItem, ...]
    level: int = 0  # 0: owner; 1..n: escalation level
    deadline: str | None = None  # ISO date the grace period ends
    run: str | None = None  # remediation run id
    extra: Mapping[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    channel: ClassVar[str]  # smtp | slack | webhook

    def send(self, notices: Sequence[Notice]) -> None: ...
