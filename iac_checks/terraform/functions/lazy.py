"""try and can: they see their arguments' errors, so they receive zero-argument callables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tagwarden.iac_checks.terraform.functions.spec import Builtin
from tagwarden.iac_checks.terraform.functions.values import EvaluationError, find_unknown

# ----------------------------------------------------------------------------------------------
# try and can see their arguments' errors, so they receive callables


def fn_try(first: Callable[[], Any], *rest: Callable[[], Any]) -> Any:
    for attempt in (first, *rest):
        try:
            value = attempt()
        except EvaluationError:
            continue
        # an unknown value might still turn out to be an error, so a later fallback cannot be chosen
        return find_unknown(value) or value
    raise EvaluationError("no expression succeeded")


def fn_can(attempt: Callable[[], Any]) -> Any:
    try:
        value = attempt()
    except EvaluationError:
        return False
    return find_unknown(value) or True


LAZY_FUNCTIONS: tuple[Builtin, ...] = (
    Builtin("try", fn_try, lazy=True),
    Builtin("can", fn_can, lazy=True),
)
