"""``parent:`` hierarchical tags: the value must sit under the parent key's value in a value set."""

from __future__ import annotations

from tagwarden.engine.evaluation.checks.interface import Violation
from tagwarden.engine.evaluation.keys import find_key
from tagwarden.engine.policy.model import Policy, Rule, ValueSet
from tagwarden.engine.resources import Resource, Unknown

# child value (case-folded or not) -> the parent values it may sit under, per value set and column
_INDEXES: dict[tuple[int, str, bool], tuple[ValueSet, dict[str, set[str]]]] = {}


def _parents_index(value_set: ValueSet, column: str, fold: bool) -> dict[str, set[str]]:
    key = (id(value_set), column, fold)
    cached = _INDEXES.get(key)
    if cached is None or cached[0] is not value_set:
        index: dict[str, set[str]] = {}
        for row in value_set.rows:
            child = row.get(value_set.column or "", "")
            index.setdefault(child.casefold() if fold else child, set()).add(row[column])
        cached = (value_set, index)
        _INDEXES[key] = cached
    return cached[1]


class ParentValue:
    name = "parent"

    def applies(self, rule: Rule) -> bool:
        return rule.parent is not None

    def check(self, rule: Rule, key: str, value: str, resource: Resource, policy: Policy) -> Violation | None:
        parent = rule.parent
        assert parent is not None
        value_set = policy.value_sets[parent.value_set]
        insensitive = rule.value_case == "insensitive"
        fold = str.casefold if insensitive else str
        parents = _parents_index(value_set, parent.column, insensitive).get(fold(value), set())
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
