"""Every value check, in the order they are tried; the first violation is the rule's reason."""

from __future__ import annotations

from collections.abc import Sequence

from tagwarden.engine.evaluation.checks.allowed import AllowedValues
from tagwarden.engine.evaluation.checks.interface import ValueCheck
from tagwarden.engine.evaluation.checks.parent import ParentValue
from tagwarden.engine.evaluation.checks.pattern import Pattern
from tagwarden.engine.evaluation.checks.provider_charset import ProviderCharset


def _build(checks: Sequence[ValueCheck]) -> tuple[ValueCheck, ...]:
    names = [check.name for check in checks]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"value checks registered twice: {sorted(duplicates)}")
    return tuple(checks)


VALUE_CHECKS: tuple[ValueCheck, ...] = _build([AllowedValues(), Pattern(), ParentValue(), ProviderCharset()])
