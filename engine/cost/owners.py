"""Who pays for a tag set: the allocation key's value, judged by that key's own rule (pure, no I/O).

A tag set is classified once (estates and bills repeat their tag sets), so callers hand over the
*distinct* tag maps of a billing period or a scan, never row by row.

Key spelling: the key counts under its exact spelling, another capitalisation, an alias, and a
spelling with stray spaces (``" org"`` counts as ``org``), exactly as the evaluation's
:class:`~tagwarden.engine.evaluation.keys.KeyIndex` finds variants: spend is attributable even
when the tag is misspelt; compliance still reports the spelling. Values are not trimmed: a value
with stray spaces must pass the rule as it stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tagwarden.engine.evaluation.checks.interface import ValueCheck
from tagwarden.engine.evaluation.checks.registry import VALUE_CHECKS
from tagwarden.engine.evaluation.keys import KeyIndex
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource, TagSet

NO_TAGS = "no_tags"
MISSING = "missing"
INVALID = "invalid"
REASONS: tuple[str, ...] = (NO_TAGS, MISSING, INVALID)


class AllocationError(ValueError):
    """The policy's allocation section cannot be applied (no key rule, an unknown cost column...)."""


@dataclass(frozen=True, slots=True)
class Attribution:
    """``owner`` when the tags name a valid owner, else ``None`` and the reason it is unallocated."""

    owner: str | None
    reason: str | None = None


def provider_of_billing(provider_name: str | None) -> str:
    """FOCUS ProviderName ("AWS", "Microsoft", "Google Cloud") as our provider names."""
    name = (provider_name or "").casefold()
    if "amazon" in name or name.startswith("aws"):
        return "aws"
    if "microsoft" in name or "azure" in name:
        return "azure"
    if "google" in name or "gcp" in name:
        return "gcp"
    return name or "unknown"


def key_rule(policy: Policy) -> Rule:
    """The rule that requires the allocation key (the first one, if several do)."""
    allocation = policy.allocation
    if not allocation:
        raise AllocationError(f"policy {policy.name!r} has no allocation section")
    key = allocation["key"]
    rule = next((rule for rule in policy.rules if rule.require == key), None)
    if rule is None:
        raise AllocationError(f"allocation key {key!r} is not the `require` of any rule in policy {policy.name!r}")
    return rule


@dataclass
class OwnerClassifier:
    """Classifies tag maps by the allocation key; remembers each distinct map it has seen."""

    policy: Policy
    rule: Rule = field(init=False)
    _checks: tuple[ValueCheck, ...] = field(init=False)
    _memo: dict[tuple[str, tuple[tuple[str, str], ...]], Attribution] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rule = key_rule(self.policy)
        self._checks = tuple(check for check in VALUE_CHECKS if check.applies(self.rule))

    @property
    def key(self) -> str:
        assert self.rule.require is not None
        return self.rule.require

    def classify(self, tags: Mapping[str, Any] | None, provider: str) -> Attribution:
        known = {str(key): value for key, value in (tags or {}).items() if isinstance(value, str)}
        memo_key = (provider, tuple(sorted(known.items())))
        found = self._memo.get(memo_key)
        if found is None:
            found = self._classify(known, provider)
            self._memo[memo_key] = found
        return found

    def canonical(self, value: str) -> str:
        """The owner name a value is grouped under: under ``value_case: insensitive`` every
        capitalisation is one owner, named as the allowed list spells it (else lower case)."""
        if self.rule.value_case != "insensitive":
            return value
        folded = value.casefold()
        for allowed in self.rule.allowed or ():
            if allowed.casefold() == folded:
                return allowed
        return folded

    def _classify(self, tags: Mapping[str, str], provider: str) -> Attribution:
        if not tags:
            return Attribution(None, NO_TAGS)
        resource = Resource(provider=provider, type="billing", address="billing", tags=TagSet(dict(tags)))
        found = KeyIndex(resource.tags).find(self.key, self.policy.keys.get(self.key), provider)
        if found.kind == "missing" or not isinstance(found.value, str):
            return Attribution(None, MISSING)
        value = found.value
        if value == "" and "" not in (self.rule.allowed or ()):
            return Attribution(None, INVALID)
        spelling = found.spelling or self.key
        for check in self._checks:
            if check.check(self.rule, spelling, value, resource, self.policy) is not None:
                return Attribution(None, INVALID)  # an outcome that cannot be known yet is not valid either
        return Attribution(self.canonical(value))
