"""format and formatlist: Go's fmt verbs as Terraform accepts them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tagwarden.iac_checks.terraform.functions.encoding import encode_json, json_string
from tagwarden.iac_checks.terraform.functions.values import (
    EvaluationError,
    grapheme_count,
    is_number,
    to_bool,
    to_integer,
    to_number,
    to_string,
)

# ---- format


_FORMAT_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?P<width>\d+)?(?:\.(?P<precision>\d+))?(?:\[(?P<index>\d+)\])?(?P<verb>.)"
)


def fn_format(template: Any, *args: Any) -> Any:
    return format_text(to_string(template, "format"), args)


def format_text(template: str, args: Sequence[Any]) -> str:
    pieces: list[str] = []
    position, next_arg, highest_used = 0, 0, -1
    while (percent := template.find("%", position)) >= 0:
        pieces.append(template[position:percent])
        match = _FORMAT_VERB.match(template, percent)
        if match is None:
            raise EvaluationError(f"invalid format string at offset {percent}")
        position = match.end()
        if match["verb"] == "%":
            pieces.append("%")
            continue
        if match["index"]:
            next_arg = int(match["index"]) - 1
        if not 0 <= next_arg < len(args):
            raise EvaluationError(f"not enough arguments for {match[0]!r} at {percent}")
        pieces.append(_format_verb(match, args[next_arg]))
        highest_used = max(highest_used, next_arg)
        next_arg += 1
    pieces.append(template[position:])
    if highest_used + 1 < len(args):
        raise EvaluationError(f"too many arguments; only {highest_used + 1} used by format string")
    return "".join(pieces)


def _format_verb(match: re.Match[str], value: Any) -> str:
    verb, flags = match["verb"], match["flags"]
    width = int(match["width"]) if match["width"] else 0
    precision = int(match["precision"]) if match["precision"] is not None else None
    if value is None and verb != "v":
        raise EvaluationError(f"unsupported value for {match[0]!r}: null value cannot be formatted")
    if verb == "v":
        return _pad(_format_default(value, sharp="#" in flags), flags, width)
    if verb == "t":
        return _pad("true" if to_bool(value) else "false", flags, width)
    if verb in "sq":
        text = to_string(value)
        if precision:
            text = text[:precision]
        return _pad(json_string(text) if verb == "q" else text, flags, width)
    if verb in "bdoxX":
        return _format_integer(to_integer(value, "value"), verb, flags, width)
    if verb in "eEfgG":
        return _format_float(to_number(value), verb, flags, width, precision)
    raise EvaluationError(f"unsupported format verb {verb!r}")


def _format_default(value: Any, sharp: bool) -> str:
    if not sharp and isinstance(value, str):
        return value
    if not sharp and is_number(value):
        return go_shortest_g(value)
    return encode_json(value)


def _pad(text: str, flags: str, width: int) -> str:
    missing = width - grapheme_count(text)
    if missing <= 0:
        return text
    if "-" in flags:
        return text + " " * missing
    return ("0" if "0" in flags else " ") * missing + text


def _pad_number(sign: str, body: str, flags: str, width: int) -> str:
    missing = width - len(sign) - len(body)
    if missing <= 0:
        return sign + body
    if "-" in flags:
        return sign + body + " " * missing
    if "0" in flags:
        return sign + "0" * missing + body
    return " " * missing + sign + body


def _sign(negative: bool, flags: str) -> str:
    if negative:
        return "-"
    return "+" if "+" in flags else (" " if " " in flags else "")


def _format_integer(number: int, verb: str, flags: str, width: int) -> str:
    body = format(abs(number), verb)
    if "#" in flags:
        body = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "") + body
    return _pad_number(_sign(number < 0, flags), body, flags, width)


def _format_float(number: int | float, verb: str, flags: str, width: int, precision: int | None) -> str:
    try:
        magnitude = abs(float(number))
    except OverflowError as error:
        raise EvaluationError("number is out of range") from error
    if verb in "gG" and precision is None:
        body = go_shortest_g(magnitude)
        body = body.upper() if verb == "G" else body
    else:
        body = format(magnitude, f".{6 if precision is None else precision}{verb}")
    return _pad_number(_sign(number < 0, flags), body, flags, width)


def go_shortest_g(number: int | float) -> str:
    """Go's %g at the shortest precision (what %v does with numbers): 1e+06, 123456, 1.5, 0.0001, 1e-05."""
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    decimal = (Decimal(abs(number)) if isinstance(number, int) else Decimal(repr(abs(number)))).normalize()
    digits = "".join(str(digit) for digit in decimal.as_tuple().digits)
    exponent = int(decimal.as_tuple().exponent)
    point = len(digits) + exponent  # digits before the decimal point
    if point - 1 < -4 or point - 1 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if point - 1 < 0 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def fn_formatlist(template: Any, *args: Any) -> Any:
    text = to_string(template, "format")
    lengths = {len(arg) for arg in args if isinstance(arg, list)}
    if len(lengths) > 1:
        raise EvaluationError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    rows = [[arg[row] if isinstance(arg, list) else arg for arg in args] for row in range(count)]
    return [format_text(text, row) for row in rows]
