"""The registry: :class:`Function` and :data:`FUNCTIONS`, built from the explicit lists of the family
modules (nothing registers itself on import)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.functions.collections import COLLECTION_FUNCTIONS
from tagwarden.iac_checks.terraform.functions.conversions import CONVERSION_FUNCTIONS
from tagwarden.iac_checks.terraform.functions.encoding import ENCODING_FUNCTIONS
from tagwarden.iac_checks.terraform.functions.lazy import LAZY_FUNCTIONS
from tagwarden.iac_checks.terraform.functions.numbers import NUMBER_FUNCTIONS
from tagwarden.iac_checks.terraform.functions.regex import UnsupportedPattern
from tagwarden.iac_checks.terraform.functions.strings import STRING_FUNCTIONS
from tagwarden.iac_checks.terraform.functions.unknowable import UNKNOWABLE_FUNCTIONS
from tagwarden.iac_checks.terraform.functions.values import EvaluationError, find_unknown

# ----------------------------------------------------------------------------------------------
# Registry


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: any number
    unknown_aware: bool = False
    lazy: bool = False

    def call(self, args: Sequence[Any]) -> Any:
        if len(args) < self.min_args or (self.max_args is not None and len(args) > self.max_args):
            raise EvaluationError(f"{self.name}: {self._arity_text()}, got {len(args)}")
        if not (self.unknown_aware or self.lazy) and (unknown := find_unknown(*args)) is not None:
            return unknown
        try:
            return self.impl(*args)
        except EvaluationError as error:
            raise EvaluationError(f"{self.name}: {error.message}") from error
        except UnsupportedPattern:
            return Unknown((f"function {self.name}",))

    def _arity_text(self) -> str:
        if self.max_args is None:
            return f"expects at least {self.min_args} arguments"
        if self.min_args == self.max_args:
            return f"expects {self.min_args} arguments"
        return f"expects {self.min_args} to {self.max_args} arguments"


def _function(name: str, impl: Callable[..., Any], *, unknown_aware: bool = False, lazy: bool = False) -> Function:
    parameters = inspect.signature(impl).parameters.values()
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    variadic = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    required = sum(1 for p in positional if p.default is p.empty)
    return Function(name, impl, required, None if variadic else len(positional), unknown_aware, lazy)


def _registry(functions: Iterable[Function]) -> Mapping[str, Function]:
    table: dict[str, Function] = {}
    for function in functions:
        if function.name in table:
            raise ValueError(f"function {function.name} is registered twice")
        table[function.name] = function
    return MappingProxyType(table)


FUNCTIONS: Mapping[str, Function] = _registry(
    _function(entry.name, entry.impl, unknown_aware=entry.unknown_aware, lazy=entry.lazy)
    for entry in (
        *COLLECTION_FUNCTIONS,
        *CONVERSION_FUNCTIONS,
        *STRING_FUNCTIONS,
        *NUMBER_FUNCTIONS,
        *ENCODING_FUNCTIONS,
        *UNKNOWABLE_FUNCTIONS,
        *LAZY_FUNCTIONS,
    )
)
