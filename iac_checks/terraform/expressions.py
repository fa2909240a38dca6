"""Evaluate HCL expression trees (see :mod:`hcl.ir`) to the values Terraform would compute.

Where a value can be known before deploy, :func:`evaluate` returns it as plain Python; where it
cannot, it returns :class:`Unknown` naming what it waits for (``aws_vpc.main.id``, ``var.owner``,
``timestamp()``), or a :class:`PartialMap` for a map whose keys are only partly known. It never
guesses: a known result stays the same whatever values the unknowns turn out to have.

Expressions Terraform itself would reject raise :class:`EvaluationError`; no other exception
escapes for any input.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.functions import (
    FUNCTIONS,
    EvaluationError,
    PartialMap,
    check_number,
    extend_unknown,
    find_unknown,
    identical,
    index_suffix,
    make_map,
    may_be_replaced,
    normalize,
    open_reasons,
    to_bool,
    to_integer,
    to_number,
    to_string,
    type_name,
    unique,
    unknown_of,
    values_equal,
)

__all__ = [
    "EvaluationError",
    "PartialMap",
    "ReferenceResolver",
    "Unknown",
    "evaluate",
    "references",
]

Expr = Sequence[Any]
Scope = Mapping[str, Any]

MAX_DEPTH = 120  # nesting levels; each costs a few Python frames
INTERNAL_ERROR = "internal error"
# roots whose references name two attributes: data.aws_ami.ubuntu
_TWO_PART_ROOTS = frozenset({"data", "ephemeral"})


class ReferenceResolver(Protocol):
    def reference(self, root: str, name: str | None) -> Any:
        """The value of ``root.name`` (``var.owner``, ``aws_vpc.main``, ``data.aws_ami``), or Unknown.

        ``name`` is None for a bare root. For ``data``, the evaluator applies the further attributes.
        """
        ...


def evaluate(expr: Expr, resolver: ReferenceResolver) -> Any:
    """The value of ``expr``: str/int/float/bool/None/list/dict, a PartialMap, or Unknown."""
    try:
        return _Evaluator(resolver).eval(expr, {})
    except EvaluationError:
        raise
    except RecursionError as error:
        raise EvaluationError("expression is nested too deeply") from error
    except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError) as error:
        # a malformed tree or a gap in this module; reported like any other unevaluable expression
        raise EvaluationError(f"{INTERNAL_ERROR}: {type(error).__name__}: {error}") from error


# ----------------------------------------------------------------------------------------------
# Evaluation


class _Evaluator:
    def __init__(self, resolver: ReferenceResolver) -> None:
        self._resolver = resolver
        self._depth = 0
        self._watching = 0  # try/can arguments being evaluated
        self._unknowns_met: list[Any] = []  # Unknown results met while watching

    def eval(self, expr: Expr, scope: Scope) -> Any:
        if not isinstance(expr, (list, tuple)) or not expr or not isinstance(expr[0], str):
            raise EvaluationError(f"malformed expression node {str(expr)[:80]}")
        handler = _HANDLERS.get(expr[0])
        if handler is None:
            raise EvaluationError(f"unsupported expression node {expr[0]!r}")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise EvaluationError("expression is nested too deeply")
            result = handler(self, expr, scope)
        finally:
            self._depth -= 1
        if self._watching and isinstance(result, (Unknown, PartialMap)):
            self._unknowns_met.append(result)
        return result

    def watched(self, expr: Expr, scope: Scope) -> Any:
        """For try and can: an argument that met an unknown value anywhere may still fail once it is known.

        ``try(length([var.m.a]), 0)`` is 1 only if ``var.m`` has an ``a``; so it is Unknown, not 1.
        """
        start = len(self._unknowns_met)
        self._watching += 1
        try:
            value = self.eval(expr, scope)
        finally:
            self._watching -= 1
        met = self._unknowns_met[start:]
        if not self._watching:
            self._unknowns_met.clear()
        return Unknown(_most_precise(unknown_of(*met).depends_on)) if met else value

    # ---- leaves and references

    def _literal(self, expr: Expr, scope: Scope) -> Any:
        value = expr[1]
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise EvaluationError(f"malformed literal {str(value)[:80]}")
        return normalize(value)

    def _variable(self, expr: Expr, scope: Scope) -> Any:
        name = expr[1]
        if name in scope:
            return scope[name]
        return normalize(self._resolver.reference(name, None))

    def _attribute(self, expr: Expr, scope: Scope) -> Any:
        base, name = expr[1], expr[2]
        if _is_root(base) and base[1] not in scope:
            return normalize(self._resolver.reference(base[1], name))
        return get_attribute(self.eval(base, scope), name)

    def _index(self, expr: Expr, scope: Scope) -> Any:
        collection = self.eval(expr[1], scope)
        return get_index(collection, self.eval(expr[2], scope))

    def _splat(self, expr: Expr, scope: Scope) -> Any:
        source, operations = self.eval(expr[1], scope), expr[2]
        if isinstance(source, Unknown):
            return self._traverse(extend_unknown(source, "[*]"), operations, scope)
        if source is None:
            return []
        items = source if isinstance(source, list) else [source]
        return [self._traverse(item, operations, scope) for item in items]

    def _traverse(self, value: Any, operations: Sequence[Any], scope: Scope) -> Any:
        for operation in operations:
            if operation[0] == "attr":
                value = get_attribute(value, operation[1])
            elif operation[0] == "index":
                value = get_index(value, self.eval(operation[1], scope))
            else:
                raise EvaluationError(f"unsupported splat operation {operation[0]!r}")
        return value

    def _paren(self, expr: Expr, scope: Scope) -> Any:
        return self.eval(expr[1], scope)

    # ---- constructors

    def _tuple(self, expr: Expr, scope: Scope) -> Any:
        return [self.eval(item, scope) for item in expr[1]]

    def _object(self, expr: Expr, scope: Scope) -> Any:
        known: dict[str, Any] = {}
        open_deps: list[str] = []
        for item in expr[1]:
            key = object_key(self.eval(item[0], scope))
            value = self.eval(item[1], scope)
            if isinstance(key, Unknown):
                # the unknown key may name a new attribute or replace one written before it
                may_be_replaced(known, open_reasons(key))
                open_deps.extend(open_reasons(key))
            else:
                known[key] = value
        return make_map(known, open_deps)

    # ---- templates

    def _template(self, expr: Expr, scope: Scope) -> Any:
        parts = expr[1]
        if len(parts) == 1 and not isinstance(parts[0], str) and parts[0][0] not in ("tpl_if", "tpl_for"):
            # "${x}" alone is x itself, not its text (HCL's template wrap)
            return self.eval(parts[0], scope)
        return self._render(parts, scope)

    def _template_directive(self, expr: Expr, scope: Scope) -> Any:
        return self._render([expr], scope)

    def _render(self, parts: Sequence[Any], scope: Scope) -> str | Unknown:
        pieces: list[str] = []
        deps: list[str] = []
        unknown = False
        for part in parts:
            if isinstance(part, str):
                rendered: str | Unknown = part
            elif part[0] == "tpl_if":
                rendered = self._render_if(part, scope)
            elif part[0] == "tpl_for":
                rendered = self._render_for(part, scope)
            else:
                rendered = interpolate(self.eval(part, scope))
            if isinstance(rendered, Unknown):
                unknown = True
                deps.extend(rendered.depends_on)
            else:
                pieces.append(rendered)
        return Unknown(unique(deps)) if unknown else "".join(pieces)

    def _render_if(self, directive: Expr, scope: Scope) -> str | Unknown:
        condition = self.eval(directive[1], scope)
        then_parts, else_parts = directive[2], directive[3] or []
        if isinstance(condition, (Unknown, PartialMap)):
            rendered: str | Unknown = self._either(
                condition, lambda: self._render(then_parts, scope), lambda: self._render(else_parts, scope)
            )
            return rendered
        chosen = then_parts if to_bool(condition, "template condition") else else_parts
        return self._render(chosen, scope)

    def _render_for(self, directive: Expr, scope: Scope) -> str | Unknown:
        key_var, value_var, collection = directive[1], directive[2], self.eval(directive[3], scope)
        if isinstance(collection, (Unknown, PartialMap)):
            return unknown_of(collection)
        rendered = [
            self._render(directive[4], bind(scope, key_var, value_var, key, value))
            for key, value in iterate(collection)
        ]
        unknowns = [piece for piece in rendered if isinstance(piece, Unknown)]
        if unknowns:
            return unknown_of(*unknowns)
        return "".join(piece for piece in rendered if isinstance(piece, str))

    # ---- operators

    def _conditional(self, expr: Expr, scope: Scope) -> Any:
        condition = self.eval(expr[1], scope)
        if isinstance(condition, (Unknown, PartialMap)):
            return self._either(condition, lambda: self.eval(expr[2], scope), lambda: self.eval(expr[3], scope))
        return self.eval(expr[2] if to_bool(condition, "condition") else expr[3], scope)

    def _either(self, condition: Any, if_true: Callable[[], Any], if_false: Callable[[], Any]) -> Any:
        """An unknown condition: the branches' value when they agree, else Unknown."""
        outcomes = []
        failed = False
        for branch in (if_true, if_false):
            try:
                outcomes.append(branch())
            except EvaluationError:
                failed = True  # it fails only if chosen, and which one is chosen is not known yet
        if not failed and identical(outcomes[0], outcomes[1]):
            return outcomes[0]
        return unknown_of(condition, *outcomes)

    def _binary(self, expr: Expr, scope: Scope) -> Any:
        operator = expr[1]
        if operator in ("&&", "||"):
            return self._logical(operator, expr[2], expr[3], scope)
        left, right = self.eval(expr[2], scope), self.eval(expr[3], scope)
        if operator in ("==", "!="):
            if (unknown := find_unknown(left, right)) is not None:
                return unknown
            return values_equal(left, right) == (operator == "==")
        if isinstance(left, (Unknown, PartialMap)) or isinstance(right, (Unknown, PartialMap)):
            return unknown_of(left, right)
        return binary_operation(operator, left, right)

    def _logical(self, operator: str, left_expr: Expr, right_expr: Expr, scope: Scope) -> Any:
        left = self.eval(left_expr, scope)
        if not isinstance(left, (Unknown, PartialMap)):
            decided = to_bool(left, f"left operand of {operator}")
            if decided == (operator == "||"):
                return decided  # false && x, true || x: x is not evaluated
        right = self.eval(right_expr, scope)
        if isinstance(left, (Unknown, PartialMap)) or isinstance(right, (Unknown, PartialMap)):
            return unknown_of(left, right)
        return to_bool(right, f"right operand of {operator}")

    def _unary(self, expr: Expr, scope: Scope) -> Any:
        operator, operand = expr[1], self.eval(expr[2], scope)
        if isinstance(operand, (Unknown, PartialMap)):
            return unknown_of(operand)
        if operator == "-":
            return _number_result(-to_number(operand, "operand of -"))
        if operator == "!":
            return not to_bool(operand, "operand of !")
        raise EvaluationError(f"unsupported operator {operator!r}")

    # ---- function calls

    def _call(self, expr: Expr, scope: Scope) -> Any:
        name, arg_exprs = expr[1], expr[2]
        expand = len(expr) > 3 and bool(expr[3])
        function = FUNCTIONS.get(name.removeprefix("core::"))
        if function is None:
            # provider::x::y and functions this evaluator does not know
            return Unknown((f"function {name}",))
        if function.lazy and not expand:
            return function.call([_thunk(self, arg, scope) for arg in arg_exprs])
        args = self._arguments(name, arg_exprs, expand, scope)
        if isinstance(args, Unknown):
            return args
        return function.call([_constant(arg) for arg in args] if function.lazy else args)

    def _arguments(self, name: str, arg_exprs: Sequence[Expr], expand: bool, scope: Scope) -> list[Any] | Unknown:
        args = [self.eval(arg, scope) for arg in (arg_exprs[:-1] if expand else arg_exprs)]
        if not expand:
            return args
        if not arg_exprs:
            raise EvaluationError(f"{name}: nothing to expand")
        expanded = self.eval(arg_exprs[-1], scope)
        if isinstance(expanded, (Unknown, PartialMap)):
            return unknown_of(expanded)  # how many arguments there are is not known
        if not isinstance(expanded, list):
            raise EvaluationError(f"{name}: the expanded argument must be a list, not a {type_name(expanded)}")
        return [*args, *expanded]

    # ---- for expressions

    def _for_tuple(self, expr: Expr, scope: Scope) -> Any:
        key_var, value_var, collection = expr[1], expr[2], self.eval(expr[3], scope)
        value_expr, condition_expr = expr[4], expr[5] if len(expr) > 5 else None
        if isinstance(collection, (Unknown, PartialMap)):
            return unknown_of(collection)
        result: list[Any] = []
        undecided: list[Any] = []  # conditions that are unknown: which items remain is not known
        for key, item in iterate(collection):
            inner = bind(scope, key_var, value_var, key, item)
            include = self._include(condition_expr, inner)
            if isinstance(include, Unknown):
                undecided.append(include)
            elif include:
                result.append(self.eval(value_expr, inner))
        return unknown_of(*undecided) if undecided else result

    def _for_object(self, expr: Expr, scope: Scope) -> Any:
        key_var, value_var, collection = expr[1], expr[2], self.eval(expr[3], scope)
        key_expr, value_expr, grouping = expr[4], expr[5], bool(expr[6])
        condition_expr = expr[7] if len(expr) > 7 else None
        if isinstance(collection, Unknown) or (isinstance(collection, PartialMap) and grouping):
            return unknown_of(collection)
        open_deps: list[str] = []
        if isinstance(collection, PartialMap):
            open_deps.extend(collection.open_deps)  # its unknown keys may add items
            collection = collection.known
        known: dict[str, Any] = {}
        grouped: dict[str, list[Any]] = {}
        for key, item in iterate(collection):
            inner = bind(scope, key_var, value_var, key, item)
            include = self._include(condition_expr, inner)
            if include is False:
                continue
            name = object_key(self.eval(key_expr, inner))
            value = self.eval(value_expr, inner)
            if isinstance(include, Unknown) or isinstance(name, Unknown):
                if grouping:
                    return unknown_of(include, name)  # every group may gain an item
                open_deps.extend(open_reasons(unknown_of(include, name)))  # an item that may be there
            elif grouping:
                grouped.setdefault(name, []).append(value)
            elif name in known:
                raise EvaluationError(f'duplicate object key "{name}"; use the grouping mode "..." to collect them')
            else:
                known[name] = value
        return grouped if grouping else make_map(known, open_deps)

    def _include(self, condition_expr: Expr | None, scope: Scope) -> bool | Unknown:
        if condition_expr is None:
            return True
        condition = self.eval(condition_expr, scope)
        if isinstance(condition, (Unknown, PartialMap)):
            return unknown_of(condition)
        return to_bool(condition, "for condition")


# Plain functions in a class-level table: bound methods kept on each evaluator made a reference
# cycle per evaluate() call, and the garbage collector then took a third of a large check's time.
_HANDLERS: dict[str, Callable[[_Evaluator, Expr, Scope], Any]] = {
    "lit": _Evaluator._literal,
    "tpl": _Evaluator._template,
    "tpl_if": _Evaluator._template_directive,
    "tpl_for": _Evaluator._template_directive,
    "var": _Evaluator._variable,
    "attr": _Evaluator._attribute,
    "index": _Evaluator._index,
    "splat": _Evaluator._splat,
    "call": _Evaluator._call,
    "tuple": _Evaluator._tuple,
    "object": _Evaluator._object,
    "cond": _Evaluator._conditional,
    "binop": _Evaluator._binary,
    "unop": _Evaluator._unary,
    "for_tuple": _Evaluator._for_tuple,
    "for_object": _Evaluator._for_object,
    "paren": _Evaluator._paren,
}


def _most_precise(names: tuple[str, ...]) -> tuple[str, ...]:
    """Drop a name that another one extends: var.m when var.m.a is there too."""
    return tuple(name for name in names if not any(other.startswith((name + ".", name + "[")) for other in names))


def _thunk(evaluator: _Evaluator, expr: Expr, scope: Scope) -> Callable[[], Any]:
    return lambda: evaluator.watched(expr, scope)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _is_root(expr: Any) -> bool:
    return isinstance(expr, (list, tuple)) and len(expr) == 2 and expr[0] == "var"


def bind(scope: Scope, key_var: str | None, value_var: str, key: Any, value: Any) -> Scope:
    inner = dict(scope)
    if key_var:
        inner[key_var] = key
    inner[value_var] = value
    return inner


def iterate(collection: Any) -> list[tuple[Any, Any]]:
    """(key, value) pairs of a list (index, item) or a map (key, value), maps in lexical key order."""
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in sorted(collection)]
    if collection is None:
        raise EvaluationError("cannot iterate over a null value")
    raise EvaluationError(f"cannot iterate over a {type_name(collection)}")


# ----------------------------------------------------------------------------------------------
# Traversal


def get_attribute(value: Any, name: str) -> Any:
    if isinstance(value, Unknown):
        return extend_unknown(value, "." + name)
    if isinstance(value, PartialMap):
        return value.known[name] if name in value.known else Unknown(value.open_deps)
    if isinstance(value, dict):
        if name not in value:
            raise EvaluationError(f'this object does not have an attribute named "{name}"')
        return value[name]
    if isinstance(value, list) and name.isdigit():
        return get_index(value, int(name))  # the legacy list.0 form
    if value is None:
        raise EvaluationError(f'attempt to get attribute "{name}" from a null value')
    raise EvaluationError(f'cannot access attribute "{name}" on a {type_name(value)}')


def get_index(collection: Any, key: Any) -> Any:
    if isinstance(key, (Unknown, PartialMap)):
        return unknown_of(collection, key) if isinstance(collection, Unknown) else unknown_of(key)
    if isinstance(collection, Unknown):
        suffix = index_suffix(key)
        return extend_unknown(collection, suffix) if suffix else collection
    if isinstance(collection, (dict, PartialMap)):
        return get_attribute(collection, _map_key(key))
    if isinstance(collection, list):
        return collection[_list_position(collection, key)]
    if collection is None:
        raise EvaluationError("cannot index a null value")
    raise EvaluationError(f"cannot index a {type_name(collection)}")


def _map_key(key: Any) -> str:
    if isinstance(key, (list, dict)):
        raise EvaluationError(f"a {type_name(key)} cannot be a map key")
    return to_string(key, "map key")


def _list_position(collection: list[Any], key: Any) -> int:
    if key is None or isinstance(key, (bool, list, dict)):
        raise EvaluationError(f"a {type_name(key)} cannot index a list")
    position = to_integer(key, "list index")
    if not 0 <= position < len(collection):
        raise EvaluationError(f"index {position} is out of range for a list of {len(collection)} elements")
    return position


def object_key(key: Any) -> str | Unknown:
    if isinstance(key, (Unknown, PartialMap)):
        return unknown_of(key)
    if key is None:
        raise EvaluationError("an object key must not be null")
    if isinstance(key, (list, dict)):
        raise EvaluationError(f"a {type_name(key)} cannot be an object key")
    return to_string(key, "object key")


def interpolate(value: Any) -> str | Unknown:
    if isinstance(value, Unknown):
        return value
    if value is None:
        raise EvaluationError("cannot include a null value in a string template")
    if isinstance(value, (list, dict, PartialMap)):
        raise EvaluationError(f"cannot include a {type_name(value)} in a string template")
    return to_string(value)


# ----------------------------------------------------------------------------------------------
# Operators


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def binary_operation(operator: str, left: Any, right: Any) -> Any:
    """Arithmetic and comparison on known operands, converting strings to numbers as Terraform does."""
    if operator not in _COMPARISONS and operator not in ("+", "-", "*", "/", "%"):
        raise EvaluationError(f"unsupported operator {operator!r}")
    a = to_number(left, f"left operand of {operator}")
    b = to_number(right, f"right operand of {operator}")
    if operator in _COMPARISONS:
        return _COMPARISONS[operator](a, b)
    if operator == "+":
        return _number_result(a + b)
    if operator == "-":
        return _number_result(a - b)
    if operator == "*":
        return _number_result(a * b)
    if b == 0:
        raise EvaluationError("division by zero" if operator == "/" else "modulo by zero")
    if operator == "/":
        if isinstance(a, int) and isinstance(b, int) and a % b == 0:
            return _number_result(a // b)
        return _number_result(a / b)
    return _modulo(a, b)


def _modulo(a: int | float, b: int | float) -> int | float:
    # Terraform's remainder takes the sign of the dividend (-7 % 3 == -1), unlike Python's
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return -remainder if a < 0 else remainder
    return _number_result(math.fmod(a, b))


def _number_result(number: int | float) -> int | float:
    return check_number(number)


# ----------------------------------------------------------------------------------------------
# References


def references(expr: Expr) -> set[str]:
    """The names ``expr`` reads: var.x, local.y, module.m, aws_vpc.main, data.x.y, each.value...

    Variables bound by for expressions and template for directives are not references.
    """
    found: set[str] = set()
    stack: list[tuple[Any, frozenset[str]]] = [(expr, frozenset())]
    while stack:
        node, bound = stack.pop()
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], str):
            stack.extend(_references_step(node, bound, found))
    return found


def _references_step(node: Expr, bound: frozenset[str], found: set[str]) -> list[tuple[Any, frozenset[str]]]:
    """Record the reference at ``node``, if any, and return the sub-expressions still to visit."""
    kind = node[0]
    try:
        if kind == "var":
            if node[1] not in bound:
                found.add(node[1])
            return []
        if kind == "attr":
            return _attribute_chain(node, bound, found)
        return _children(node, bound)
    except (IndexError, TypeError):
        return []  # malformed nodes name nothing


def _attribute_chain(node: Expr, bound: frozenset[str], found: set[str]) -> list[tuple[Any, frozenset[str]]]:
    names: list[str] = []
    while isinstance(node, (list, tuple)) and node and node[0] == "attr":
        names.append(node[2])
        node = node[1]
    if not _is_root(node) or node[1] in bound:
        return [(node, bound)]
    names.reverse()
    take = 2 if node[1] in _TWO_PART_ROOTS else 1
    found.add(".".join([node[1], *names[:take]]))
    return []


def _children(node: Expr, bound: frozenset[str]) -> list[tuple[Any, frozenset[str]]]:
    kind = node[0]
    if kind == "tpl":
        return [(part, bound) for part in node[1] if not isinstance(part, str)]
    if kind == "tpl_if":
        parts = [*node[2], *(node[3] or [])]
        return [(node[1], bound), *((part, bound) for part in parts if not isinstance(part, str))]
    if kind == "tpl_for":
        inner = bound | {name for name in (node[1], node[2]) if name}
        return [(node[3], bound), *((part, inner) for part in node[4] if not isinstance(part, str))]
    if kind in ("index", "cond", "binop", "unop", "paren"):
        return [(child, bound) for child in node[1:] if isinstance(child, (list, tuple))]
    if kind == "splat":
        return [(node[1], bound), *((operation[1], bound) for operation in node[2] if operation[0] == "index")]
    if kind in ("call", "tuple"):
        items = node[2] if kind == "call" else node[1]
        return [(item, bound) for item in items]
    if kind == "object":
        return [(child, bound) for item in node[1] for child in (item[0], item[1])]
    if kind in ("for_tuple", "for_object"):
        inner = bound | {name for name in (node[1], node[2]) if name}
        bodies = node[4:6] if kind == "for_tuple" else [node[4], node[5], *node[7:8]]
        return [(node[3], bound), *((body, inner) for body in bodies if body is not None)]
    return []
