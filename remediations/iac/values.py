"""Where a fix takes a tag's value: only ``remediation.default`` when it is a literal or a template that
the IaC alone resolves (``{owner_map.COLUMN}``). Account tags, creators and the like are known only
after deploy: they resolve to ``None`` with the reason, and the finding is left for a person."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tagwarden.engine.globs import name_matches, path_matches
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Resolved:
    value: str | None
    why_not: str = ""  # when value is None


def resolve_default(rule: Rule, resource: Resource, policy: Policy, paths: Sequence[str]) -> Resolved:
    """``paths``: the resource's file as the user may write it in owner_map (relative, absolute)."""
    template = rule.remediation.get("default")
    if not isinstance(template, str):
        return Resolved(None, f"rule {rule.id} has no remediation.default")
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(template[position : match.start()])
        value, why_not = _placeholder(match.group(1).strip(), resource, policy, paths)
        if value is None:
            return Resolved(None, why_not)
        parts.append(value)
        position = match.end()
    parts.append(template[position:])
    text = "".join(parts)
    return Resolved(text) if text else Resolved(None, f"remediation.default of {rule.id} is empty")


def _placeholder(name: str, resource: Resource, policy: Policy, paths: Sequence[str]) -> tuple[str | None, str]:
    if name.startswith("owner_map."):
        column = name.removeprefix("owner_map.")
        value = owner_value(policy.owner_rows, resource, paths, column)
        if value is None:
            return None, f"no owner_map row for {resource.file or resource.address} gives {column}"
        return value, ""
    return None, f"{{{name}}} is known only after deploy; not guessed"


def owner_value(rows: Sequence[Mapping[str, str]], resource: Resource, paths: Sequence[str], column: str) -> str | None:
    """Rows in order: the first whose ``match`` glob matches the resource's IaC path, address, name or
    account and that has a non-empty ``column`` (as live remediation reads the owner map)."""
    names = [text for text in (resource.account, resource.id, resource.address, resource.name) if text]
    for row in rows:
        glob = (row.get("match") or "").strip()
        if not glob or not (row.get(column) or "").strip():
            continue
        if any(path_matches(glob, path) for path in paths) or any(name_matches(glob, name) for name in names):
            return str(row[column]).strip()
    return None
