"""The figures a close freezes when no report builder is installed: scan summary and policy only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tagwarden.engine.policy.model import Policy
    from tagwarden.engine.store import Store

MINIMAL_NOTE = "minimal figures: scan summary and policy digest only (no report builder was available)"


def minimal_figures(store: Store, policy: Policy, period: str) -> dict[str, Any]:
    """The REPORT DICT's header, policy, scan and compliance headline, from the latest complete scan."""
    scan = store.latest_complete_scan()
    summary = scan.summary if scan is not None else None
    return {
        "tagwarden": "1",
        "period": period,
        "closed": False,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "policy": {"name": policy.name, "digest": policy.digest},
        "scope": None,
        "scan": None
        if scan is None
        else {
            "id": scan.id,
            "source": scan.source,
            "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
        },
        "compliance": None
        if summary is None
        else {
            "resources": summary.resources,
            "compliant": summary.compliant,
            "score": summary.score,
            "cost_weighted_score": None,
        },
        "allocation": None,
        "accruals": None,
        "adjustments": [],
        "note": MINIMAL_NOTE,
    }
