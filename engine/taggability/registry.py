"""Which resource types carry tags (labels on GCP), where in their arguments, and which types are
the same kind of resource under another name (Terraform, CloudFormation, live).

``default_registry()`` is built once from the per-cloud data modules; ``with_provider_schema`` gives
a registry in which every type of a ``terraform providers schema -json`` output is classified
exactly from its schema.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tagwarden.engine.resources import Taggability
from tagwarden.engine.taggability import aws, aws_cloudformation, azure, gcp, utility
from tagwarden.engine.taggability.groups import MAP, TypeGroup
from tagwarden.engine.taggability.provider_schema import classify_provider_schema


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """What tagwarden knows about one resource type.

    ``tag_paths`` are argument paths (Terraform arguments, CloudFormation ``Properties``) where the
    tags live; a ``"*"`` step means every item of a list. ``default_tags`` says that the AWS
    provider's ``default_tags`` / the Google provider's ``default_labels`` are merged into them.
    ``kind`` is shared by the names of the same resource in other namespaces.
    """

    type: str
    provider: str
    taggability: Taggability
    tag_paths: tuple[tuple[str, ...], ...] = ()
    default_tags: bool = False
    tag_style: str = MAP
    kind: str | None = None


# Terraform provider prefix -> the cloud that policies name in `scope.providers`.
_TERRAFORM_PROVIDER_CLOUDS: dict[str, str] = {
    "aws": "aws",
    "awscc": "aws",
    "azurerm": "azure",
    "azuread": "azure",
    "azapi": "azure",
    "google": "gcp",
}

_LIVE_AWS_TYPE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9-]+(/[A-Za-z0-9-]+)*$")


def guess_provider(resource_type: str) -> str:
    """The provider of a type that the tables do not list, from the shape of its name."""
    if "::" in resource_type:  # CloudFormation: AWS::, Alexa::, Custom::, registry extensions
        return "aws"
    if resource_type.lower().startswith("microsoft."):
        return "azure"
    if ".googleapis.com/" in resource_type:
        return "gcp"
    if _LIVE_AWS_TYPE.match(resource_type):
        return "aws"
    prefix = resource_type.split("_", 1)[0]
    return _TERRAFORM_PROVIDER_CLOUDS.get(prefix, prefix)


def _is_arm_type(resource_type: str) -> bool:
    return resource_type.lower().startswith("microsoft.") and "/" in resource_type


class TaggabilityRegistry:
    """Type name -> :class:`TypeInfo`. Immutable; derive a new one with :meth:`with_provider_schema`."""

    __slots__ = ("_arm_folded", "_infos", "_kind_members")

    def __init__(self, infos: Mapping[str, TypeInfo]) -> None:
        self._infos: dict[str, TypeInfo] = dict(infos)
        # ARM type names are case-insensitive (Resource Graph returns them lowercased).
        self._arm_folded: dict[str, TypeInfo] = {
            name.lower(): info for name, info in self._infos.items() if _is_arm_type(name)
        }
        members: dict[str, set[str]] = {}
        for name, info in self._infos.items():
            if info.kind is not None:
                members.setdefault(info.kind, set()).add(name)
        self._kind_members: dict[str, frozenset[str]] = {kind: frozenset(names) for kind, names in members.items()}

    def info(self, resource_type: str) -> TypeInfo:
        """Never raises: a type nobody listed is UNCLASSIFIED (utility providers are UNTAGGABLE)."""
        found = self._infos.get(resource_type)
        if found is None and _is_arm_type(resource_type):
            found = self._arm_folded.get(resource_type.lower())
        if found is not None:
            return found
        return _unlisted(resource_type)

    def provider_of(self, resource_type: str) -> str:
        return self.info(resource_type).provider

    def equivalent_types(self, resource_type: str) -> frozenset[str]:
        """The type itself and every type of the same kind in other namespaces."""
        kind = self.info(resource_type).kind
        if kind is None:
            return frozenset((resource_type,))
        members = self._kind_members[kind]
        return members if resource_type in members else members | {resource_type}

    def known_types(self) -> frozenset[str]:
        """Every type the registry lists (including kind members it cannot classify)."""
        return frozenset(self._infos)

    def with_provider_schema(self, schema: Mapping[str, Any]) -> TaggabilityRegistry:
        """A registry in which every resource type of ``schema`` (the parsed output of
        ``terraform providers schema -json``) is classified from its schema.

        Raises :class:`~tagwarden.engine.taggability.provider_schema.ProviderSchemaError` when
        ``schema`` does not have that shape.
        """
        derived = classify_provider_schema(schema, self.info)
        return TaggabilityRegistry({**self._infos, **derived})


def _unlisted(resource_type: str) -> TypeInfo:
    for prefix, provider in utility.UNTAGGABLE_PREFIXES.items():
        if resource_type.startswith(prefix):
            return TypeInfo(resource_type, provider, Taggability.UNTAGGABLE)
    return TypeInfo(resource_type, guess_provider(resource_type), Taggability.UNCLASSIFIED)


def build_registry(groups: Iterable[TypeGroup], kinds: Mapping[str, Iterable[str]]) -> TaggabilityRegistry:
    """Turn data tables into a registry. A type listed twice, or in two kinds, is a data error."""
    kind_of: dict[str, str] = {}
    for kind, members in kinds.items():
        for member in members:
            if member in kind_of:
                raise ValueError(f"{member} is in kinds {kind_of[member]} and {kind}")
            kind_of[member] = kind
    infos: dict[str, TypeInfo] = {}
    for group in groups:
        for name in group.types:
            if name in infos:
                raise ValueError(f"{name} is listed twice in the taggability tables")
            infos[name] = TypeInfo(
                type=name,
                provider=group.provider,
                taggability=group.taggability,
                tag_paths=group.tag_paths,
                default_tags=group.default_tags,
                tag_style=group.tag_style,
                kind=kind_of.get(name),
            )
    for name, kind in kind_of.items():
        if name not in infos:
            infos[name] = TypeInfo(name, guess_provider(name), Taggability.UNCLASSIFIED, kind=kind)
    return TaggabilityRegistry(infos)


def _merged_kinds(*tables: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for table in tables:
        for kind, members in table.items():
            if kind in merged:
                raise ValueError(f"kind {kind} is defined twice")
            merged[kind] = members
    return merged


@functools.cache
def default_registry() -> TaggabilityRegistry:
    groups = (*aws.GROUPS, *aws_cloudformation.GROUPS, *azure.GROUPS, *gcp.GROUPS, *utility.GROUPS)
    return build_registry(groups, _merged_kinds(aws.KINDS, azure.KINDS, gcp.KINDS))
