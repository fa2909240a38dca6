"""Terraform's built-in functions and the value model they share with the expression evaluator.

Values are plain Python: ``str``, ``int``/``float`` (numbers), ``bool``, ``None`` (null), ``list``
(lists, tuples and sets; sets are de-duplicated and sorted), ``dict`` (maps and objects), plus
:class:`Unknown` for a value that cannot be known before deploy and :class:`PartialMap` for a map
whose keys are only partly known. Containers may hold Unknown items.

Every function in :data:`FUNCTIONS` takes already-evaluated arguments. By default an argument that
holds an Unknown anywhere makes the result Unknown (naming all it depends on); functions registered
as ``unknown_aware`` look inside their arguments themselves (``merge`` keeps the keys it can know,
``length`` counts a list whose items are unknown). ``try`` and ``can`` are ``lazy``: they receive
zero-argument callables, because they must see the errors of their arguments.

Errors Terraform itself would raise are :class:`EvaluationError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import inspect
import json
import math
import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import yaml

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


# ----------------------------------------------------------------------------------------------
# Maps and collections


def fn_merge(*maps: Any) -> Any:
    known: dict[str, Any] = {}
    open_deps: list[str] = []
    for position, item in enumerate(maps, start=1):
        if item is None:
            continue
        if isinstance(item, Unknown):
            may_be_replaced(known, open_reasons(item))
            open_deps.extend(open_reasons(item))
        elif isinstance(item, PartialMap):
            may_be_replaced(known, item.open_deps)
            open_deps.extend(item.open_deps)
            known.update(item.known)
        elif isinstance(item, dict):
            known.update(item)
        else:
            raise EvaluationError(f"argument {position} must be a map or object, not a {type_name(item)}")
    return make_map(known, open_deps)


def fn_lookup(mapping: Any, key: Any, default: Any = _MISSING) -> Any:
    if not is_known(key):
        return unknown_of(key)
    name = to_string(key, "key")
    if isinstance(mapping, Unknown):
        return extend_unknown(mapping, index_suffix(name) or "")
    if isinstance(mapping, PartialMap):
        # an open map may hold the key, so the default cannot be chosen
        return mapping.known[name] if name in mapping.known else Unknown(mapping.open_deps)
    found = _map_arg(mapping, "map")
    if name in found:
        return found[name]
    if default is _MISSING:
        raise EvaluationError(f'the given key "{name}" does not exist in the map')
    return default


def fn_keys(mapping: Any) -> Any:
    if (unknown := _whole_unknown(mapping)) is not None:
        return unknown
    return sorted(_map_arg(mapping, "argument"))


def fn_values(mapping: Any) -> Any:
    if (unknown := _whole_unknown(mapping)) is not None:
        return unknown
    found = _map_arg(mapping, "argument")
    return [found[key] for key in sorted(found)]


def fn_length(value: Any) -> Any:
    if (unknown := _whole_unknown(value)) is not None:
        return unknown
    if isinstance(value, str):
        return grapheme_count(value)
    if isinstance(value, (list, dict)):
        return len(value)
    if value is None:
        raise EvaluationError("argument must not be null")
    raise EvaluationError(f"argument must be a string, a collection or a structure, not a {type_name(value)}")


def fn_concat(*lists: Any) -> Any:
    if (unknown := _whole_unknown(*lists)) is not None:
        return unknown
    result: list[Any] = []
    for position, item in enumerate(lists, start=1):
        result.extend(_list_arg(item, f"argument {position}"))
    return result


def fn_element(items: Any, index: Any) -> Any:
    if (unknown := _whole_unknown(items, index)) is not None:
        return unknown
    found = _list_arg(items, "list")
    position = to_integer(index, "index")
    if not found:
        raise EvaluationError("cannot use element function with an empty list")
    if position < 0:
        raise EvaluationError("cannot use element function with a negative index")
    return found[position % len(found)]


def fn_index(items: Any, value: Any) -> Any:
    for position, item in enumerate(_list_arg(items, "list")):
        if values_equal(item, value):
            return position
    raise EvaluationError("item not found")


def fn_zipmap(keys: Any, values: Any) -> Any:
    if (unknown := _whole_unknown(keys, values)) is not None:
        return unknown
    if not is_known(keys):
        return unknown_of(keys)
    names = [to_string(key, "key") for key in _list_arg(keys, "keys")]
    found = _list_arg(values, "values")
    if len(names) != len(found):
        raise EvaluationError(f"number of keys ({len(names)}) does not match number of values ({len(found)})")
    return dict(zip(names, found, strict=True))


def fn_slice(items: Any, start: Any, end: Any) -> Any:
    if (unknown := _whole_unknown(items, start, end)) is not None:
        return unknown
    found = _list_arg(items, "list")
    first, last = to_integer(start, "start index"), to_integer(end, "end index")
    if first < 0 or last > len(found) or first > last:
        raise EvaluationError(f"invalid slice [{first}:{last}] of a list of {len(found)} elements")
    return found[first:last]


def fn_reverse(items: Any) -> Any:
    if (unknown := _whole_unknown(items)) is not None:
        return unknown
    return list(reversed(_list_arg(items, "argument")))


def fn_one(items: Any) -> Any:
    if (unknown := _whole_unknown(items)) is not None:
        return unknown
    found = _list_arg(items, "argument")
    if len(found) > 1:
        raise EvaluationError(f"must be a list, set, or tuple value with either zero or one elements, not {len(found)}")
    return found[0] if found else None


def fn_coalesce(*values: Any) -> Any:
    unified = unify(list(values))
    if isinstance(unified, Unknown):
        return unified
    for value in unified:
        if value is not None and value != "":
            return value
    raise EvaluationError("no non-null, non-empty-string arguments")


def fn_coalescelist(*lists: Any) -> Any:
    for position, item in enumerate(lists, start=1):
        if item is not None and _list_arg(item, f"argument {position}"):
            return item
    raise EvaluationError("no non-null arguments")


def fn_compact(items: Any) -> Any:
    strings = [to_string(item, "element") for item in _list_arg(items, "list") if item is not None]
    return [item for item in strings if item != ""]


def fn_contains(items: Any, value: Any) -> Any:
    return any(values_equal(item, value) for item in _list_arg(items, "list"))


def fn_distinct(items: Any) -> Any:
    seen: set[str] = set()
    result = []
    for item in _list_arg(items, "list"):
        key = canonical(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def fn_flatten(items: Any) -> Any:
    result: list[Any] = []
    for item in _list_arg(items, "argument"):
        if isinstance(item, list):
            result.extend(fn_flatten(item))
        else:
            result.append(item)
    return result


def fn_chunklist(items: Any, size: Any) -> Any:
    found = _list_arg(items, "list")
    step = to_integer(size, "size")
    if step < 0:
        raise EvaluationError("the size argument must be positive")
    if step == 0:
        return [found]
    return [found[start : start + step] for start in range(0, len(found), step)]


def _set_args(sets: Sequence[Any]) -> list[list[Any]]:
    if not sets:
        raise EvaluationError("at least one set is required")
    return [_list_arg(item, f"argument {position}") for position, item in enumerate(sets, start=1)]


def _as_set(items: list[Any]) -> list[Any]:
    unified = unify(items)
    if isinstance(unified, Unknown):  # callers pass wholly known items
        raise EvaluationError("set elements must be known")
    return make_set(unified)


def fn_setunion(*sets: Any) -> Any:
    return _as_set([item for found in _set_args(sets) for item in found])


def fn_setintersection(*sets: Any) -> Any:
    first, *rest = [_as_set(found) for found in _set_args(sets)]
    others = [{canonical(item) for item in found} for found in rest]
    return [item for item in first if all(canonical(item) in other for other in others)]


def fn_setsubtract(left: Any, right: Any) -> Any:
    removed = {canonical(item) for item in _as_set(_list_arg(right, "argument 2"))}
    return [item for item in _as_set(_list_arg(left, "argument 1")) if canonical(item) not in removed]


def fn_range(*bounds: Any) -> Any:
    numbers = [to_number(bound, "range argument") for bound in bounds]
    if not 1 <= len(numbers) <= 3:
        raise EvaluationError("must have one, two, or three arguments")
    start: int | float = 0 if len(numbers) == 1 else numbers[0]
    limit = numbers[0] if len(numbers) == 1 else numbers[1]
    step: int | float = numbers[2] if len(numbers) == 3 else 1
    if step == 0:
        raise EvaluationError("step must not be zero")
    if (step > 0 and start > limit) or (step < 0 and start < limit):
        raise EvaluationError("the step must move from start towards the limit")
    result: list[int | float] = []
    current = start
    while (current < limit) if step > 0 else (current > limit):
        if len(result) >= 1024:
            raise EvaluationError("more than 1024 values were generated")
        result.append(check_number(current))
        current += step
    return result


def fn_sort(items: Any) -> Any:
    return sorted(to_string(item, "element") for item in _list_arg(items, "list"))


def fn_sum(items: Any) -> Any:
    found = _list_arg(items, "argument")
    if not found:
        raise EvaluationError("cannot sum an empty list")
    total: int | float = 0
    for item in found:
        total = check_number(total + to_number(item, "element"))
    return total


def fn_alltrue(items: Any) -> Any:
    return all([to_bool(item, "element") for item in _list_arg(items, "argument")])


def fn_anytrue(items: Any) -> Any:
    return any([to_bool(item, "element") for item in _list_arg(items, "argument")])


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


# ----------------------------------------------------------------------------------------------
# Strings


def fn_join(separator: Any, *lists: Any) -> Any:
    glue = to_string(separator, "separator")
    if not lists:
        raise EvaluationError("at least one list is required")
    items = [item for position, found in enumerate(lists, start=1) for item in _list_arg(found, f"list {position}")]
    if any(item is None for item in items):
        raise EvaluationError("cannot concatenate null values")
    return glue.join(to_string(item, "element") for item in items)


def fn_split(separator: Any, text: Any) -> Any:
    glue, whole = to_string(separator, "separator"), to_string(text, "string")
    if glue == "":
        return list(whole)
    return whole.split(glue)


def fn_lower(text: Any) -> Any:
    return to_string(text, "argument").lower()


def fn_upper(text: Any) -> Any:
    return to_string(text, "argument").upper()


def _is_word_separator(char: str) -> bool:
    # Go's strings.Title rule
    if char.isascii():
        return not (char.isalnum() or char == "_")
    if char.isalpha() or char.isdigit():
        return False
    return char.isspace()


def fn_title(text: Any) -> Any:
    # upper-case the first letter of each word and leave the rest alone (Python's str.title lowers it)
    result = []
    previous = " "
    for char in to_string(text, "argument"):
        result.append(char.title() if _is_word_separator(previous) else char)
        previous = char
    return "".join(result)


def fn_trimspace(text: Any) -> Any:
    return to_string(text, "argument").strip()


def fn_trim(text: Any, cutset: Any) -> Any:
    return to_string(text, "string").strip(to_string(cutset, "cutset"))


def fn_trimprefix(text: Any, prefix: Any) -> Any:
    return to_string(text, "string").removeprefix(to_string(prefix, "prefix"))


def fn_trimsuffix(text: Any, suffix: Any) -> Any:
    return to_string(text, "string").removesuffix(to_string(suffix, "suffix"))


def fn_chomp(text: Any) -> Any:
    return re.sub(r"(?:\r\n?|\n)*\Z", "", to_string(text, "argument"), count=1)


def fn_indent(spaces: Any, text: Any) -> Any:
    return to_string(text, "string").replace("\n", "\n" + " " * to_integer(spaces, "spaces"))


def fn_strrev(text: Any) -> Any:
    return to_string(text, "argument")[::-1]


def fn_startswith(text: Any, prefix: Any) -> Any:
    return to_string(text, "string").startswith(to_string(prefix, "prefix"))


def fn_endswith(text: Any, suffix: Any) -> Any:
    return to_string(text, "string").endswith(to_string(suffix, "suffix"))


def fn_strcontains(text: Any, part: Any) -> Any:
    return to_string(part, "substr") in to_string(text, "string")


def fn_substr(text: Any, offset: Any, length: Any) -> Any:
    whole = to_string(text, "string")
    start, count = to_integer(offset, "offset"), to_integer(length, "length")
    if start < 0:
        start = max(len(whole) + start, 0)
    if start >= len(whole):
        return ""
    return whole[start:] if count < 0 else whole[start : start + count]


def fn_replace(text: Any, search: Any, replacement: Any) -> Any:
    whole, pattern, new = to_string(text, "string"), to_string(search, "substr"), to_string(replacement, "replace")
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        compiled = compile_regex(pattern[1:-1])
        pieces, position = [], 0
        for match in go_finditer(compiled, whole):
            pieces.append(whole[position : match.start()])
            pieces.append(_expand_go_template(new, match))
            position = match.end()
        pieces.append(whole[position:])
        return "".join(pieces)
    return whole.replace(pattern, new)


def fn_regex(pattern: Any, text: Any) -> Any:
    compiled = compile_regex(to_string(pattern, "pattern"))
    match = next(go_finditer(compiled, to_string(text, "string")), None)
    if match is None:
        raise EvaluationError("pattern did not match any part of the given string")
    return _match_result(compiled, match)


def fn_regexall(pattern: Any, text: Any) -> Any:
    compiled = compile_regex(to_string(pattern, "pattern"))
    return [_match_result(compiled, match) for match in go_finditer(compiled, to_string(text, "string"))]


# RE2 (Go) syntax that Python's re reads differently, or not at all.
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}


class UnsupportedPattern(Exception):
    """Valid RE2 that Python's re cannot run the same way; the result is then Unknown, not an error."""


@lru_cache(maxsize=512)
def compile_regex(pattern: str) -> re.Pattern[str]:
    translated = _translate_re2(pattern)
    try:
        return re.compile(translated, re.ASCII)
    except re.error as error:
        if "global flags" in str(error):
            raise UnsupportedPattern(pattern) from error
        raise EvaluationError(f"invalid regexp pattern: {error}") from error
    except (OverflowError, RecursionError) as error:
        raise EvaluationError("invalid regexp pattern: too complex") from error


def _translate_re2(pattern: str) -> str:
    if re.search(r"\(\?[a-zA-Z]*U", pattern):
        raise UnsupportedPattern(pattern)  # RE2's ungreedy flag has no Python equivalent
    multiline = bool(re.search(r"\(\?[a-zA-Z]*m", pattern))
    out: list[str] = []
    position, in_class = 0, False
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            escape = pattern[position : position + 2]
            if escape in ("\\Q", "\\p", "\\P", "\\C"):
                raise UnsupportedPattern(pattern)
            if escape == "\\Z" or (len(escape) == 2 and escape[1] in "123456789" and not in_class):
                raise EvaluationError(f"invalid regexp pattern: invalid escape sequence {escape}")
            out.append("\\Z" if escape == "\\z" else escape)
            position += len(escape)
            continue
        if in_class:
            posix = re.match(r"\[:(\^?)(\w+):\]", pattern[position:])
            if posix:
                if posix[1] or posix[2] not in _POSIX_CLASSES:
                    raise UnsupportedPattern(pattern)
                out.append(_POSIX_CLASSES[posix[2]])
                position += posix.end()
                continue
            if char in "[&~|":  # literal in RE2; Python warns of future set operations
                out.append("\\" + char)
                position += 1
                continue
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            # a "]" right after "[" or "[^" is a literal in both dialects
            opening = re.match(r"\[\^?\]?", pattern[position:])
            assert opening is not None
            out.append(opening[0])
            position += opening.end()
            continue
        elif char == "(" and pattern.startswith("(?", position):
            rest = pattern[position + 2 :]
            if rest[:1] in ("=", "!") or rest[:2] in ("<=", "<!") or rest[:2] == "P=" or rest[:1] == "#":
                raise EvaluationError("invalid regexp pattern: lookaround, back references and comments are not RE2")
            if rest[:1] == "<":
                out.append("(?P<")
                position += 3
                continue
        elif char == "$" and not multiline:
            out.append("\\Z")  # RE2's $ does not match before a final newline
            position += 1
            continue
        out.append(char)
        position += 1
    return "".join(out)


def go_finditer(compiled: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches as Go finds them: an empty match right after the previous match is skipped."""
    previous_end = -1
    for match in compiled.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        yield match


def _match_result(compiled: re.Pattern[str], match: re.Match[str]) -> Any:
    names = compiled.groupindex
    if compiled.groups == 0:
        return match.group(0)
    if names and len(names) != compiled.groups:
        raise EvaluationError("invalid regexp pattern: cannot mix both named and unnamed capture groups")
    if names:
        return {name: match.group(name) for name in names}
    return list(match.groups())


def _expand_go_template(template: str, match: re.Match[str]) -> str:
    """Go's Regexp.Expand: $1, ${1}, $name, ${name} and $$."""
    pieces: list[str] = []
    position = 0
    pattern = re.compile(r"\$(?:\$|\{(\w+)\}|(\w+))")
    for found in pattern.finditer(template):
        pieces.append(template[position : found.start()])
        position = found.end()
        if found.group(0) == "$$":
            pieces.append("$")
            continue
        name = found.group(1) or found.group(2)
        pieces.append(_group_text(match, name))
    pieces.append(template[position:])
    return "".join(pieces)


def _group_text(match: re.Match[str], name: str) -> str:
    if name.isdigit():
        number = int(name)
        return (match.group(number) or "") if number <= (match.re.groups) else ""
    return (match.group(name) or "") if name in match.re.groupindex else ""


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


# ----------------------------------------------------------------------------------------------
# Encodings and hashes


def json_string(text: str) -> str:
    """A JSON string literal as Go writes it: <, > and & escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        quoted = quoted.replace(char, escape)
    return quoted


def encode_json(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if is_number(value):
        return render_number(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(encode_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json_string(key) + ":" + encode_json(value[key]) for key in sorted(value)) + "}"
    raise EvaluationError(f"a {type_name(value)} cannot be encoded")


def fn_jsonencode(value: Any) -> Any:
    return encode_json(value)


def _reject_constant(name: str) -> Any:
    raise EvaluationError(f"invalid JSON: {name} is not a number")


def _json_int(digits: str) -> int | float:
    if len(digits) > 300:
        raise EvaluationError("number is out of range")
    return check_number(int(digits))


def fn_jsondecode(text: Any) -> Any:
    try:
        decoded = json.loads(
            to_string(text, "argument"),
            parse_float=lambda number: check_number(float(number)),
            parse_int=_json_int,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        raise EvaluationError(f"invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from error
    return normalize(decoded)


def encode_yaml(value: Any) -> str:
    return "\n".join(_yaml_lines(value, 0)) + "\n"


def _yaml_is_block(value: Any) -> bool:
    return isinstance(value, (list, dict)) and bool(value)


def _yaml_inline(value: Any) -> str:
    if isinstance(value, list):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return encode_json(value)


def _yaml_lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict) and value:
        for key in sorted(value):
            item = value[key]
            head = f"{pad}{_yaml_inline(key)}:"
            if not _yaml_is_block(item):
                lines.append(f"{head} {_yaml_inline(item)}")
                continue
            lines.append(head)
            # a sequence under a key sits at the key's own indentation, as go-yaml writes it
            lines.extend(_yaml_lines(item, indent if isinstance(item, list) else indent + 2))
        return lines
    if isinstance(value, list) and value:
        for item in value:
            if not _yaml_is_block(item):
                lines.append(f"{pad}- {_yaml_inline(item)}")
                continue
            nested = _yaml_lines(item, indent + 2)
            lines.append(f"{pad}- {nested[0][indent + 2 :]}")
            lines.extend(nested[1:])
        return lines
    return [pad + _yaml_inline(value)]


def fn_yamlencode(value: Any) -> Any:
    return encode_yaml(value)


class _YamlLoader(yaml.SafeLoader):
    """YAML 1.2-ish: timestamps stay strings, as Terraform reads them."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _from_yaml(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        raise EvaluationError("binary YAML values are not supported")
    if isinstance(value, dict):
        return {to_string(key, "key"): _from_yaml(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_yaml(item) for item in value]
    return normalize(value)


def fn_yamldecode(text: Any) -> Any:
    try:
        return _from_yaml(yaml.load(to_string(text, "argument"), Loader=_YamlLoader))
    except yaml.YAMLError as error:
        raise EvaluationError(f"invalid YAML: {error}") from error


def fn_base64encode(text: Any) -> Any:
    return base64.b64encode(to_string(text, "argument").encode()).decode("ascii")


def fn_base64decode(text: Any) -> Any:
    try:
        decoded = base64.b64decode(to_string(text, "argument"), validate=True)
        return decoded.decode("utf-8")
    except (binascii.Error, ValueError) as error:
        raise EvaluationError(f"failed to decode base64 data: {error}") from error


def _hash(algorithm: str) -> Callable[[Any], str]:
    def digest(text: Any) -> str:
        return hashlib.new(algorithm, to_string(text, "argument").encode()).hexdigest()

    return digest


def fn_base64sha256(text: Any) -> Any:
    return base64.b64encode(hashlib.sha256(to_string(text, "argument").encode()).digest()).decode("ascii")


def fn_urlencode(text: Any) -> Any:
    return urllib.parse.quote(to_string(text, "argument"), safe="-_.~")


# ----------------------------------------------------------------------------------------------
# Values only known at apply time, or read from disk (the evaluator does no I/O)


def _never_known(label: str) -> Callable[..., Unknown]:
    def unknown(*args: Any) -> Unknown:
        return Unknown(unique([label, *unknown_of(*args).depends_on]))

    return unknown


def _file_function(name: str) -> Callable[..., Unknown]:
    def read(path: Any, *rest: Any) -> Unknown:
        label = f"{name}({path})" if isinstance(path, str) else f"{name}(...)"
        return Unknown(unique([label, *unknown_of(path, *rest).depends_on]))

    return read


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


def fn_map(*pairs: Any) -> dict[str, Any]:
    """``map("k1", v1, "k2", v2)``: removed in Terraform 0.15, still found in older modules."""
    if len(pairs) % 2:
        raise EvaluationError("map() takes an even number of arguments (key, value, ...)")
    return {to_string(pairs[index], "map key"): pairs[index + 1] for index in range(0, len(pairs), 2)}


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


_FILE_FUNCTIONS = (
    "file",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "filemd5",
    "fileset",
    "filesha1",
    "filesha256",
    "filesha512",
    "templatefile",
    "abspath",
    "pathexpand",
)

FUNCTIONS: Mapping[str, Function] = _registry(
    [
        # maps and collections
        _function("merge", fn_merge, unknown_aware=True),
        _function("map", fn_map),
        _function("lookup", fn_lookup, unknown_aware=True),
        _function("keys", fn_keys, unknown_aware=True),
        _function("values", fn_values, unknown_aware=True),
        _function("length", fn_length, unknown_aware=True),
        _function("concat", fn_concat, unknown_aware=True),
        _function("element", fn_element, unknown_aware=True),
        _function("zipmap", fn_zipmap, unknown_aware=True),
        _function("slice", fn_slice, unknown_aware=True),
        _function("reverse", fn_reverse, unknown_aware=True),
        _function("one", fn_one, unknown_aware=True),
        _function("index", fn_index),
        _function("coalesce", fn_coalesce),
        _function("coalescelist", fn_coalescelist),
        _function("compact", fn_compact),
        _function("contains", fn_contains),
        _function("distinct", fn_distinct),
        _function("flatten", fn_flatten),
        _function("chunklist", fn_chunklist),
        _function("setunion", fn_setunion),
        _function("setintersection", fn_setintersection),
        _function("setsubtract", fn_setsubtract),
        _function("range", fn_range),
        _function("sort", fn_sort),
        _function("sum", fn_sum),
        _function("alltrue", fn_alltrue),
        _function("anytrue", fn_anytrue),
        # type conversions
        _function("tostring", fn_tostring),
        _function("tonumber", fn_tonumber),
        _function("tobool", fn_tobool),
        _function("tolist", fn_tolist, unknown_aware=True),
        _function("toset", fn_toset),
        _function("tomap", fn_tomap, unknown_aware=True),
        _function("sensitive", fn_identity, unknown_aware=True),
        _function("nonsensitive", fn_identity, unknown_aware=True),
        # strings
        _function("format", fn_format),
        _function("formatlist", fn_formatlist),
        _function("join", fn_join),
        _function("split", fn_split),
        _function("lower", fn_lower),
        _function("upper", fn_upper),
        _function("title", fn_title),
        _function("trimspace", fn_trimspace),
        _function("trim", fn_trim),
        _function("trimprefix", fn_trimprefix),
        _function("trimsuffix", fn_trimsuffix),
        _function("chomp", fn_chomp),
        _function("indent", fn_indent),
        _function("strrev", fn_strrev),
        _function("startswith", fn_startswith),
        _function("endswith", fn_endswith),
        _function("strcontains", fn_strcontains),
        _function("substr", fn_substr),
        _function("replace", fn_replace),
        _function("regex", fn_regex),
        _function("regexall", fn_regexall),
        # numbers
        _function("abs", fn_abs),
        _function("ceil", fn_ceil),
        _function("floor", fn_floor),
        _function("max", fn_max),
        _function("min", fn_min),
        _function("pow", fn_pow),
        _function("signum", fn_signum),
        _function("log", fn_log),
        _function("parseint", fn_parseint),
        # encodings and hashes
        _function("jsonencode", fn_jsonencode),
        _function("jsondecode", fn_jsondecode),
        _function("yamlencode", fn_yamlencode),
        _function("yamldecode", fn_yamldecode),
        _function("base64encode", fn_base64encode),
        _function("base64decode", fn_base64decode),
        _function("base64sha256", fn_base64sha256),
        _function("urlencode", fn_urlencode),
        _function("md5", _hash("md5")),
        _function("sha1", _hash("sha1")),
        _function("sha256", _hash("sha256")),
        _function("sha512", _hash("sha512")),
        # known only at apply time
        _function("uuid", _never_known("uuid()"), unknown_aware=True),
        _function("timestamp", _never_known("timestamp()"), unknown_aware=True),
        _function("plantimestamp", _never_known("plantimestamp()"), unknown_aware=True),
        _function("bcrypt", _never_known("bcrypt()"), unknown_aware=True),
        *(_function(name, _file_function(name), unknown_aware=True) for name in _FILE_FUNCTIONS),
        # error handling
        _function("try", fn_try, lazy=True),
        _function("can", fn_can, lazy=True),
    ]
)
