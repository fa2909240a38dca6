"""One instance of a module: its variable values, locals, provider configs and child modules.

It answers the expression evaluator's references (``var.x``, ``local.y``, ``module.z.out``, ...).
Whatever cannot be known before deploy (resource attributes, data sources) is ``Unknown``,
named so that a finding can say what it depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.expressions import EvaluationError, evaluate
from tagwarden.iac_checks.terraform.hcl.ir import Block
from tagwarden.iac_checks.terraform.module import Module

ModuleOutputs = Callable[[str], Any]

_EVALUATING = object()


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """What a provider block contributes to tags: AWS ``default_tags``, Google ``default_labels``."""

    default_tags: Any = None  # a dict, PartialMap or Unknown; None when the block sets none


@dataclass
class ModuleInstance:
    module: Module
    address: str  # "" for the root, "module.a.module.b" below it
    variables: dict[str, Any]
    providers: dict[str, ProviderConfig]  # "aws", "aws.west", "google" ...
    path_module: str
    path_root: str
    module_outputs: ModuleOutputs | None = None
    instance_key: str | None = None  # 'x["a"]' inside module.x["a"] (count/for_each on the module call)
    _locals: dict[str, Any] = field(default_factory=dict)

    def prefix(self, name: str) -> str:
        return f"{self.address}.{name}" if self.address else name

    def scope(self, bindings: Mapping[str, Any] | None = None) -> Scope:
        return Scope(self, dict(bindings or {}))

    def local(self, name: str) -> Any:
        cached = self._locals.get(name)
        if cached is _EVALUATING:
            return Unknown((f"local.{name} (refers to itself)",))
        if name in self._locals:
            return cached
        attribute = self.module.locals.get(name)
        if attribute is None:
            return Unknown((f"local.{name} (not declared)",))
        self._locals[name] = _EVALUATING
        value = evaluate_or_unknown(attribute.expr, self.scope(), f"local.{name}")
        self._locals[name] = value
        return value


@dataclass
class Scope:
    """A module instance plus the iteration names in force (``each``, ``count``, dynamic iterators)."""

    instance: ModuleInstance
    bindings: dict[str, Any]

    def reference(self, root: str, name: str | None) -> Any:
        if root in self.bindings:
            return _attribute(self.bindings[root], name, root)
        handler = _ROOTS.get(root)
        if handler is not None:
            return handler(self, name)
        return Unknown((f"{root}.{name}" if name else root,))

    def with_bindings(self, **bindings: Any) -> Scope:
        return Scope(self.instance, {**self.bindings, **bindings})


def _attribute(value: Any, name: str | None, root: str) -> Any:
    if name is None:
        return value
    if isinstance(value, Mapping):
        if name in value:
            return value[name]
        raise EvaluationError(f"{root} has no attribute {name!r}")
    if isinstance(value, Unknown):
        return value
    raise EvaluationError(f"{root}.{name}: {root} is not an object")


def _variable(scope: Scope, name: str | None) -> Any:
    if name is None:
        return Unknown(("var",))
    return scope.instance.variables.get(name, Unknown((f"var.{name} (not declared)",)))


def _local(scope: Scope, name: str | None) -> Any:
    return scope.instance.local(name) if name else Unknown(("local",))


def _module(scope: Scope, name: str | None) -> Any:
    outputs = scope.instance.module_outputs
    if name is None or outputs is None:
        return Unknown((f"module.{name}",))
    return outputs(name)


def _path(scope: Scope, name: str | None) -> Any:
    if name == "module":
        return scope.instance.path_module
    if name in ("root", "cwd"):
        return scope.instance.path_root
    return Unknown((f"path.{name}",))


def _iteration(root: str) -> Callable[[Scope, str | None], Any]:
    def outside(scope: Scope, name: str | None) -> Any:
        return Unknown((f"{root}.{name}" if name else root,))

    return outside


_ROOTS: dict[str, Callable[[Scope, str | None], Any]] = {
    "var": _variable,
    "local": _local,
    "module": _module,
    "path": _path,
    "each": _iteration("each"),
    "count": _iteration("count"),
    "self": _iteration("self"),
    "data": lambda scope, name: Unknown((f"data.{name}",)),
    "terraform": lambda scope, name: Unknown((f"terraform.{name}",)),
}


def evaluate_or_unknown(expr: Any, scope: Scope, what: str) -> Any:
    """Terraform would reject an expression that errors; we report it as not knowable instead."""
    try:
        return evaluate(expr, scope)
    except EvaluationError as error:
        return Unknown((f"{what}: {error}",))


def provider_key(expr: Any) -> str | None:
    """``provider = aws.west`` -> "aws.west"; ``provider = aws`` -> "aws"."""
    if isinstance(expr, tuple | list) and expr:
        if expr[0] == "var":
            return str(expr[1])
        if expr[0] == "attr" and expr[1][0] == "var":
            return f"{expr[1][1]}.{expr[2]}"
    return None


def provider_configs(module: Module, scope: Scope) -> dict[str, ProviderConfig]:
    configs: dict[str, ProviderConfig] = {}
    for block in module.providers:
        alias = block.body.attributes.get("alias")
        alias_name = evaluate_or_unknown(alias.expr, scope, "alias") if alias else None
        key = block.labels[0] + (f".{alias_name}" if isinstance(alias_name, str) else "")
        configs[key] = ProviderConfig(default_tags=_default_tags(block, scope))
    return configs


def _default_tags(block: Block, scope: Scope) -> Any:
    if block.labels[0] == "google" or block.labels[0] == "google-beta":
        labels = block.body.attributes.get("default_labels")
        return evaluate_or_unknown(labels.expr, scope, "default_labels") if labels else None
    for default_tags in block.body.blocks_of("default_tags"):
        tags = default_tags.body.attributes.get("tags")
        if tags is not None:
            return evaluate_or_unknown(tags.expr, scope, "default_tags")
    return None
