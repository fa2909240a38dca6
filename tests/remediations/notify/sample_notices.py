"""Notices the notifier tests send: tag values from strangers included."""

from __future__ import annotations

from tagwarden.remediations.notify.interface import Notice, NoticeItem

HOSTILE = '<script>alert("owned")</script>'
VM = "/subscriptions/111/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm1"
BUCKET = "//storage.googleapis.com/projects/_/buckets/data"


def owner_notice(recipient: str = "alice@example.org", level: int = 0) -> Notice:
    return Notice(
        recipient=recipient,
        subject="2 resources miss required tags",
        level=level,
        deadline="2026-12-24",
        run="run-42",
        items=(
            NoticeItem(
                resource_id=VM,
                resource_type="Microsoft.Compute/virtualMachines",
                account="111",
                findings=("CostCenter is missing", f"Owner value {HOSTILE} is not an e-mail address"),
                planned_changes=("CostCenter: (absent) -> cc-1000",),
            ),
            NoticeItem(
                resource_id=BUCKET,
                resource_type="storage.googleapis.com/Bucket",
                account="shop-prod",
                findings=(f"environment value <b>{HOSTILE}</b> is not allowed",),
                planned_changes=("environment: Prod -> prod", "<!channel> & <https://evil.example|click>"),
            ),
        ),
    )
