"""Type conversions: tostring, tonumber, tobool, tolist, toset, tomap, (non)sensitive."""

from __future__ import annotations

from typing import Any

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.functions.collections import _as_set
from tagwarden.iac_checks.terraform.functions.spec import Builtin
from tagwarden.iac_checks.terraform.functions.values import (
    PartialMap,
    _list_arg,
    _map_arg,
    to_bool,
    to_number,
    to_string,
    unify,
    unknown_of,
)

# ----------------------------------------------------------------------------------------------
# Type conversions


def fn_tostring(value: Any) -> Any:
    return None if value is None else to_string(value)


def fn_tonumber(value: Any) -> Any:
    return None if value is None else to_number(value)


def fn_tobool(value: Any) -> Any:
    return None if value is None else to_bool(value)


def fn_tolist(value: Any) -> Any:
    if value is None or isinstance(value, Unknown):
        return value
    return unify(_list_arg(value, "argument"))


def fn_toset(value: Any) -> Any:
    return None if value is None else _as_set(_list_arg(value, "argument"))


def fn_tomap(value: Any) -> Any:
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, PartialMap):
        # its open part counts as one more unknown item: it may turn known numbers into strings
        if isinstance(unify([*value.known.values(), Unknown(value.open_deps)]), Unknown):
            return unknown_of(value)
        return value
    found = _map_arg(value, "argument")
    unified = unify(list(found.values()))
    if isinstance(unified, Unknown):
        return unified
    return dict(zip(found, unified, strict=True))


def fn_identity(value: Any) -> Any:
    return value


CONVERSION_FUNCTIONS: tuple[Builtin, ...] = (
    Builtin("tostring", fn_tostring),
    Builtin("tonumber", fn_tonumber),
    Builtin("tobool", fn_tobool),
    Builtin("tolist", fn_tolist, unknown_aware=True),
    Builtin("toset", fn_toset),
    Builtin("tomap", fn_tomap, unknown_aware=True),
    Builtin("sensitive", fn_identity, unknown_aware=True),
    Builtin("nonsensitive", fn_identity, unknown_aware=True),
)
