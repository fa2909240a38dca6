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
    return values


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
