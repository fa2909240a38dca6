"""From what an AWS API returned to a :class:`Resource`: tags split from system tags, taggability
from the registry, times as ISO 8601 UTC, and where the API shows it, the IaC tool behind it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.taggability.registry import default_registry

SYSTEM_TAG_PREFIX = "aws:"  # reserved: only AWS sets these, so rules cannot ask users for them

# Tag keys (lowercased, without - _ : . and spaces) that name the tool managing a resource.
_MANAGED_BY_KEYS = frozenset({"managedby", "provisionedby", "provisioner", "iac", "iactool", "deployedby"})
_TOOLS = ("terraform", "opentofu", "cloudformation", "pulumi", "crossplane", "cdk")
_TERRAFORM_FLAG_KEYS = frozenset({"terraform", "tfmanaged", "managedbyterraform"})


@dataclass(frozen=True, slots=True)
class TagsDenied:
    """The tags exist but the credentials may not read them (the permission that is missing)."""

    permission: str


Tags = Mapping[str, str] | TagsDenied


def tag_map(items: Iterable[Mapping[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` (in whatever spelling the API uses) -> ``{k: v}``."""
    return {str(item[key]): str(item.get(value) or "") for item in items or ()}


def iso_time(value: datetime | str | int | float | None, *, epoch_millis: bool = False) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value / 1000 if epoch_millis else value, UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_resource(
    *,
    resource_type: str,
    arn: str,
    name: str | None,
    account: str,
    region: str | None,
    tags: Tags,
    created_at: str | None = None,
    parent: str | None = None,
) -> Resource:
    context: dict[str, Any] = {}
    if isinstance(tags, TagsDenied):
        tag_set = TagSet(known={}, open_deps=(f"permission {tags.permission}",))
        system_tags: dict[str, str] = {}
    else:
        user_tags = {key: value for key, value in tags.items() if not _is_system(key)}
        system_tags = {key: value for key, value in tags.items() if _is_system(key)}
        tag_set = TagSet(known=user_tags)
        managed = managed_by(user_tags, system_tags)
        if managed:
            context["managed_by"] = managed
    if system_tags:
        context["system_tags"] = system_tags
    if created_at:
        context["created_at"] = created_at
    if parent:
        context["parent"] = parent
    return Resource(
        provider="aws",
        type=resource_type,
        address=arn,
        id=arn,
        name=name,
        account=account,
        region=region,
        tags=tag_set,
        taggability=default_registry().info(resource_type).taggability,
        context=context,
    )


def managed_by(user_tags: Mapping[str, str], system_tags: Mapping[str, str]) -> str | None:
    if any(key.lower().startswith("aws:cloudformation:") for key in system_tags):
        return "cloudformation"  # CloudFormation (and so CDK, SAM) stamps every resource it creates
    for key, value in user_tags.items():
        folded = _fold(key)
        if folded in _MANAGED_BY_KEYS:
            tool = next((tool for tool in _TOOLS if tool in value.lower()), None)
            if tool:
                return "cloudformation" if tool == "cdk" else tool
        if folded in _TERRAFORM_FLAG_KEYS and value.strip().lower() in ("true", "yes", "1"):
            return "terraform"
    return None


def _is_system(key: str) -> bool:
    return key[:4].lower() == SYSTEM_TAG_PREFIX


def _fold(key: str) -> str:
    return "".join(character for character in key.lower() if character.isalnum())
