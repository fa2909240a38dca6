"""The JSON document of the outputs contract (``"tagwarden": "1"``): add fields, never change one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tagwarden.engine.outputs import _common
from tagwarden.engine.resources import Resource
from tagwarden.engine.results import Report, Result, Status

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class JsonFormat:
    """Readable, and fast for a million results: one result a line, encoded by json's C encoder.

    (``indent`` switches json to its pure-Python encoder, ten times slower on large reports.)
    """

    name = "json"
    description = "the stable JSON document (tagwarden: 1) for scripts and pipelines"
    separator = ",\n    "

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        lines = list(self.items(report, _common.listed(report, show_all), show_all=show_all, root=root))
        head, tail = self.frame(report, len(lines), show_all=show_all, root=root)
        return head + self.separator.join(lines) + tail

    def items(self, report: Report, results: Iterable[Result], *, show_all: bool, root: str | None) -> Iterator[str]:
        # a resource's results come together: its object is encoded once for all of them
        resource: Resource | None = None
        resource_json = ""
        for result in results:
            if not show_all and result.status is Status.PASS:
                continue
            if result.resource is not resource:
                resource = result.resource
                resource_json = json.dumps(resource_object(resource), ensure_ascii=False)
            fields = json.dumps(result_fields(result), ensure_ascii=False)
            yield f'{fields[:-1]}, "resource": {resource_json}}}'

    def frame(self, report: Report, count: int, *, show_all: bool, root: str | None) -> tuple[str, str]:
        head = {
            "tagwarden": SCHEMA_VERSION,
            "policy": {"name": report.policy.name, "digest": report.policy.digest},
            "summary": summary_object(report),
        }
        opening = json.dumps(head, indent=2, ensure_ascii=False)[:-2]  # without the closing "\n}"
        if not count:
            return f'{opening},\n  "results": [', "]\n}\n"
        return f'{opening},\n  "results": [\n    ', "\n  ]\n}\n"


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
    return {**result_fields(result), "resource": resource_object(result.resource)}


def result_fields(result: Result) -> dict[str, Any]:
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
