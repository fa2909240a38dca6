"""Resources as plain JSON values and back (the evaluated-resource cache, the store).

Tag values are strings, or ``{"unknown": [deps]}`` for an :class:`Unknown`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tagwarden.engine.resources import Resource, SourceProblem, Suppression, Taggability, TagSet, TagValue, Unknown


def encode_tag_value(value: TagValue) -> Any:
    return {"unknown": list(value.depends_on)} if isinstance(value, Unknown) else value


def decode_tag_value(value: Any) -> TagValue:
    if isinstance(value, Mapping):
        return Unknown(tuple(value.get("unknown", ())))
    return str(value)


def resource_to_json(resource: Resource) -> dict[str, Any]:
    return {
        "provider": resource.provider,
        "type": resource.type,
        "address": resource.address,
        "tags": {key: encode_tag_value(value) for key, value in resource.tags.known.items()},
        "open_deps": list(resource.tags.open_deps),
        "taggability": resource.taggability.value,
        "id": resource.id,
        "name": resource.name,
        "account": resource.account,
        "region": resource.region,
        "file": resource.file,
        "line": resource.line,
        "instance": resource.instance,
        "suppressions": [[list(s.rules), s.reason, s.line] for s in resource.suppressions],
        "context": dict(resource.context),
    }


def resource_from_json(data: Mapping[str, Any]) -> Resource:
    return Resource(
        provider=data["provider"],
        type=data["type"],
        address=data["address"],
        tags=TagSet(
            known={key: decode_tag_value(value) for key, value in data["tags"].items()},
            open_deps=tuple(data["open_deps"]),
        ),
        taggability=Taggability(data["taggability"]),
        id=data["id"],
        name=data["name"],
        account=data["account"],
        region=data["region"],
        file=data["file"],
        line=data["line"],
        instance=data["instance"],
        suppressions=tuple(Suppression(tuple(rules), reason, line) for rules, reason, line in data["suppressions"]),
        context=data["context"],
    )


def problem_to_json(problem: SourceProblem) -> list[Any]:
    return [problem.file, problem.line, problem.message, problem.rule, problem.severity]


def problem_from_json(data: list[Any]) -> SourceProblem:
    file, line, message, rule, severity = data
    return SourceProblem(file, line, message, rule, severity)
