"""The JSON document of the outputs contract (``"tagwarden": "1"``): add fields, never change one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tagwarden.engine.outputs import _common
from tagwarden.engine.resources import Resource
from tagwarden.engine.results import Report, Result

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class JsonFormat:
    name = "json"
    description = "the stable JSON document (tagwarden: 1) for scripts and pipelines"

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        """Readable, and fast for a million results: one result a line, encoded by json's C encoder.

        (``indent`` switches json to its pure-Python encoder, ten times slower on large reports.)
        """
        head = {
            "tagwarden": SCHEMA_VERSION,
            "policy": {"name": report.policy.name, "digest": report.policy.digest},
            "summary": summary_object(report),
        }
        results = [json.dumps(result_object(r), ensure_ascii=False) for r in _common.listed(report, show_all)]
        opening = json.dumps(head, indent=2, ensure_ascii=False)[:-2]  # without the closing "\n}"
        body = "[\n    " + ",\n    ".join(results) + "\n  ]" if results else "[]"
        return f'{opening},\n  "results": {body}\n}}\n'


def summary_object(report: Report) -> dict[str, Any]:
    s = report.summary
    return {
        "resources": s.resources,
        "evaluated": s.evaluated,
        "compliant": s.compliant,
        "failed": s.failed,
        "unknown": s.unknown,
        "exempt": s.exempt,
        "unclassified": s.unclassified,
        "score": s.score,
    }


def result_object(result: Result) -> dict[str, Any]:
    return {
        "rule": result.rule,
        "severity": result.severity,
        "status": result.status.value,
        "reason": result.reason,
        "key": result.key,
        "value": result.value,
        "expected": result.expected,
        "message": _common.message(result),
        "depends_on": list(result.depends_on),
        "resource": resource_object(result.resource),
    }


def resource_object(resource: Resource) -> dict[str, Any]:
    return {
        "address": resource.address,
        "type": resource.type,
        "provider": resource.provider,
        "file": resource.file,
        "line": resource.line,
        "id": resource.id,
        "account": resource.account,
        "region": resource.region,
        "instance": resource.instance,  # extension: the count/for_each instance key, when instances differ
    }
