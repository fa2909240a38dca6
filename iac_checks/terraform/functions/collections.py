"""Maps and collections: merge, lookup, length, concat, the set functions, range, sort..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.functions.spec import Builtin
from tagwarden.iac_checks.terraform.functions.values import (
    _MISSING,
    EvaluationError,
    PartialMap,
    _list_arg,
    _map_arg,
    _whole_unknown,
    canonical,
    check_number,
    extend_unknown,
    grapheme_count,
    index_suffix,
    is_known,
    make_map,
    make_set,
    may_be_replaced,
    open_reasons,
    to_bool,
    to_integer,
    to_number,
    to_string,
    type_name,
    unify,
    unknown_of,
    values_equal,
)

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


def fn_map(*pairs: Any) -> dict[str, Any]:
    """``map("k1", v1, "k2", v2)``: removed in Terraform 0.15, still found in older modules."""
    if len(pairs) % 2:
        raise EvaluationError("map() takes an even number of arguments (key, value, ...)")
    return {to_string(pairs[index], "map key"): pairs[index + 1] for index in range(0, len(pairs), 2)}


COLLECTION_FUNCTIONS: tuple[Builtin, ...] = (
    Builtin("merge", fn_merge, unknown_aware=True),
    Builtin("map", fn_map),
    Builtin("lookup", fn_lookup, unknown_aware=True),
    Builtin("keys", fn_keys, unknown_aware=True),
    Builtin("values", fn_values, unknown_aware=True),
    Builtin("length", fn_length, unknown_aware=True),
    Builtin("concat", fn_concat, unknown_aware=True),
    Builtin("element", fn_element, unknown_aware=True),
    Builtin("zipmap", fn_zipmap, unknown_aware=True),
    Builtin("slice", fn_slice, unknown_aware=True),
    Builtin("reverse", fn_reverse, unknown_aware=True),
    Builtin("one", fn_one, unknown_aware=True),
    Builtin("index", fn_index),
    Builtin("coalesce", fn_coalesce),
    Builtin("coalescelist", fn_coalescelist),
    Builtin("compact", fn_compact),
    Builtin("contains", fn_contains),
    Builtin("distinct", fn_distinct),
    Builtin("flatten", fn_flatten),
    Builtin("chunklist", fn_chunklist),
    Builtin("setunion", fn_setunion),
    Builtin("setintersection", fn_setintersection),
    Builtin("setsubtract", fn_setsubtract),
    Builtin("range", fn_range),
    Builtin("sort", fn_sort),
    Builtin("sum", fn_sum),
    Builtin("alltrue", fn_alltrue),
    Builtin("anytrue", fn_anytrue),
)
