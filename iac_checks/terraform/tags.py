"""The tags a Terraform resource block ends up with: its own, plus the provider's default tags."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from tagwarden.engine.resources import TagSet, TagValue, Unknown
from tagwarden.engine.taggability.registry import TypeInfo
from tagwarden.iac_checks.terraform.expressions import PartialMap
from tagwarden.iac_checks.terraform.functions import find_unknown, to_string
from tagwarden.iac_checks.terraform.hcl.ir import Body
from tagwarden.iac_checks.terraform.instance import Scope, evaluate_or_unknown


def tag_text(value: Any) -> TagValue | None:
    """Terraform converts tag values to strings; null drops the tag."""
    if value is None:
        return None
    if isinstance(value, Unknown | str):
        return value
    unknown = find_unknown(value)
    if unknown is not None:
        return unknown
    if isinstance(value, bool | int | float):
        return to_string(value)
    # Terraform rejects a list or map as a tag value; show what was written rather than guess.
    return json.dumps(value, sort_keys=True, default=str)


def to_tag_set(value: Any) -> TagSet:
    if value is None:
        return TagSet()
    if isinstance(value, Unknown):
        return TagSet(open_deps=value.depends_on)
    if isinstance(value, PartialMap):
        return TagSet(known=_known(value.known), open_deps=tuple(value.open_deps))
    if isinstance(value, Mapping):
        return TagSet(known=_known(value))
    return TagSet(open_deps=(f"tags is not a map ({type(value).__name__})",))


def _known(mapping: Mapping[str, Any]) -> dict[str, TagValue]:
    known: dict[str, TagValue] = {}
    for key, value in mapping.items():
        text = tag_text(value)
        if text is not None:
            known[str(key)] = text
    return known


def merge_tag_sets(base: TagSet, override: TagSet) -> TagSet:
    """Provider defaults first, the resource's own tags win (the provider's ``tags_all``)."""
    if override.open_deps:  # an unknown override may replace any default key
        known = {key: value for key, value in base.known.items() if key in override.known}
        known.update(override.known)
        base_unknown = {key: Unknown(override.open_deps) for key in base.known if key not in override.known}
        return TagSet(
            known={**base_unknown, **known}, open_deps=tuple(dict.fromkeys(base.open_deps + override.open_deps))
        )
    return TagSet(known={**base.known, **override.known}, open_deps=base.open_deps)


def resource_tags(body: Body, info: TypeInfo, scope: Scope, default_tags: Any) -> TagSet:
    own = _own_tags(body, info, scope)
    if not info.default_tags or default_tags is None:
        return own
    return merge_tag_sets(to_tag_set(default_tags), own)


def _own_tags(body: Body, info: TypeInfo, scope: Scope) -> TagSet:
    if info.tag_style == "aws_tag_blocks":
        return _tag_blocks(body, scope)
    for path in info.tag_paths:
        found = _attribute_at(body, path)
        if found is not None:
            return to_tag_set(evaluate_or_unknown(found, scope, ".".join(path)))
    return TagSet()


def _attribute_at(body: Body, path: tuple[str, ...]) -> Any:
    """``("settings", "user_labels")``: the attribute inside the first ``settings`` block."""
    for step in path[:-1]:
        blocks = body.blocks_of(step)
        if not blocks:
            return None
        body = blocks[0].body
    attribute = body.attributes.get(path[-1])
    return attribute.expr if attribute is not None else None


def _tag_blocks(body: Body, scope: Scope) -> TagSet:
    """``aws_autoscaling_group``: ``tag { key = .. value = .. }`` blocks, static or dynamic."""
    known: dict[str, TagValue] = {}
    open_deps: list[str] = []
    for block in body.blocks_of("tag"):
        _add_tag_block(block.body, scope, known, open_deps)
    for dynamic in body.blocks_of("dynamic"):
        if dynamic.labels == ["tag"]:
            _add_dynamic_tags(dynamic.body, scope, known, open_deps)
    return TagSet(known=known, open_deps=tuple(dict.fromkeys(open_deps)))


def _add_tag_block(body: Body, scope: Scope, known: dict[str, TagValue], open_deps: list[str]) -> None:
    key_attr, value_attr = body.attributes.get("key"), body.attributes.get("value")
    if key_attr is None or value_attr is None:
        return
    key = evaluate_or_unknown(key_attr.expr, scope, "tag.key")
    if isinstance(key, Unknown):
        open_deps.extend(key.depends_on)
        return
    value = tag_text(evaluate_or_unknown(value_attr.expr, scope, "tag.value"))
    if value is not None:
        known[str(key)] = value


def _add_dynamic_tags(body: Body, scope: Scope, known: dict[str, TagValue], open_deps: list[str]) -> None:
    for_each = body.attributes.get("for_each")
    contents = body.blocks_of("content")
    if for_each is None or not contents:
        return
    iterator_attr = body.attributes.get("iterator")
    iterator = str(iterator_attr.expr[1]) if iterator_attr and iterator_attr.expr[0] == "var" else "tag"
    collection = evaluate_or_unknown(for_each.expr, scope, "dynamic tag for_each")
    if isinstance(collection, Unknown | PartialMap):
        open_deps.extend(collection.depends_on if isinstance(collection, Unknown) else collection.open_deps)
        return
    if isinstance(collection, Mapping):
        items: Iterable[tuple[Any, Any]] = collection.items()
    elif isinstance(collection, list | tuple | set | frozenset):
        items = enumerate(collection)
    elif collection is None:
        return
    else:  # Terraform rejects it; say so rather than guess
        open_deps.append(f"dynamic tag for_each is a {type(collection).__name__}, not a collection")
        return
    for key, value in items:
        bound = scope.with_bindings(**{iterator: {"key": key, "value": value}})
        _add_tag_block(contents[0].body, bound, known, open_deps)
