"""Every value source, by placeholder prefix (longest first), and the template resolver.

``remediation.default`` is a literal (``cc-1000``), or text with placeholders (``{owner_map.cost_center}``,
``team-{account.tags.Team}``). Every placeholder must resolve; one that does not leaves the finding for
a person, and the plan says which placeholder failed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tagwarden.engine.resources import Resource
from tagwarden.remediations.values.context_tags import ACCOUNT_TAGS, PROJECT_LABELS, RESOURCE_GROUP_TAGS, OwnTags
from tagwarden.remediations.values.creator import Creator
from tagwarden.remediations.values.iac import IacTags
from tagwarden.remediations.values.interface import Resolved, ValueInputs, ValueSource
from tagwarden.remediations.values.literal import LITERAL
from tagwarden.remediations.values.owner_map import OwnerMapSource

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _registry(sources: Sequence[ValueSource]) -> tuple[ValueSource, ...]:
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"value sources registered twice: {', '.join(duplicates)}")
    return tuple(sorted(sources, key=lambda source: -len(source.prefix)))


VALUE_SOURCES: tuple[ValueSource, ...] = _registry(
    [ACCOUNT_TAGS, RESOURCE_GROUP_TAGS, PROJECT_LABELS, OwnerMapSource(), Creator(), IacTags(), OwnTags()]
)


class TemplateError(ValueError):
    """A placeholder no source knows (reported when the policy is planned, naming the rule)."""


@dataclass(frozen=True, slots=True)
class Unresolved:
    """Why a template gave no value: the placeholder that had none."""

    placeholder: str
    source: str


def source_for(placeholder: str) -> tuple[ValueSource, str | None]:
    for source in VALUE_SOURCES:
        if placeholder == source.prefix:
            return source, None
        if placeholder.startswith(source.prefix + "."):
            return source, placeholder[len(source.prefix) + 1 :]
    known = ", ".join("{" + source.prefix + (".K}" if source.prefix != "creator" else "}") for source in VALUE_SOURCES)
    raise TemplateError(f"unknown placeholder {{{placeholder}}} (known: {known})")


def check_template(template: str) -> None:
    for placeholder in _PLACEHOLDER.findall(template):
        source_for(placeholder.strip())


def resolve_template(template: str, resource: Resource, inputs: ValueInputs) -> Resolved | Unresolved:
    placeholders = [placeholder.strip() for placeholder in _PLACEHOLDER.findall(template)]
    if not placeholders:
        return Resolved(template, LITERAL, template)
    values: dict[str, str] = {}
    names: list[str] = []
    for placeholder in placeholders:
        source, argument = source_for(placeholder)
        value = source.resolve(argument, resource, inputs)
        if value is None:
            return Unresolved(placeholder, source.name)
        values[placeholder] = value
        names.append(source.name)
    text = _PLACEHOLDER.sub(lambda match: values[match.group(1).strip()], template)
    return Resolved(text, "+".join(dict.fromkeys(names)), template)
