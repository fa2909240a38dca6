"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

One SARIF result per failure, as ``Report.is_failure`` counts them. Unknowns that are not failures
(``--unknown warn|pass``, or unclassified types) are left out, and so are exemptions: a code
scanning alert is something to fix in the code, and "known after apply" is not fixable there; the
run's ``properties.summary`` still counts them.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tagwarden.engine import __version__
from tagwarden.engine.outputs import _common
from tagwarden.engine.outputs.json_format import summary_object
from tagwarden.engine.results import Report, Result, RuleInfo

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/tagwarden/tagwarden"
FINGERPRINT_KEY = "tagwarden/v1"
RULE_TAGS = ("tagging", "governance")

# Matches the ``github`` format: what blocks a merge there is an error here.
_LEVELS = {"critical": "error", "high": "error", "medium": "error", "low": "warning", "info": "note"}


@dataclass(frozen=True)
class SarifFormat:
    name = "sarif"
    description = "SARIF 2.1.0, one result per failure, for code scanning"

    def render(self, report: Report, *, show_all: bool = False, root: str | None = None) -> str:
        results = _common.failures(report)
        rules = rule_descriptors(report.rules, results)
        index = {rule.id: position for position, rule in enumerate(rules)}
        run = {
            "tool": {"driver": driver(rules)},
            "results": [result_object(r, index[r.rule], root) for r in results],
            "properties": {
                "policy": {"name": report.policy.name, "digest": report.policy.digest},
                "summary": summary_object(report),
            },
        }
        log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def level(severity: str) -> str:
    return _LEVELS.get(severity, "warning")


def rule_descriptors(rules: Sequence[RuleInfo], results: Sequence[Result]) -> list[RuleInfo]:
    """The policy's rules by id, plus any rule a result names that the policy does not describe
    (``parse-error`` findings come from the loaders, not from the policy)."""
    known = {rule.id: rule for rule in rules}
    for result in results:
        known.setdefault(result.rule, RuleInfo(id=result.rule, title=result.rule, severity=result.severity))
    return sorted(known.values(), key=lambda rule: rule.id)


def driver(rules: Sequence[RuleInfo]) -> dict[str, Any]:
    return {
        "name": "tagwarden",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [rule_object(rule) for rule in rules],
    }


def rule_object(rule: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title or rule.id},
    }
    if rule.description:
        descriptor["fullDescription"] = {"text": rule.description}
    descriptor["defaultConfiguration"] = {"level": level(rule.severity)}
    descriptor["properties"] = {"tags": [*RULE_TAGS, rule.severity], "severity": rule.severity}
    return descriptor


def result_object(result: Result, rule_index: int, root: str | None) -> dict[str, Any]:
    label = _common.resource_label(result.resource)
    properties = {
        "severity": result.severity,
        "status": result.status.value,
        "reason": result.reason,
        "key": result.key,
        "value": result.value,
        "expected": result.expected,
        "resourceType": result.resource.type,
        "provider": result.resource.provider,
    }
    return {
        "ruleId": result.rule,
        "ruleIndex": rule_index,
        "level": level(result.severity),
        "message": {"text": f"{label}: {_common.message(result)}"},
        "locations": [location_object(result, label, root)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(result, root)},
        "properties": {name: value for name, value in properties.items() if value is not None},
    }


def location_object(result: Result, label: str, root: str | None) -> dict[str, Any]:
    resource = result.resource
    where: dict[str, Any] = {}
    if resource.file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri(resource.file, root)}}
        if resource.line and resource.line > 0:
            physical["region"] = {"startLine": resource.line}
        where["physicalLocation"] = physical
    where["logicalLocations"] = [{"fullyQualifiedName": label, "kind": "resource"}]
    return where


def uri(file: str, root: str | None) -> str:
    """A relative URI reference: the repository path with anything but ``/`` and unreserved
    characters percent-encoded (a ``#`` or ``?`` in a file name would otherwise cut the path)."""
    return quote(_common.repo_path(file, root), safe="/")


def fingerprint(result: Result, root: str | None) -> str:
    """Stable across pushes: it leaves out the file name and line, so moving a resource within its
    folder keeps its alert. The folder is in it because Terraform addresses are unique only
    within a root module, and ``envs/dev`` and ``envs/prod`` often declare the same ones."""
    resource = result.resource
    folder = posixpath.dirname(_common.repo_path(resource.file, root)) if resource.file else ""
    parts = (result.rule, folder, resource.address, resource.instance or "", result.key or "")
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()
