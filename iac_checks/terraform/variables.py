"""Values for a root module's input variables, in Terraform's order of precedence.

Lowest to highest: the declared default, ``TF_VAR_name`` from the environment, ``terraform.tfvars``,
``*.auto.tfvars`` in file-name order, then each ``--var-file`` in the order given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tagwarden.engine.resources import SourceProblem, Unknown
from tagwarden.iac_checks.terraform.expressions import EvaluationError, evaluate
from tagwarden.iac_checks.terraform.hcl.ir import Block, HclFile, HclSyntaxError
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl

ParseFile = Callable[[Path], "HclFile | SourceProblem"]


class _NoReferences:
    """tfvars and defaults are literal values: any reference in them cannot be known."""

    def reference(self, root: str, name: str | None) -> Any:
        return Unknown((f"{root}.{name}" if name else root,))


def literal_value(expr: Any) -> Any:
    try:
        return evaluate(expr, _NoReferences())
    except EvaluationError as error:
        return Unknown((f"invalid value: {error}",))


def variable_defaults(variables: Mapping[str, Block]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, block in variables.items():
        default = block.body.attributes.get("default")
        values[name] = literal_value(default.expr) if default is not None else Unknown((f"var.{name}",))
    return values


def root_variable_values(
    folder: Path,
    variables: Mapping[str, Block],
    var_files: Sequence[Path],
    environ: Mapping[str, str],
    parse_file: ParseFile,
    problems: list[SourceProblem],
) -> dict[str, Any]:
    values = variable_defaults(variables)
    for name in variables:
        if f"TF_VAR_{name}" in environ:
            values[name] = _environment_value(environ[f"TF_VAR_{name}"], variables[name])
    for path in _tfvars_files(folder, var_files):
        parsed = parse_file(path)
        if isinstance(parsed, SourceProblem):
            problems.append(parsed)
            continue
        for name, attribute in parsed.body.attributes.items():
            if name in variables:
                values[name] = literal_value(attribute.expr)
    return {name: typed_value(value, variables[name]) for name, value in values.items()}


def _tfvars_files(folder: Path, var_files: Sequence[Path]) -> list[Path]:
    automatic = [folder / "terraform.tfvars"] if (folder / "terraform.tfvars").is_file() else []
    automatic += sorted(folder.glob("*.auto.tfvars"))
    return automatic + list(var_files)


def _environment_value(text: str, declaration: Block) -> Any:
    """``TF_VAR_x`` is a string, unless the variable's type is not: then it is HCL (``{a = "b"}``)."""
    declared_type = declaration.body.attributes.get("type")
    is_string = declared_type is None or (declared_type.expr[0] == "var" and declared_type.expr[1] == "string")
    if is_string and not text.lstrip().startswith(("{", "[")):
        return text
    try:
        parsed = parse_hcl(f"value = {text}\n")
    except HclSyntaxError:
        return text
    return literal_value(parsed.body.attributes["value"].expr)


def typed_value(value: Any, declaration: Block) -> Any:
    """A variable's value as Terraform sees it: ``optional(T, default)`` attributes filled in, and
    the default standing in for null when ``nullable = false``."""
    nullable = declaration.body.attributes.get("nullable")
    default = declaration.body.attributes.get("default")
    if value is None and nullable is not None and literal_value(nullable.expr) is False and default is not None:
        value = literal_value(default.expr)
    declared_type = declaration.body.attributes.get("type")
    return value if declared_type is None else with_type_defaults(value, declared_type.expr)


def with_type_defaults(value: Any, type_expr: Any) -> Any:
    if value is None or isinstance(value, Unknown) or not _is_call(type_expr):
        return value
    name, arguments = type_expr[1], type_expr[2]
    if name == "optional" and arguments:
        return with_type_defaults(value, arguments[0])
    if name == "object" and arguments and arguments[0][0] == "object" and isinstance(value, dict):
        return _object_defaults(value, arguments[0][1])
    if name == "map" and arguments and isinstance(value, dict):
        return {key: with_type_defaults(item, arguments[0]) for key, item in value.items()}
    if name in ("list", "set") and arguments and isinstance(value, list):
        return [with_type_defaults(item, arguments[0]) for item in value]
    return value


def _object_defaults(value: dict[str, Any], attributes: Any) -> dict[str, Any]:
    result = dict(value)
    for key_expr, attribute_type in attributes:
        name = str(key_expr[1]) if key_expr[0] == "lit" else None
        if name is None:
            continue
        is_optional = _is_call(attribute_type) and attribute_type[1] == "optional"
        if is_optional and result.get(name) is None:
            optional_arguments = attribute_type[2]
            result[name] = literal_value(optional_arguments[1]) if len(optional_arguments) > 1 else None
        if name in result:
            result[name] = with_type_defaults(result[name], attribute_type)
    return result


def _is_call(expr: Any) -> bool:
    return isinstance(expr, tuple | list) and len(expr) >= 3 and expr[0] == "call"
