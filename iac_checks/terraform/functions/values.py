"""The value model every function shares with the evaluator: Unknown propagation, maps that are
only partly known, Terraform's type names, comparisons and conversions, and argument checks."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tagwarden.engine.resources import Unknown

# ----------------------------------------------------------------------------------------------
# Value model


class EvaluationError(Exception):
    """Terraform itself would reject the expression (missing key, wrong type, index out of range...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PartialMap:
    """A map that certainly holds ``known`` and may hold further keys from ``open_deps``.

    Values in ``known`` may be Unknown: ``merge({Owner = "x"}, var.tags)`` certainly has an
    ``Owner`` key, but ``var.tags`` may replace its value. ``open_deps`` is never empty: a map with
    nothing open is a plain ``dict`` (see :func:`make_map`).
    """

    known: dict[str, Any]
    open_deps: tuple[str, ...]


_MISSING: Any = object()
_MAX_MAGNITUDE = 1e300  # beyond this a float result has lost all meaning; Terraform would not get here
_UNNAMED_UNKNOWN = "(unknown)"
_REFERENCE_PATH = re.compile(r'[A-Za-z_][\w-]*(?:\.[\w-]+|\[(?:\d+|\*|"(?:[^"\\]|\\.)*")\])*\Z')


def unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def find_unknown(*values: Any) -> Unknown | None:
    """Unknown naming every dependency inside ``values``, or None when they are wholly known."""
    found = False
    deps: list[str] = []
    stack: list[Any] = list(reversed(values))
    while stack:
        value = stack.pop()
        if isinstance(value, Unknown):
            found = True
            deps.extend(value.depends_on)
        elif isinstance(value, PartialMap):
            found = True
            deps.extend(value.open_deps)
            stack.extend(reversed(list(value.known.values())))
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return Unknown(unique(deps)) if found else None


def is_known(value: Any) -> bool:
    return find_unknown(value) is None


def unknown_of(*values: Any) -> Unknown:
    """The Unknown naming the dependencies of ``values`` (at least one of which is unknown)."""
    return find_unknown(*values) or Unknown(())


def open_reasons(unknown: Unknown) -> tuple[str, ...]:
    # A PartialMap needs a non-empty open_deps to stay open, even for an Unknown that names nothing.
    return unknown.depends_on or (_UNNAMED_UNKNOWN,)


def make_map(known: dict[str, Any], open_deps: Iterable[str]) -> dict[str, Any] | PartialMap:
    deps = unique(open_deps)
    return PartialMap(known, deps) if deps else known


def may_be_replaced(known: dict[str, Any], deps: tuple[str, ...]) -> None:
    """A source named by ``deps`` may set any key already in ``known``: their values become Unknown."""
    for key, value in known.items():
        earlier = find_unknown(value)
        known[key] = Unknown(unique([*(earlier.depends_on if earlier else ()), *deps]))


def extend_unknown(unknown: Unknown, suffix: str) -> Unknown:
    """``aws_vpc.main`` + ``.id`` -> ``aws_vpc.main.id``: keep naming the precise reference."""
    if len(unknown.depends_on) == 1 and _REFERENCE_PATH.match(unknown.depends_on[0]):
        return Unknown((unknown.depends_on[0] + suffix,))
    return unknown


def index_suffix(key: Any) -> str | None:
    if isinstance(key, str):
        return "[" + json.dumps(key, ensure_ascii=False) + "]"
    if is_number(key):
        return "[" + render_number(key) + "]"
    return None


def normalize(value: Any) -> Any:
    """Bring a value from outside (resolver, JSON cache) into the model: tuples and sets become lists."""
    if value is None or isinstance(value, (str, bool, Unknown)):
        return value
    if isinstance(value, (int, float)):
        return check_number(value)
    if isinstance(value, PartialMap):
        known = {str(key): normalize(item) for key, item in value.known.items()}
        return make_map(known, value.open_deps)
    if isinstance(value, Mapping):
        return {str(key): normalize(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return make_set([normalize(item) for item in value])
    raise EvaluationError(f"unsupported value of Python type {type(value).__name__}")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (dict, PartialMap)):
        return "map"
    if isinstance(value, Unknown):
        return "unknown value"
    return type(value).__name__


def check_number(number: int | float) -> int | float:
    if isinstance(number, float):
        if not math.isfinite(number) or abs(number) > _MAX_MAGNITUDE:
            raise EvaluationError("number is out of range")
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
    elif number.bit_length() > 996:  # about 1e300, and well below Python's int-to-text limit
        raise EvaluationError("number is out of range")
    return number


def render_number(number: int | float) -> str:
    """Numbers as Terraform writes them: 1, 1.5, 0.0001 (never an exponent)."""
    if isinstance(number, int):
        return str(number)
    if not math.isfinite(number):
        raise EvaluationError("number is out of range")
    if number.is_integer():
        return str(int(number))
    text = repr(number)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def to_number(value: Any, what: str = "value") -> int | float:
    if is_number(value):
        return check_number(value)
    if isinstance(value, str):
        if len(value) > 400 or not _NUMBER_TEXT.match(value):
            raise EvaluationError(f'{what}: cannot convert "{value[:60]}" to a number')
        if re.fullmatch(r"[+-]?\d+", value):
            return check_number(int(value))
        return check_number(float(value))
    if value is None:
        raise EvaluationError(f"{what} must not be null")
    raise EvaluationError(f"{what}: a {type_name(value)} cannot be converted to a number")


def to_integer(value: Any, what: str = "value") -> int:
    number = to_number(value, what)
    if isinstance(number, float):
        raise EvaluationError(f"{what} must be a whole number")
    return number


def to_bool(value: Any, what: str = "value") -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value is None:
        raise EvaluationError(f"{what} must not be null")
    raise EvaluationError(f"{what}: a {type_name(value)} cannot be converted to a bool")


def to_string(value: Any, what: str = "value") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return render_number(value)
    if value is None:
        raise EvaluationError(f"{what} must not be null")
    raise EvaluationError(f"{what}: a {type_name(value)} cannot be converted to a string")


def values_equal(left: Any, right: Any) -> bool:
    """Terraform's ``==`` on known values: no conversions, so "1" != 1 and "true" != true."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(values_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(values_equal(left[key], right[key]) for key in left)
    return False


def identical(left: Any, right: Any) -> bool:
    """Like :func:`values_equal`, but also compares Unknown and PartialMap values structurally."""
    if isinstance(left, (Unknown, PartialMap)) or isinstance(right, (Unknown, PartialMap)):
        if isinstance(left, PartialMap) and isinstance(right, PartialMap):
            return left.open_deps == right.open_deps and identical(left.known, right.known)
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(identical(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(identical(left[key], right[key]) for key in left)
    return values_equal(left, right)


def _kind(value: Any) -> str:
    if isinstance(value, Unknown):
        return "unknown"
    return "list" if isinstance(value, list) else type_name(value)


def unify(values: list[Any]) -> list[Any] | Unknown:
    """Give the items of a list or map one type, as Terraform does: mixed primitives become strings.

    Unknown when an unknown item could still change the known ones (``[1, var.x]`` turns into
    strings if ``var.x`` is a string). Nested element types are not unified.
    """
    kinds = {_kind(value) for value in values} - {"null", "unknown"}
    unknown = find_unknown(*values)
    if not kinds:
        return values
    if kinds & {"list", "map"}:
        if len(kinds) > 1:
            raise EvaluationError("all elements must have the same type")
        return values
    if unknown is not None and kinds != {"string"}:
        return unknown
    if len(kinds) == 1:
        return values
    if "string" not in kinds:
        raise EvaluationError("all elements must have the same type")
    return [value if value is None or isinstance(value, Unknown) else to_string(value) for value in values]


def canonical(value: Any) -> str:
    """A text that is equal for equal known values (1 and 1.0 included): for de-duplicating sets."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if is_number(value):
        return "n" + render_number(value)
    if isinstance(value, str):
        return "s" + json.dumps(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(key) + ":" + canonical(value[key]) for key in sorted(value)) + "}"
    raise EvaluationError(f"a {type_name(value)} cannot be a set element")


def make_set(items: list[Any]) -> list[Any]:
    """De-duplicated, in Terraform's set order: strings lexically, numbers by value."""
    distinct = list({canonical(item): item for item in reversed(items)}.values())[::-1]
    if all(isinstance(item, str) for item in distinct):
        return sorted(distinct)
    if all(is_number(item) for item in distinct):
        return sorted(distinct)
    return distinct


def grapheme_count(text: str) -> int:
    # Terraform counts grapheme clusters; combining marks are the common case of a multi-code-point one.
    return sum(1 for char in text if not unicodedata.combining(char) and char != "\u200d")


# ----------------------------------------------------------------------------------------------
# Argument helpers


def _list_arg(value: Any, what: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if value is None:
        raise EvaluationError(f"{what} must not be null")
    raise EvaluationError(f"{what} must be a list, not a {type_name(value)}")


def _map_arg(value: Any, what: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if value is None:
        raise EvaluationError(f"{what} must not be null")
    raise EvaluationError(f"{what} must be a map, not a {type_name(value)}")


def _whole_unknown(*values: Any) -> Unknown | None:
    """Unknown when any of ``values`` is itself unknown (not merely holding unknown items)."""
    unknowns = [value for value in values if isinstance(value, (Unknown, PartialMap))]
    return unknown_of(*unknowns) if unknowns else None
