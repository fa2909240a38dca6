"""Does a rule apply to a resource? ``scope`` (where) and ``when`` (a condition on its tags)."""

from __future__ import annotations

from collections.abc import Callable

from tagwarden.engine.evaluation.keys import find_key
from tagwarden.engine.globs import name_matches, path_matches
from tagwarden.engine.policy.model import Condition, Policy, Scope
from tagwarden.engine.resources import Resource, Unknown

TypeExpander = Callable[[str], frozenset[str]]


def _matches_globs(patterns: tuple[str, ...], candidates: frozenset[str] | tuple[str, ...]) -> bool:
    """Globs with optional ``!`` exclusions; only exclusions means "everything but"."""
    includes = [pattern for pattern in patterns if not pattern.startswith("!")]
    excludes = [pattern[1:] for pattern in patterns if pattern.startswith("!")]
    if any(name_matches(pattern, text) for pattern in excludes for text in candidates):
        return False
    return not includes or any(name_matches(pattern, text) for pattern in includes for text in candidates)


def in_scope(scope: Scope, resource: Resource, expand_type: TypeExpander) -> bool:
    if scope.providers and resource.provider not in scope.providers:
        return False
    if scope.resource_types and not _matches_globs(scope.resource_types, expand_type(resource.type)):
        return False
    if scope.accounts and not _matches_globs(scope.accounts, (resource.account or "",)):
        return False
    if scope.regions and not _matches_globs(scope.regions, (resource.region or "",)):
        return False
    if scope.paths:
        if resource.file is None:
            return False
        includes = [pattern for pattern in scope.paths if not pattern.startswith("!")]
        excludes = [pattern[1:] for pattern in scope.paths if pattern.startswith("!")]
        if any(path_matches(pattern, resource.file) for pattern in excludes):
            return False
        if includes and not any(path_matches(pattern, resource.file) for pattern in includes):
            return False
    return True


def condition_holds(condition: Condition, resource: Resource, policy: Policy) -> bool | Unknown:
    """True, False, or Unknown when the condition's key cannot be known before deploy."""
    found = find_key(resource.tags, condition.key, policy.keys.get(condition.key), resource.provider)
    if found.kind == "open":
        return Unknown(found.depends_on)
    if isinstance(found.value, Unknown):
        return found.value
    present = found.kind != "missing"
    if condition.present is not None:
        return present == condition.present
    if not present:
        return False
    value = str(found.value)
    if condition.values is not None:
        return value.casefold() in {candidate.casefold() for candidate in condition.values}
    assert condition.matches is not None
    return condition.matches.fullmatch(value) is not None
