"""Terraform state (a local .tfstate, or `terraform show -json` of state) -> what IaC manages."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tagwarden.engine.evaluation.shadow import DeclaredResource, ManagedInventory

IDENTIFIER_ATTRIBUTES = ("arn", "id", "self_link")
TAG_ATTRIBUTES = ("tags_all", "tags", "effective_labels", "labels")


class StateError(ValueError):
    pass


def read_states(paths: list[Path]) -> ManagedInventory:
    inventory = ManagedInventory()
    for path in paths:
        for address, attributes in _state_resources(_load(path)):
            inventory.add(_identifiers(attributes), DeclaredResource(address, _tags(attributes)))
        inventory.sources.append(str(path))
    return inventory


def _load(path: Path) -> Mapping[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StateError(f"--state {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise StateError(f"--state {path} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise StateError(f"--state {path} line {error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(document, dict) or not ("resources" in document or "values" in document):
        raise StateError(f"--state {path} is neither a Terraform state file nor `terraform show -json` output")
    return document


def _state_resources(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if "values" in document:  # terraform show -json
        yield from _show_json_module((document.get("values") or {}).get("root_module") or {})
        return
    for resource in document.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        prefix = f"{resource['module']}." if resource.get("module") else ""
        address = f"{prefix}{resource.get('type')}.{resource.get('name')}"
        for instance in resource.get("instances", []):
            yield address, instance.get("attributes") or {}


def _show_json_module(module: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for resource in module.get("resources", []):
        if resource.get("mode") == "managed":
            yield str(resource.get("address")), resource.get("values") or {}
    for child in module.get("child_modules", []):
        yield from _show_json_module(child)


def _identifiers(attributes: Mapping[str, Any]) -> list[str]:
    return [str(attributes[name]) for name in IDENTIFIER_ATTRIBUTES if isinstance(attributes.get(name), str)]


def _tags(attributes: Mapping[str, Any]) -> dict[str, str] | None:
    for name in TAG_ATTRIBUTES:
        value = attributes.get(name)
        if isinstance(value, dict):
            return {str(key): str(item) for key, item in value.items()}
    return None
