"""Exact taggability from ``terraform providers schema -json``.

A resource type is taggable when its schema has a ``tags`` / ``labels`` map (or ``user_labels`` /
``resource_labels``, also inside nested blocks), or ``aws_autoscaling_group``-style ``tag`` blocks;
untaggable otherwise. What the built-in tables add (kind, a nested path the schema confirms) is kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from tagwarden.engine.resources import Taggability
from tagwarden.engine.taggability.groups import AWS_TAG_BLOCKS, KEY_VALUE_LIST, MAP

if TYPE_CHECKING:
    from tagwarden.engine.taggability.registry import TypeInfo

# Top-level argument names that hold a resource's own tags, in order of preference: where a
# resource has `user_labels`, its `labels` are settings (google_monitoring_notification_channel).
_TOP_LEVEL_TAG_ATTRIBUTES = ("tags", "user_labels", "resource_labels", "labels")
# Inside nested blocks plain `labels` are usually Kubernetes labels, so only these count there.
_NESTED_TAG_ATTRIBUTES = ("user_labels", "resource_labels")
# The computed attribute that shows provider default_tags / default_labels are merged in.
_DEFAULT_TAGS_COMPANION = {
    "tags": "tags_all",
    "labels": "terraform_labels",
    "resource_labels": "terraform_labels",
}
# A `tags` map that is not the resource's own tags: it selects the EC2 instances to assess.
_TAGS_THAT_SELECT = frozenset({"aws_inspector_resource_group"})


class ProviderSchemaError(ValueError):
    """The input is not the output of ``terraform providers schema -json``."""


def classify_provider_schema(schema: Mapping[str, Any], known: Callable[[str], TypeInfo]) -> dict[str, TypeInfo]:
    """Type name -> TypeInfo for every resource type in ``schema``; ``known`` gives the built-in info."""
    classified: dict[str, TypeInfo] = {}
    for type_name, block in _resource_blocks(schema):
        classified[type_name] = _classify(type_name, block, known(type_name))
    return classified


def _resource_blocks(schema: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if not isinstance(schema, Mapping) or not isinstance(schema.get("provider_schemas"), Mapping):
        raise ProviderSchemaError("no 'provider_schemas' object: not `terraform providers schema -json` output")
    for provider_address, provider in schema["provider_schemas"].items():
        resources = provider.get("resource_schemas", {}) if isinstance(provider, Mapping) else None
        if not isinstance(resources, Mapping):
            raise ProviderSchemaError(f"{provider_address}: 'resource_schemas' is not an object")
        for type_name, resource in resources.items():
            block = resource.get("block") if isinstance(resource, Mapping) else None
            if not isinstance(block, Mapping):
                raise ProviderSchemaError(f"{provider_address}: {type_name} has no 'block' object")
            yield type_name, block


def _classify(type_name: str, block: Mapping[str, Any], builtin: TypeInfo) -> TypeInfo:
    if type_name in _TAGS_THAT_SELECT:
        return _untaggable(builtin)
    if _schema_confirms(block, builtin):
        return dataclasses.replace(builtin, default_tags=_has_default_tags(block, builtin.tag_paths[0]))
    top_level = _top_level_tags(block)
    if top_level is not None:
        path, style = top_level
        return dataclasses.replace(
            builtin,
            taggability=Taggability.TAGGABLE,
            tag_paths=(path,),
            tag_style=style,
            default_tags=style == MAP and _has_default_tags(block, path),
        )
    nested = tuple(_nested_label_paths(block, ()))
    if nested:
        return dataclasses.replace(
            builtin,
            taggability=Taggability.TAGGABLE,
            tag_paths=nested,
            tag_style=MAP,
            default_tags=_has_default_tags(block, nested[0]),
        )
    return _untaggable(builtin)


def _schema_confirms(block: Mapping[str, Any], builtin: TypeInfo) -> bool:
    """The built-in entry says where the tags are, and the schema has every one of those paths."""
    return (
        builtin.taggability is Taggability.TAGGABLE
        and bool(builtin.tag_paths)
        and all(_path_exists(block, path, builtin.tag_style) for path in builtin.tag_paths)
    )


def _untaggable(builtin: TypeInfo) -> TypeInfo:
    return dataclasses.replace(
        builtin, taggability=Taggability.UNTAGGABLE, tag_paths=(), default_tags=False, tag_style=MAP
    )


def _top_level_tags(block: Mapping[str, Any]) -> tuple[tuple[str, ...], str] | None:
    attributes = _attributes(block)
    for name in _TOP_LEVEL_TAG_ATTRIBUTES:
        attribute = attributes.get(name)
        if attribute is None:
            continue
        if _is_string_map(attribute):
            return (name,), MAP
        if name == "tags" and _is_key_value_list(attribute):
            return (name,), KEY_VALUE_LIST
    return None


def _nested_label_paths(block: Mapping[str, Any], prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for name, child in sorted(_child_blocks(block).items()):
        path = (*prefix, name)
        child_attributes = _attributes(child)
        for label_name in _NESTED_TAG_ATTRIBUTES:
            if label_name in child_attributes and _is_string_map(child_attributes[label_name]):
                yield (*path, label_name)
        yield from _nested_label_paths(child, path)


def _path_exists(block: Mapping[str, Any], path: tuple[str, ...], tag_style: str) -> bool:
    current = block
    for step in path[:-1]:
        child = _child_blocks(current).get(step)
        if child is None:
            return False
        current = child
    last = path[-1]
    if tag_style == AWS_TAG_BLOCKS:
        return last in _child_blocks(current)
    return last in _attributes(current)


def _has_default_tags(block: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    companion = _DEFAULT_TAGS_COMPANION.get(path[-1])
    if companion is None:
        return False
    container = block
    for step in path[:-1]:
        child = _child_blocks(container).get(step)
        if child is None:
            return False
        container = child
    return companion in _attributes(container)


def _attributes(block: Mapping[str, Any]) -> Mapping[str, Any]:
    attributes = block.get("attributes")
    return attributes if isinstance(attributes, Mapping) else {}


def _child_blocks(block: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Nested blocks (SDKv2 `block_types`) and nested attributes (plugin framework `nested_type`)."""
    children: dict[str, Mapping[str, Any]] = {}
    block_types = block.get("block_types")
    if isinstance(block_types, Mapping):
        for name, block_type in block_types.items():
            inner = block_type.get("block") if isinstance(block_type, Mapping) else None
            if isinstance(inner, Mapping):
                children[name] = inner
    for name, attribute in _attributes(block).items():
        nested = attribute.get("nested_type") if isinstance(attribute, Mapping) else None
        if isinstance(nested, Mapping):
            children[name] = nested
    return children


def _is_string_map(attribute: Any) -> bool:
    if not isinstance(attribute, Mapping):
        return False
    attribute_type = attribute.get("type")
    return isinstance(attribute_type, list) and len(attribute_type) == 2 and attribute_type[0] == "map"


def _is_key_value_list(attribute: Any) -> bool:
    """`tags` as a list/set of {key, value} objects (the awscc provider)."""
    if not isinstance(attribute, Mapping):
        return False
    nested = attribute.get("nested_type")
    if isinstance(nested, Mapping):
        return {"key", "value"} <= set(_attributes(nested))
    attribute_type = attribute.get("type")
    if not (isinstance(attribute_type, list) and len(attribute_type) == 2):
        return False
    collection, element = attribute_type
    return (
        collection in ("list", "set")
        and isinstance(element, list)
        and len(element) == 2
        and element[0] == "object"
        and isinstance(element[1], Mapping)
        and {"key", "value"} <= set(element[1])
    )
