"""Number functions: abs, ceil, floor, max, min, pow, signum, log, parseint."""

from __future__ import annotations

import math
from typing import Any

from tagwarden.iac_checks.terraform.functions.spec import Builtin
from tagwarden.iac_checks.terraform.functions.values import (
    EvaluationError,
    check_number,
    to_integer,
    to_number,
    to_string,
)

# ----------------------------------------------------------------------------------------------
# Numbers


def fn_abs(number: Any) -> Any:
    return abs(to_number(number, "argument"))


def fn_ceil(number: Any) -> Any:
    return check_number(math.ceil(to_number(number, "argument")))


def fn_floor(number: Any) -> Any:
    return check_number(math.floor(to_number(number, "argument")))


def fn_max(*numbers: Any) -> Any:
    if not numbers:
        raise EvaluationError("must pass at least one number")
    return max(to_number(number, "argument") for number in numbers)


def fn_min(*numbers: Any) -> Any:
    if not numbers:
        raise EvaluationError("must pass at least one number")
    return min(to_number(number, "argument") for number in numbers)


def fn_pow(base: Any, exponent: Any) -> Any:
    left, right = to_number(base, "base"), to_number(exponent, "exponent")
    try:
        return check_number(float(left) ** float(right))
    except (OverflowError, ZeroDivisionError) as error:
        raise EvaluationError("result is out of range") from error


def fn_signum(number: Any) -> Any:
    value = to_number(number, "argument")
    return (value > 0) - (value < 0)


def fn_log(number: Any, base: Any) -> Any:
    value, radix = to_number(number, "number"), to_number(base, "base")
    if value <= 0 or radix <= 0 or radix == 1:
        raise EvaluationError("log is only defined for positive numbers and bases other than 1")
    return check_number(math.log(value, radix))


def fn_parseint(text: Any, base: Any) -> Any:
    radix = to_integer(base, "base")
    if not 2 <= radix <= 62:
        raise EvaluationError("base must be a whole number between 2 and 62 inclusive")
    digits = to_string(text, "number")
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[:radix]
    body = digits[1:] if digits[:1] in "+-" else digits
    if not body or len(body) > 300 or any(char not in alphabet for char in (body if radix > 36 else body.lower())):
        raise EvaluationError(f'cannot parse "{digits[:60]}" as a base {radix} integer')
    value = 0
    for char in body if radix > 36 else body.lower():
        value = value * radix + alphabet.index(char)
    return check_number(-value if digits.startswith("-") else value)


NUMBER_FUNCTIONS: tuple[Builtin, ...] = (
    Builtin("abs", fn_abs),
    Builtin("ceil", fn_ceil),
    Builtin("floor", fn_floor),
    Builtin("max", fn_max),
    Builtin("min", fn_min),
    Builtin("pow", fn_pow),
    Builtin("signum", fn_signum),
    Builtin("log", fn_log),
    Builtin("parseint", fn_parseint),
)
