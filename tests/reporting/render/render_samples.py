"""A realistic report dict, as tagwarden.engine.reporting.build returns it, with hostile values from strangers."""

from __future__ import annotations

import copy
from typing import Any

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="alert(2)'
FORMULA = "=HYPERLINK(\"http://evil.example/\",\"click\")"
HOSTILE_OWNER = f"cc-{SCRIPT}"


def _item(rid: str, name: str, cost: float, status: str, rules: list[str], tags: dict[str, str]) -> dict[str, Any]:
    service, kind = ("EC2", "ec2:instance") if "instance" in rid else ("S3", "s3:bucket")
    return {"id": rid, "name": name, "type": kind, "service": service, "cost": cost, "status": status,
            "failed_rules": rules, "tags": tags}  # fmt: skip


PROD_WEB = [
    _item("arn:aws:ec2:eu-west-1:111122223333:instance/i-0web1", "web-1", 1234.56, "compliant", [],
          {"CostCenter": "cc-1000", "Owner": "web@example.org"}),
    _item("arn:aws:ec2:eu-west-1:111122223333:instance/i-0web2", "web-2", 987.65, "failed", ["environment"],
          {"CostCenter": "cc-1000", "Name": SCRIPT}),
]
PROD_HOSTILE = [
    _item("arn:aws:s3:::evil-bucket", SCRIPT, 321.09, "failed", ["owner", "cost-center"],
          {"CostCenter": HOSTILE_OWNER, "note": ATTRIBUTE, "formula": FORMULA}),
    _item("arn:aws:s3:::attr-bucket", ATTRIBUTE, 12.5, "failed", ["owner"], {"x": FORMULA}),
]
PROD_NOBODY = [
    _item("arn:aws:ec2:eu-west-1:111122223333:instance/i-0orphan", "orphan", 2000.0, "untagged", ["cost-center"], {}),
]
DEV_DATA = [
    _item("arn:aws:s3:::data-lake", "data-lake", 4321.0, "compliant", [], {"CostCenter": "cc-2000"}),
    _item("arn:aws:ec2:eu-west-1:444455556666:instance/i-0shadow", "shadow-box", 150.25, "unmanaged", [], {}),
    _item("arn:aws:ec2:eu-west-1:444455556666:instance/i-0gone", FORMULA, 5.0, "not_scanned", [], {}),
]

REPORT: dict[str, Any] = {
    "tagwarden": "1", "period": "2026-10", "closed": False, "generated_at": "2026-11-03T09:00:00Z",
    "policy": {"name": "acme-baseline", "digest": "sha256:" + "ab" * 32},
    "scope": None,
    "scan": {"id": 12, "source": "aws", "finished_at": "2026-11-02T23:10:00Z"},
    "compliance": {
        "resources": 5120, "compliant": 4711, "score": 92.0, "cost_weighted_score": 95.4,
        "by": {
            "account": [{"value": "111122223333", "resources": 3100, "compliant": 2800, "score": 90.3, "cost": 4555.8},
                        {"value": "444455556666", "resources": 2020, "compliant": 1911, "score": 94.6,
                         "cost": 4476.25}],
            "owner": [{"value": "cc-1000", "resources": 2000, "compliant": 1900, "score": 95.0, "cost": 2222.21}],
            "service": [{"value": "EC2", "resources": 3000, "compliant": 2700, "score": 90.0, "cost": 4372.46},
                        {"value": "S3", "resources": 2120, "compliant": 2011, "score": 94.9, "cost": 4659.59}],
            "provider": [{"value": "aws", "resources": 5120, "compliant": 4711, "score": 92.0, "cost": 9032.05}],
            "rule": [{"value": "cost-center", "failed": 201, "severity": "high"},
                     {"value": "owner", "failed": 150, "severity": "medium"},
                     {"value": "environment", "failed": 58, "severity": "low"}],
        },
    },
    "trend": [
        {"period": "2026-07", "score": 84.5, "cost_weighted_score": 88.0, "closed": True},
        {"period": "2026-08", "score": 88.2, "cost_weighted_score": 91.0, "closed": True},
        {"period": "2026-09", "score": 90.2, "cost_weighted_score": 93.0, "closed": True},
        {"period": "2026-10", "score": 92.0, "cost_weighted_score": 95.4, "closed": False},
    ],
    "allocation": {
        "currency": "USD", "cost_column": "EffectiveCost",
        "total": 1234567.89, "allocated": 987654.32, "shared": 100000.00, "unallocated": 146913.57,
        "allocated_pct": 87.1,
        "owners": [
            {"value": "cc-1000", "direct": 600000.00, "shared": 66666.67, "total": 666666.67},
            {"value": "cc-2000", "direct": 287654.32, "shared": 33333.33, "total": 320987.65},
            {"value": HOSTILE_OWNER, "direct": 100.00, "shared": 0.0, "total": 100.00},
            {"value": ATTRIBUTE, "direct": 50.00, "shared": 0.0, "total": 50.00},
        ],
        "unallocated_by_reason": {"no_tags": 120000.00, "missing": 20000.00, "invalid": 6913.57},
        "other_currencies": [
            {"currency": "EUR", "cost_column": "EffectiveCost", "total": 5000.0, "allocated": 4000.0, "shared": 0.0,
             "unallocated": 1000.0, "allocated_pct": 80.0,
             "owners": [{"value": "cc-3000", "direct": 4000.0, "shared": 0.0, "total": 4000.0}],
             "unallocated_by_reason": {"no_tags": 1000.0}},
        ],
    },
    "drilldown": [
        {"account": "111122223333", "name": "prod", "cost": 4555.80, "resources": 3100, "score": 90.3,
         "owners": [
             {"owner": "cc-1000", "cost": 2222.21, "resources": 2, "score": 50.0, "items": PROD_WEB},
             {"owner": HOSTILE_OWNER, "cost": 333.59, "resources": 2, "score": 0.0, "items": PROD_HOSTILE},
             {"owner": None, "cost": 2000.0, "resources": 1, "score": 0.0, "items": PROD_NOBODY},
         ]},
        {"account": "444455556666", "name": ATTRIBUTE, "cost": 4476.25, "resources": 2020, "score": 94.6,
         "owners": [{"owner": "cc-2000", "cost": 4476.25, "resources": 3, "score": 33.3, "items": DEV_DATA}]},
    ],
    "offenders": [
        {"id": "arn:aws:ec2:eu-west-1:111122223333:instance/i-0orphan", "name": "orphan", "account": "111122223333",
         "owner": None, "cost": 2000.0, "failed_rules": ["cost-center"], "status": "untagged"},
        {"id": "arn:aws:ec2:eu-west-1:111122223333:instance/i-0web2", "name": "web-2", "account": "111122223333",
         "owner": "cc-1000", "cost": 987.65, "failed_rules": ["environment"], "status": "failed"},
        {"id": "arn:aws:s3:::evil-bucket", "name": SCRIPT, "account": "111122223333", "owner": HOSTILE_OWNER,
         "cost": 321.09, "failed_rules": ["owner", "cost-center"], "status": "failed"},
    ],
    "shadow": {"untagged": {"resources": 10, "cost": 2055.0}, "unmanaged": {"resources": 4, "cost": 150.25}},
    "expiring_exemptions": [
        {"rule": "owner", "match": "arn:aws:s3:::legacy-*", "expires": "2026-11-10", "days_left": 7,
         "reason": f"migration ticket OPS-1 {SCRIPT}"},
    ],
    "audit": None,
    "accruals": {"days": 2, "amount": 80.0, "basis": "run rate of the last 7 invoiced days"},
    "adjustments": [{"of_period": "2026-09", "amount": -12.0, "rows": 40}],
}  # fmt: skip


def report(**changes: Any) -> dict[str, Any]:
    """A deep copy of REPORT with top-level keys replaced."""
    copied = copy.deepcopy(REPORT)
    copied.update(changes)
    return copied


def closed_report() -> dict[str, Any]:
    audit = {"closed_at": "2026-11-03T10:00:00Z", "closed_by": "finops@example.org", "record": 17,
             "hash": "sha256:" + "cd" * 32}  # fmt: skip
    return report(closed=True, audit=audit)
