"""``{account.tags.K}``, ``{resource_group.tags.K}``, ``{project.labels.K}``: tags the scan recorded
about what holds the resource (the collectors put them in the resource's ``context``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tagwarden.engine.resources import Resource
from tagwarden.remediations.values.interface import ValueInputs


@dataclass(frozen=True)
class ContextTags:
    """A tag map in ``resource.context`` under one of ``context_keys`` (the first present wins)."""

    name: str
    prefix: str
    context_keys: tuple[str, ...]

    def resolve(self, argument: str | None, resource: Resource, inputs: ValueInputs) -> str | None:
        if not argument:
            return None
        for context_key in self.context_keys:
            tags: Any = resource.context.get(context_key)
            if isinstance(tags, Mapping):
                value = _lookup(tags, argument)
                if value is not None:
                    return value
        return None


def _lookup(tags: Mapping[str, Any], key: str) -> str | None:
    """The exact key, else the only key equal to it case-insensitively (account tags are often cased apart)."""
    value = tags.get(key)
    if value is None:
        matches = [item for name, item in tags.items() if str(name).casefold() == key.casefold()]
        value = matches[0] if len(matches) == 1 else None
    return None if value is None or str(value) == "" else str(value)


# AWS: "account_tags" (Organizations ListTagsForResource, when the scan or the inventory records it);
# Azure: the subscription's tags; GCP: the project is the account.
ACCOUNT_TAGS = ContextTags("account_tags", "account.tags", ("account_tags", "subscription_tags", "project_labels"))
RESOURCE_GROUP_TAGS = ContextTags("resource_group_tags", "resource_group.tags", ("resource_group_tags",))
PROJECT_LABELS = ContextTags("project_labels", "project.labels", ("project_labels",))


class OwnTags:
    """``{tags.K}``: another tag of the resource itself (``Owner`` as the address to notify)."""

    name = "tags"
    prefix = "tags"

    def resolve(self, argument: str | None, resource: Resource, inputs: ValueInputs) -> str | None:
        if not argument:
            return None
        known = {key: value for key, value in resource.tags.known.items() if isinstance(value, str)}
        return _lookup(known, argument)
