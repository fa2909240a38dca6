"""``parent:`` hierarchical tags: the value must sit under the parent key's value in a value set."""

from __future__ import annotations

from tagwarden.engine.evaluation.checks.interface import Violation
from tagwarden.engine.evaluation.keys import find_key
from tagwarden.engine.policy.model import Policy, Rule
from tagwarden.engine.resources import Resource, Unknown


class ParentValue:
    name = "parent"

    def applies(self, rule: Rule) -> bool:
        return rule.parent is not None

    def check(self, rule: Rule, key: str, value: str, resource: Resource, policy: Policy) -> Violation | None:
        parent = rule.parent
        assert parent is not None
        value_set = policy.value_sets[parent.value_set]
        fold = str.casefold if rule.value_case == "insensitive" else str
        parents = {
            row[parent.column] for row in value_set.rows if fold(row.get(value_set.column or "", "")) == fold(value)
        }
        expected = (
            f"{parent.key} in {' | '.join(sorted(parents))}" if parents else f"a value listed in ${value_set.name}"
        )
        if not parents:
            return Violation("parent", f"{key} '{value}' is not listed in ${value_set.name}", expected)
        found = find_key(resource.tags, parent.key, policy.keys.get(parent.key), resource.provider)
        if found.kind == "open" or isinstance(found.value, Unknown):
            depends = found.depends_on or (found.value.depends_on if isinstance(found.value, Unknown) else ())
            return Violation("parent", f"{parent.key} cannot be known yet", expected, depends_on=depends)
        if found.kind == "missing":
            return Violation("parent", f"{key} '{value}' needs {parent.key} set to one of its parents", expected)
        if fold(str(found.value)) in {fold(candidate) for candidate in parents}:
            return None
        return Violation("parent", f"{key} '{value}' does not belong under {parent.key} '{found.value}'", expected)
