"""Terraform plan JSON (``terraform show -json PLAN``) -> resources.

The plan already holds what HCL evaluation can only approximate: module calls followed, ``count``
and ``for_each`` expanded, provider ``default_tags`` merged. So tags are read from ``tags_all`` when
the provider computes it (and ``effective_labels`` / ``terraform_labels`` on Google), and values that
Terraform lists in ``after_unknown`` become :class:`Unknown`. Data sources and resources the plan
deletes are not resources to check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tagwarden.engine.resources import Resource, SourceProblem, Taggability, TagSet, TagValue, Unknown
from tagwarden.engine.taggability.groups import AWS_TAG_BLOCKS, KEY_VALUE_LIST
from tagwarden.engine.taggability.registry import TaggabilityRegistry, TypeInfo
from tagwarden.iac_checks.discovery import read_text
from tagwarden.iac_checks.interface import LoadOptions, LoadResult, load_each

# Where the provider writes the complete tags, in order of preference, for each tag argument.
_TRUTH_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "tags": ("tags_all", "tags"),
    "labels": ("effective_labels", "terraform_labels", "labels"),
    "resource_labels": ("effective_labels", "terraform_labels", "resource_labels"),
}
_SKIPPED_ACTIONS = (["delete"], ["forget"])
_ADDRESS_FIELD = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')


class PlanJsonLoader:
    name = "terraform-plan"

    def claims(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() != ".json" or b'"format_version"' not in head:
            return False
        if b'"planned_values"' in head or b'"resource_changes"' in head:
            return True
        # large `variables` come first and may push planned_values out of the head
        return b'"terraform_version"' in head and b'"variables"' in head

    def load(self, files: Sequence[Path], root: Path, options: LoadOptions) -> LoadResult:
        return load_each(files, root, lambda path, name: load_plan(path, name, options.registry), "plan")


def load_plan(path: Path, name: str, registry: TaggabilityRegistry) -> LoadResult:
    result = LoadResult()
    parsed = _parse(path, name)
    if isinstance(parsed, SourceProblem):
        result.problems.append(parsed)
        return result
    plan, text = parsed
    if plan.get("errored") is True:
        result.notes.append(f"{name}: the plan errored, so it may not list every resource")
    changes = _changes_by_address(plan)
    lines = _address_lines(text)
    reader = _PlanReader(registry, name, lines, _default_region(plan))
    for values in _planned_resources(plan, changes):
        resource = reader.resource(values, changes.get(str(values.get("address"))))
        if resource is not None:
            result.resources.append(resource)
    return result


# --- reading -----------------------------------------------------------------------------------


def _parse(path: Path, name: str) -> tuple[Mapping[str, Any], str] | SourceProblem:
    text, problem = read_text(path, name)
    if text is None:
        return problem or SourceProblem(name, 0, "cannot read file")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return SourceProblem(name, line, "binary content (NUL byte), not a plan")
    if not text.strip():
        return SourceProblem(name, 1, "empty file: no plan")
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as error:
        return SourceProblem(name, error.lineno, f"invalid JSON: {error.msg} (column {error.colno})")
    except RecursionError:
        return SourceProblem(name, 1, "invalid JSON: nested too deeply")
    if not isinstance(plan, Mapping) or not ("planned_values" in plan or "resource_changes" in plan):
        return SourceProblem(name, 1, "not a Terraform plan: no planned_values or resource_changes")
    return plan, text


def _changes_by_address(plan: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    changes: dict[str, Mapping[str, Any]] = {}
    for change in plan.get("resource_changes") or ():
        if isinstance(change, Mapping) and isinstance(change.get("address"), str):
            changes[change["address"]] = change
    return changes


def _address_lines(text: str) -> dict[str, int]:
    """The line where each address first appears (the plan is usually one line; pretty-printed, many)."""
    lines: dict[str, int] = {}
    for match in _ADDRESS_FIELD.finditer(text):
        try:
            address = json.loads(f'"{match.group(1)}"')
        except json.JSONDecodeError:
            continue
        if address not in lines:
            lines[address] = text.count("\n", 0, match.start()) + 1
    return lines


def _planned_resources(
    plan: Mapping[str, Any], changes: Mapping[str, Mapping[str, Any]]
) -> Iterator[Mapping[str, Any]]:
    """Managed resources after the plan: from planned_values, else from resource_changes[].change.after."""
    planned = plan.get("planned_values")
    if isinstance(planned, Mapping) and isinstance(planned.get("root_module"), Mapping):
        for resource in _module_resources(planned["root_module"]):
            change = changes.get(str(resource.get("address")))
            if resource.get("mode", "managed") == "managed" and not _is_skipped(change):
                yield resource
        return
    for change in changes.values():
        after = change.get("change", {}).get("after") if isinstance(change.get("change"), Mapping) else None
        if change.get("mode", "managed") == "managed" and not _is_skipped(change) and isinstance(after, Mapping):
            yield {key: change.get(key) for key in ("address", "type", "name", "index")} | {"values": after}


def _module_resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for resource in module.get("resources") or ():
        if isinstance(resource, Mapping):
            yield resource
    for child in module.get("child_modules") or ():
        if isinstance(child, Mapping):
            yield from _module_resources(child)


def _is_skipped(change: Mapping[str, Any] | None) -> bool:
    if change is None or not isinstance(change.get("change"), Mapping):
        return False
    return change["change"].get("actions") in _SKIPPED_ACTIONS


def _default_region(plan: Mapping[str, Any]) -> str | None:
    """The region of the root module's only un-aliased aws provider, when it is a constant."""
    try:
        expressions = plan["configuration"]["provider_config"]["aws"]["expressions"]
        region = expressions["region"]["constant_value"]
    except (KeyError, TypeError):
        return None
    return region if isinstance(region, str) else None


def split_instance_keys(address: str) -> tuple[str, str]:
    """``module.a["x"].aws_s3_bucket.b[0]`` -> (``module.a.aws_s3_bucket.b``, ``["x"][0]``)."""
    stripped: list[str] = []
    keys: list[str] = []
    position = 0
    while position < len(address):
        if address[position] == "[":
            end = _closing_bracket(address, position)
            keys.append(address[position : end + 1])
            position = end + 1
        else:
            stripped.append(address[position])
            position += 1
    return "".join(stripped), "".join(keys)


def _closing_bracket(text: str, start: int) -> int:
    in_string = False
    position = start + 1
    while position < len(text):
        char = text[position]
        if in_string and char == "\\":
            position += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "]" and not in_string:
            return position
        position += 1
    return len(text) - 1


# --- resources and tags ------------------------------------------------------------------------


@dataclass(frozen=True)
class _PlanReader:
    registry: TaggabilityRegistry
    file: str
    lines: Mapping[str, int]
    default_region: str | None

    def resource(self, planned: Mapping[str, Any], change: Mapping[str, Any] | None) -> Resource | None:
        full_address, resource_type = planned.get("address"), planned.get("type")
        if not isinstance(full_address, str) or not isinstance(resource_type, str):
            return None
        raw_values = planned.get("values")
        values: Mapping[str, Any] = raw_values if isinstance(raw_values, Mapping) else {}
        info = self.registry.info(resource_type)
        address, instance = split_instance_keys(full_address)
        tags = TagSet()
        if info.taggability is Taggability.TAGGABLE:
            tags = _tags(values, _after_unknown(change), info, full_address)
        region = values.get("region") if isinstance(values.get("region"), str) else None
        return Resource(
            provider=info.provider,
            type=resource_type,
            address=address,
            tags=tags,
            taggability=info.taggability,
            name=planned.get("name") if isinstance(planned.get("name"), str) else None,
            region=region or (self.default_region if info.provider == "aws" else None),
            file=self.file,
            line=self.lines.get(full_address, 1),
            instance=instance or None,
        )


def _after_unknown(change: Mapping[str, Any] | None) -> Any:
    if change is None or not isinstance(change.get("change"), Mapping):
        return {}
    return change["change"].get("after_unknown") or {}


def _child_unknown(unknown: Any, key: str | int) -> Any:
    """after_unknown mirrors the values: ``true`` for a whole unknown value, else nested objects/lists."""
    if unknown is True:
        return True
    if isinstance(unknown, Mapping) and isinstance(key, str):
        return unknown.get(key, False)
    if isinstance(unknown, list) and isinstance(key, int) and key < len(unknown):
        return unknown[key]
    return False


def _tags(values: Mapping[str, Any], unknown: Any, info: TypeInfo, full_address: str) -> TagSet:
    known: dict[str, TagValue] = {}
    open_deps: dict[str, None] = {}
    for path in info.tag_paths:
        dependency = f"{full_address}.{'.'.join(path)}"
        for container, container_unknown in _containers(values, unknown, path[:-1]):
            if container is None:
                open_deps[dependency] = None
                continue
            _read_tag_attribute(container, container_unknown, path[-1], info.tag_style, dependency, known, open_deps)
    return TagSet(known, tuple(open_deps))


def _containers(values: Any, unknown: Any, steps: Sequence[str]) -> Iterator[tuple[Mapping[str, Any] | None, Any]]:
    """The objects that hold the tag argument (nested blocks are lists in the plan); None: unknown."""
    if unknown is True:
        yield None, True
        return
    if not steps:
        if isinstance(values, Mapping):
            yield values, unknown
        return
    step, rest = steps[0], steps[1:]
    child = values.get(step) if isinstance(values, Mapping) else None
    child_unknown = _child_unknown(unknown, step)
    if child_unknown is True:
        yield None, True
    elif isinstance(child, list):
        for index, item in enumerate(child):
            yield from _containers(item, _child_unknown(child_unknown, index), rest)
    elif isinstance(child, Mapping):
        yield from _containers(child, child_unknown, rest)


def _read_tag_attribute(
    container: Mapping[str, Any],
    unknown: Any,
    name: str,
    style: str,
    dependency: str,
    known: dict[str, TagValue],
    open_deps: dict[str, None],
) -> None:
    for attribute in _TRUTH_ATTRIBUTES.get(name, (name,)):
        attribute_unknown = _child_unknown(unknown, attribute)
        value = container.get(attribute)
        if attribute_unknown is True:
            # e.g. tags_all waits for apply: what `tags` itself says is still certain
            open_deps[dependency] = None
            continue
        if value is None and not attribute_unknown:
            continue
        if style in (AWS_TAG_BLOCKS, KEY_VALUE_LIST):
            _read_key_value_list(value, attribute_unknown, dependency, known, open_deps)
        else:
            _read_map(value, attribute_unknown, dependency, known)
        return


def _read_map(value: Any, unknown: Any, dependency: str, known: dict[str, TagValue]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if item is not None:
                known[str(key)] = str(item)
    if isinstance(unknown, Mapping):
        for key, flag in unknown.items():
            if flag is True:
                known[str(key)] = Unknown((f"{dependency}.{key}",))


def _read_key_value_list(
    value: Any, unknown: Any, dependency: str, known: dict[str, TagValue], open_deps: dict[str, None]
) -> None:
    """``tag`` blocks of aws_autoscaling_group, or awscc ``tags``: [{key, value, ...}, ...]."""
    for index, item in enumerate(value if isinstance(value, list) else ()):
        item_unknown = _child_unknown(unknown, index)
        if item_unknown is True or _child_unknown(item_unknown, "key") is True or not isinstance(item, Mapping):
            open_deps[dependency] = None
            continue
        if item.get("key") is None:
            continue
        key = str(item["key"])
        if _child_unknown(item_unknown, "value") is True:
            known[key] = Unknown((f"{dependency}.{key}",))
        elif item.get("value") is not None:
            known[key] = str(item["value"])
