"""The expression evaluator: values known before deploy, Unknown naming its dependencies, never a guess."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.expressions import (
    INTERNAL_ERROR,
    EvaluationError,
    PartialMap,
    evaluate,
    references,
)
from tagwarden.iac_checks.terraform.functions import identical


class Resolver:
    """Answers ``root.name`` from a dict; anything else is Unknown named after the reference."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self.values = dict(values or {})
        self.calls: list[tuple[str, str | None]] = []

    def reference(self, root: str, name: str | None) -> Any:
        self.calls.append((root, name))
        key = f"{root}.{name}" if name else root
        return self.values[key] if key in self.values else Unknown((key,))


def lit(value: Any) -> tuple[Any, ...]:
    return ("lit", value)


def ref(root: str, name: str) -> tuple[Any, ...]:
    return ("attr", ("var", root), name)


def obj(**items: Any) -> tuple[Any, ...]:
    return ("object", [(lit(key), value) for key, value in items.items()])


def call(name: str, *args: Any, expand: bool = False) -> tuple[Any, ...]:
    return ("call", name, list(args), expand)


def ev(expr: Any, **values: Any) -> Any:
    return evaluate(expr, Resolver({key.replace("__", "."): value for key, value in values.items()}))


# ---- references and traversal


def test_root_and_first_attribute_go_to_the_resolver() -> None:
    resolver = Resolver({"var.owner": "team-a"})
    assert evaluate(ref("var", "owner"), resolver) == "team-a"
    assert resolver.calls == [("var", "owner")]


def test_bare_root_is_resolved_with_no_name() -> None:
    resolver = Resolver({"each": {"key": "k"}})
    assert evaluate(("attr", ("paren", ("var", "each")), "key"), resolver) == "k"
    assert resolver.calls == [("each", None)]


def test_attribute_and_index_on_known_values() -> None:
    value = {"a": {"b": ["x", "y"]}}
    assert ev(("index", ("attr", ref("local", "m"), "a"), lit("b")), local__m=value) == ["x", "y"]
    assert ev(("index", ("attr", ("attr", ref("local", "m"), "a"), "b"), lit("1")), local__m=value) == "y"
    assert ev(("attr", ("attr", ("attr", ref("local", "m"), "a"), "b"), "0"), local__m=value) == "x"  # legacy .0


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (("attr", ref("local", "m"), "missing"), 'does not have an attribute named "missing"'),
        (("index", ref("local", "m"), lit("missing")), 'does not have an attribute named "missing"'),
        (("index", ref("local", "l"), lit(2)), "index 2 is out of range"),
        (("index", ref("local", "l"), lit(-1)), "index -1 is out of range"),
        (("index", ref("local", "l"), lit(0.5)), "must be a whole number"),
        (("index", ref("local", "s"), lit(0)), "cannot index a string"),
        (("attr", ref("local", "n"), "x"), 'attempt to get attribute "x" from a null value'),
        (("index", ref("local", "n"), lit(0)), "cannot index a null value"),
    ],
)
def test_traversal_errors_terraform_would_raise(expr: Any, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        ev(expr, local__m={"a": 1}, local__l=["x", "y"], local__s="text", local__n=None)


def test_traversal_of_unknown_extends_a_single_reference_name() -> None:
    assert ev(("attr", ref("aws_vpc", "main"), "id")) == Unknown(("aws_vpc.main.id",))
    assert ev(("attr", ("index", ref("aws_instance", "web"), lit(0)), "arn")) == Unknown(("aws_instance.web[0].arn",))
    assert ev(("index", ref("aws_s3_bucket", "b"), lit("logs"))) == Unknown(('aws_s3_bucket.b["logs"]',))
    data = ("attr", ("attr", ("attr", ("var", "data"), "aws_caller_identity"), "current"), "account_id")
    assert ev(data) == Unknown(("data.aws_caller_identity.current.account_id",))
    # an Unknown naming several things, or not a reference, keeps its names
    assert ev(("attr", call("uuid"), "x")) == Unknown(("uuid()",))
    assert ev(("attr", ref("var", "x"), "y"), var__x=Unknown(("a", "b"))) == Unknown(("a", "b"))


def test_unknown_index_key() -> None:
    assert ev(("index", ref("local", "l"), ref("var", "i")), local__l=[1, 2]) == Unknown(("var.i",))


def test_traversal_of_a_partial_map() -> None:
    partial = PartialMap({"Owner": "x"}, ("var.tags",))
    assert ev(("attr", ref("local", "t"), "Owner"), local__t=partial) == "x"
    assert ev(("attr", ref("local", "t"), "Env"), local__t=partial) == Unknown(("var.tags",))
    assert ev(("index", ref("local", "t"), lit("Env")), local__t=partial) == Unknown(("var.tags",))


def test_resolver_values_are_normalised() -> None:
    assert ev(ref("var", "t"), var__t=("a", 1)) == ["a", 1]
    assert ev(ref("var", "s"), var__s=frozenset({"b", "a"})) == ["a", "b"]
    assert ev(ref("var", "m"), var__m=PartialMap({"a": 1}, ())) == {"a": 1}  # nothing open: a plain map


# ---- templates


def test_template_renders_like_terraform() -> None:
    parts = ["n=", lit(1), " f=", lit(1.5), " b=", lit(True), " s=", ref("var", "s"), " big=", lit(2.0)]
    assert ev(("tpl", parts), var__s="x") == "n=1 f=1.5 b=true s=x big=2"


def test_template_with_unknown_parts_names_them_all() -> None:
    expr = ("tpl", [ref("var", "a"), "-", lit("x"), ref("aws_vpc", "main")])
    assert ev(expr) == Unknown(("var.a", "aws_vpc.main"))


def test_a_lone_interpolation_is_the_value_itself() -> None:
    assert ev(("tpl", [ref("var", "l")]), var__l=[1]) == [1]
    assert ev(("tpl", [lit(1)])) == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [(None, "null value"), ([1], "cannot include a list"), ({"a": 1}, "cannot include a map")],
)
def test_template_rejects_values_that_are_not_text(value: Any, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        ev(("tpl", ["x", ref("var", "v")]), var__v=value)


def test_template_if_and_for_directives() -> None:
    directive = ("tpl_if", ref("var", "on"), ["yes"], ["no"])
    assert ev(("tpl", ["[", directive, "]"]), var__on=True) == "[yes]"
    assert ev(("tpl", ["[", directive, "]"]), var__on="false") == "[no]"
    assert ev(("tpl", ["[", ("tpl_if", ref("var", "on"), ["yes"], None), "]"]), var__on=False) == "[]"
    assert ev(("tpl", [directive])) == Unknown(("var.on",))
    same = ("tpl_if", ref("var", "on"), ["a"], ["a"])
    assert ev(("tpl", [same])) == "a"
    loop = ("tpl_for", "k", "v", ref("var", "m"), [("var", "k"), "=", ("var", "v"), ";"])
    assert ev(("tpl", [loop]), var__m={"b": 2, "a": 1}) == "a=1;b=2;"
    assert ev(("tpl", [loop])) == Unknown(("var.m",))
    with pytest.raises(EvaluationError, match="cannot iterate over a null value"):
        ev(("tpl", [("tpl_for", None, "v", lit(None), [])]))


# ---- conditionals and operators


def test_known_condition_evaluates_only_the_chosen_branch() -> None:
    failing = ("index", ("tuple", []), lit(0))
    assert ev(("cond", lit(True), lit("a"), failing)) == "a"
    assert ev(("cond", lit("false"), failing, lit("b"))) == "b"
    with pytest.raises(EvaluationError, match="condition must not be null"):
        ev(("cond", lit(None), lit(1), lit(2)))


def test_unknown_condition() -> None:
    assert ev(("cond", ref("var", "c"), lit("same"), lit("same"))) == "same"
    assert ev(("cond", ref("var", "c"), lit("a"), ref("var", "b"))) == Unknown(("var.c", "var.b"))
    # a branch that fails only matters if it is chosen
    failing = ("index", ("tuple", []), lit(0))
    assert ev(("cond", ref("var", "c"), lit("a"), failing)) == Unknown(("var.c",))


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("+", "1", 1, 2),
        ("+", 0.5, 1, 1.5),
        ("-", 3, "1.5", 1.5),
        ("*", 4, 2.5, 10),
        ("/", 7, 2, 3.5),
        ("/", 6, 3, 2),
        ("%", -7, 3, -1),
        ("%", 7.5, 2, 1.5),
        ("==", "true", True, False),
        ("==", "1", 1, False),
        ("==", 1, 1.0, True),
        ("==", [1, "a"], [1, "a"], True),
        ("==", {"a": 1}, {"a": True}, False),
        ("!=", None, None, False),
        ("<", "2", 10, True),
        (">=", 1, 1, True),
        ("&&", True, "true", True),
        ("||", False, False, False),
    ],
)
def test_binary_operators(op: str, left: Any, right: Any, expected: Any) -> None:
    result = ev(("binop", op, ref("var", "l"), ref("var", "r")), var__l=left, var__r=right)
    assert identical(result, expected)


@pytest.mark.parametrize(
    ("op", "left", "right", "message"),
    [
        ("+", True, 1, "a bool cannot be converted to a number"),
        ("+", "a", 1, 'cannot convert "a" to a number'),
        ("+", None, 1, "must not be null"),
        ("/", 1, 0, "division by zero"),
        ("%", 1, 0, "modulo by zero"),
        ("<", "a", "b", "cannot convert"),
        ("&&", 1, True, "a number cannot be converted to a bool"),
    ],
)
def test_binary_operator_errors(op: str, left: Any, right: Any, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        ev(("binop", op, ref("var", "l"), ref("var", "r")), var__l=left, var__r=right)


def test_unknown_operands() -> None:
    assert ev(("binop", "+", ref("var", "a"), ref("var", "b"))) == Unknown(("var.a", "var.b"))
    assert ev(("binop", "==", ("tuple", [ref("var", "a")]), ("tuple", [lit(1)]))) == Unknown(("var.a",))
    assert ev(("unop", "-", ref("var", "a"))) == Unknown(("var.a",))
    assert ev(("unop", "!", lit("true"))) is False
    assert ev(("unop", "-", lit("2"))) == -2


def test_logical_operators_short_circuit() -> None:
    assert ev(("binop", "&&", lit(False), ref("var", "x"))) is False
    assert ev(("binop", "||", lit(True), ref("var", "x"))) is True
    assert ev(("binop", "&&", lit(True), ref("var", "x"))) == Unknown(("var.x",))
    assert ev(("binop", "&&", ref("var", "x"), lit(False))) == Unknown(("var.x",))
    # the right-hand side is not evaluated at all
    assert ev(("binop", "&&", lit(False), ("index", ("tuple", []), lit(0)))) is False


# ---- constructors


def test_object_and_tuple() -> None:
    expr = ("object", [(lit("a"), lit(1)), (("paren", ref("var", "k")), ("tuple", [lit(True), ref("var", "v")]))])
    assert ev(expr, var__k="b") == {"a": 1, "b": [True, Unknown(("var.v",))]}
    assert ev(("object", [(lit(1), lit("x")), (lit(True), lit("y"))])) == {"1": "x", "true": "y"}


def test_object_with_an_unknown_key_is_a_partial_map() -> None:
    expr = ("object", [(lit("a"), lit(1)), (("paren", ref("var", "k")), lit(2)), (lit("b"), lit(3))])
    assert ev(expr) == PartialMap({"a": Unknown(("var.k",)), "b": 3}, ("var.k",))


def test_object_key_errors() -> None:
    with pytest.raises(EvaluationError, match="object key must not be null"):
        ev(("object", [(lit(None), lit(1))]))
    with pytest.raises(EvaluationError, match="a list cannot be an object key"):
        ev(("object", [(("tuple", []), lit(1))]))


# ---- function calls


def test_merge_with_unknown_variable_gives_a_partial_map() -> None:
    expr = call("merge", ref("var", "tags"), obj(Owner=lit("x")))
    assert ev(expr) == PartialMap(known={"Owner": "x"}, open_deps=("var.tags",))


def test_function_calls_and_expansion() -> None:
    assert ev(call("upper", lit("a"))) == "A"
    assert ev(call("max", ("tuple", [lit(1), lit(5)]), expand=True)) == 5
    assert ev(call("max", ref("var", "l"), expand=True)) == Unknown(("var.l",))
    assert ev(call("core::upper", lit("a"))) == "A"
    with pytest.raises(EvaluationError, match="expanded argument must be a list"):
        ev(call("max", lit(1), expand=True))


def test_unknown_and_provider_functions_are_unknown() -> None:
    assert ev(call("cidrsubnet", lit("10.0.0.0/16"), lit(8), lit(1))) == Unknown(("function cidrsubnet",))
    assert ev(call("provider::aws::arn_parse", lit("x"))) == Unknown(("function provider::aws::arn_parse",))


def test_try_and_can_see_errors_of_their_arguments() -> None:
    missing = ("attr", ref("local", "m"), "missing")
    assert ev(call("try", missing, lit("fallback")), local__m={}) == "fallback"
    assert ev(call("can", missing), local__m={}) is False
    assert ev(call("try", ref("var", "x"), lit("fallback"))) == Unknown(("var.x",))
    assert ev(call("try", ("tuple", [missing, lit(1)]), expand=True), local__m={"missing": 0}) == 0


def test_try_is_unknown_when_its_argument_met_an_unknown_anywhere() -> None:
    # var.m.a fails if var.m turns out to have no "a", and then try would pick the fallback;
    # any unknown met counts, even where it could not fail (the first case), to stay on the safe side
    assert ev(call("try", call("length", ("tuple", [ref("var", "m")])), lit(0))) == Unknown(("var.m",))
    assert ev(call("try", call("length", ("tuple", [("attr", ref("var", "m"), "a")])), lit(0))) == Unknown(("var.m.a",))
    hidden = (
        "attr",
        ("object", [(("paren", ref("var", "k")), ("attr", ref("var", "m"), "a")), (lit("a"), lit(None))]),
        "a",
    )
    assert ev(call("try", hidden, lit("fallback"))) == Unknown(("var.k", "var.m.a"))
    assert ev(call("can", hidden)) == Unknown(("var.k", "var.m.a"))


def test_file_functions_do_no_io() -> None:
    path = ("tpl", [ref("path", "module"), "/policy.json"])
    assert ev(call("file", path), path__module="./mod") == Unknown(("file(./mod/policy.json)",))


# ---- for expressions and splats


def test_for_tuple_over_list_and_map() -> None:
    doubled = ("for_tuple", None, "v", ref("var", "l"), ("binop", "*", ("var", "v"), lit(2)), None)
    assert ev(doubled, var__l=[1, 2]) == [2, 4]
    keyed = ("for_tuple", "k", "v", ref("var", "m"), ("tpl", [("var", "k"), "=", ("var", "v")]), None)
    assert ev(keyed, var__m={"b": 1, "a": 2}) == ["a=2", "b=1"]  # maps iterate in lexical key order
    filtered = ("for_tuple", "i", "v", ref("var", "l"), ("var", "i"), ("binop", ">", ("var", "v"), lit(1)))
    assert ev(filtered, var__l=[5, 0, 3]) == [0, 2]


def test_for_tuple_with_unknowns() -> None:
    loop = ("for_tuple", None, "v", ref("var", "l"), ("var", "v"), None)
    assert ev(loop) == Unknown(("var.l",))
    assert ev(loop, var__l=[Unknown(("x",)), 1]) == [Unknown(("x",)), 1]
    unknown_filter = ("for_tuple", None, "v", ref("var", "l"), ("var", "v"), ("var", "v"))
    assert ev(unknown_filter, var__l=[True, Unknown(("x",))]) == Unknown(("x",))


def test_for_object_with_filter_and_grouping() -> None:
    tags = {"Owner": "a", "Empty": "", "Env": "prod"}
    keep = (
        "for_object",
        "k",
        "v",
        ref("local", "t"),
        ("var", "k"),
        ("var", "v"),
        False,
        ("binop", "!=", ("var", "v"), lit("")),
    )
    assert ev(keep, local__t=tags) == {"Env": "prod", "Owner": "a"}
    group = ("for_object", "k", "v", ref("local", "t"), ("var", "v"), ("var", "k"), True, None)
    assert ev(group, local__t={"a": "x", "b": "x", "c": "y"}) == {"x": ["a", "b"], "y": ["c"]}
    duplicate = ("for_object", "k", "v", ref("local", "t"), ("var", "v"), ("var", "k"), False, None)
    with pytest.raises(EvaluationError, match='duplicate object key "x"'):
        ev(duplicate, local__t={"a": "x", "b": "x"})


def test_for_object_keeps_what_it_can_know() -> None:
    keep = (
        "for_object",
        "k",
        "v",
        ref("local", "t"),
        ("var", "k"),
        ("var", "v"),
        False,
        ("binop", "!=", ("var", "v"), lit("")),
    )
    tags = {"Owner": Unknown(("var.owner",)), "Env": "prod"}
    assert ev(keep, local__t=tags) == PartialMap({"Env": "prod"}, ("var.owner",))
    partial = PartialMap({"Env": "prod"}, ("var.tags",))
    assert ev(keep, local__t=partial) == PartialMap({"Env": "prod"}, ("var.tags",))
    assert ev(keep) == Unknown(("local.t",))
    grouped_over_partial = ("for_object", "k", "v", ref("local", "t"), ("var", "k"), ("var", "v"), True, None)
    assert ev(grouped_over_partial, local__t=partial) == Unknown(("var.tags",))


def test_for_expression_variables_shadow_the_resolver() -> None:
    loop = ("for_tuple", None, "var", ("tuple", [lit(1)]), ("var", "var"), None)
    assert ev(loop) == [1]


def test_splat() -> None:
    items = [{"id": "a"}, {"id": "b"}]
    assert ev(("splat", ref("var", "l"), [("attr", "id")]), var__l=items) == ["a", "b"]
    assert ev(("splat", ref("var", "l"), [("attr", "id")]), var__l={"id": "x"}) == ["x"]
    assert ev(("splat", ref("var", "l"), [("attr", "id")]), var__l=None) == []
    assert ev(("splat", ref("var", "l"), [("index", lit(0))]), var__l=[[1], [2]]) == [1, 2]
    assert ev(("splat", ref("aws_instance", "web"), [("attr", "id")])) == Unknown(("aws_instance.web[*].id",))


# ---- robustness


@pytest.mark.parametrize(
    "expr",
    [
        ("nonsense", 1),
        (),
        "text",
        ("lit", object()),
        ("binop", "**", lit(1), lit(2)),
        ("unop", "~", lit(1)),
        ("splat", lit([1]), [("weird", 1)]),
        ("attr",),
        ("call", 5, [], False),
    ],
)
def test_malformed_trees_raise_evaluation_error(expr: Any) -> None:
    with pytest.raises(EvaluationError):
        ev(expr)


def test_deep_nesting_is_an_evaluation_error_not_a_crash() -> None:
    expr: Any = lit(1)
    for _ in range(5000):
        expr = ("binop", "+", expr, lit(1))
    with pytest.raises(EvaluationError, match="nested too deeply"):
        ev(expr)
    assert references(expr) == set()


def test_moderate_nesting_evaluates() -> None:
    expr: Any = lit(0)
    for _ in range(100):
        expr = ("binop", "+", expr, lit(1))
    assert ev(expr) == 100


def test_lists_from_a_json_cache_work_like_tuples() -> None:
    expr = ("call", "merge", [("var", "m"), ("object", [(lit("a"), ("tpl", ["x", lit(1)]))])], False)
    cached = json.loads(json.dumps(expr))
    assert ev(cached, m={"b": 2}) == ev(expr, m={"b": 2}) == {"a": "x1", "b": 2}
    assert references(cached) == references(expr) == {"m"}


# ---- references()


def test_references() -> None:
    expr = (
        "for_tuple",
        "k",
        "v",
        ref("var", "list"),
        (
            "tpl",
            [
                ("var", "v"),
                ("attr", ("attr", ("attr", ("var", "data"), "aws_ami"), "ubuntu"), "id"),
                ref("each", "value"),
                ("attr", ref("module", "labels"), "tags"),
                ("index", ("attr", ref("aws_instance", "web"), "ids"), ref("count", "index")),
                ("splat", ref("aws_subnet", "a"), [("index", ref("local", "i"))]),
            ],
        ),
        ("binop", "==", ("var", "k"), ref("path", "module")),
    )
    assert references(expr) == {
        "var.list",
        "data.aws_ami.ubuntu",
        "each.value",
        "module.labels",
        "aws_instance.web",
        "count.index",
        "aws_subnet.a",
        "local.i",
        "path.module",
    }


def test_references_in_every_node_kind() -> None:
    expr = (
        "object",
        [
            (("paren", ref("var", "key")), ("cond", ref("var", "c"), ref("var", "t"), ref("var", "f"))),
            (lit("x"), call("merge", ref("local", "a"), ("unop", "!", ref("var", "n")))),
            (lit("y"), ("tuple", [("tpl", [("tpl_if", ref("var", "i"), [ref("var", "j")], [ref("var", "e")])])])),
            (lit("z"), ("tpl", [("tpl_for", None, "s", ref("var", "ss"), [("var", "s"), ref("var", "o")])])),
            (
                lit("w"),
                ("for_object", "k", "v", ref("var", "m"), ("var", "k"), ref("var", "val"), True, ref("var", "cond")),
            ),
            (lit("bare"), ("var", "each")),
        ],
    )
    assert references(expr) == {
        "var.key",
        "var.c",
        "var.t",
        "var.f",
        "local.a",
        "var.n",
        "var.i",
        "var.j",
        "var.e",
        "var.ss",
        "var.o",
        "var.m",
        "var.val",
        "var.cond",
        "each",
    }


def test_references_ignore_malformed_nodes() -> None:
    assert references(("attr",)) == set()
    assert references(("tuple", [("var", "a"), ("index",), 5])) == {"a"}


# ---- properties

NAMES = ["var.a", "var.b", "var.m", "local.l"]
KEYS = ["a", "b", "Owner"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0.5, -1.5, 2.0]),
    st.sampled_from(["", "a", "1", "true", "false", "Owner", "x-y"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
    max_leaves=6,
)

FUNCTION_NAMES = [
    "merge", "lookup", "length", "keys", "values", "concat", "tostring", "tonumber", "tomap", "tolist", "toset",
    "coalesce", "join", "upper", "format", "element", "one", "contains", "try", "can", "flatten", "jsonencode",
    "compact", "distinct", "zipmap", "slice", "reverse", "sort", "split", "substr", "max", "abs", "sum",
    "alltrue", "setunion", "formatlist", "yamlencode", "replace", "title", "uuid", "unknownfn",
]  # fmt: skip
OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]
LOOP_VARS = ["k", "v"]


def _references_strategy() -> st.SearchStrategy[Any]:
    named = st.sampled_from(NAMES).map(lambda name: ref(*name.split(".")))
    return st.one_of(named, st.sampled_from(LOOP_VARS).map(lambda name: ("var", name)))


leaves = st.one_of(scalars.map(lit), _references_strategy())


def _compound(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    parts = st.lists(st.one_of(st.sampled_from(["", "-", "x"]), inner), max_size=3)
    small = st.lists(inner, max_size=3)
    optional = st.one_of(st.none(), inner)
    loop_key = st.sampled_from([None, "k"])
    return st.one_of(
        st.tuples(st.just("tpl"), parts),
        st.tuples(st.just("tpl"), st.lists(st.tuples(st.just("tpl_if"), inner, parts, parts), max_size=1)),
        st.tuples(
            st.just("tpl"), st.lists(st.tuples(st.just("tpl_for"), loop_key, st.just("v"), inner, parts), max_size=1)
        ),
        st.tuples(st.just("attr"), inner, st.sampled_from(KEYS)),
        st.tuples(st.just("index"), inner, inner),
        st.tuples(st.just("splat"), inner, st.lists(st.tuples(st.just("attr"), st.sampled_from(KEYS)), max_size=1)),
        st.tuples(st.just("call"), st.sampled_from(FUNCTION_NAMES), small, st.booleans()),
        st.tuples(st.just("tuple"), small),
        st.tuples(st.just("object"), st.lists(st.tuples(st.one_of(scalars.map(lit), inner), inner), max_size=3)),
        st.tuples(st.just("cond"), inner, inner, inner),
        st.tuples(st.just("binop"), st.sampled_from(OPERATORS), inner, inner),
        st.tuples(st.just("unop"), st.sampled_from(["-", "!"]), inner),
        st.tuples(st.just("for_tuple"), loop_key, st.just("v"), inner, inner, optional),
        st.tuples(st.just("for_object"), loop_key, st.just("v"), inner, inner, inner, st.booleans(), optional),
        st.tuples(st.just("paren"), inner),
    )


expressions = st.recursive(leaves, _compound, max_leaves=12)
environments = st.fixed_dictionaries({name: values for name in NAMES})
unknown_names = st.sets(st.sampled_from(NAMES))

PROPERTY_SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(expr: Any, resolver: Resolver) -> Any:
    try:
        return evaluate(expr, resolver)
    except EvaluationError as error:
        assert not error.message.startswith(INTERNAL_ERROR), error.message
        return error


def _in_model(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, float, bool, Unknown)):
        return True
    if isinstance(value, PartialMap):
        return bool(value.open_deps) and all(
            isinstance(key, str) and _in_model(item) for key, item in value.known.items()
        )
    if isinstance(value, list):
        return all(_in_model(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _in_model(item) for key, item in value.items())
    return False


def _consistent(partial: Any, concrete: Any) -> bool:
    """Whatever ``partial`` claims to know agrees with the value computed from concrete inputs."""
    if isinstance(partial, Unknown):
        return True
    if isinstance(partial, PartialMap):
        # names the generator leaves unbound (k, v outside a loop) keep the concrete side partial too
        known = concrete.known if isinstance(concrete, PartialMap) else concrete
        return isinstance(known, dict) and all(
            key in known and _consistent(item, known[key]) for key, item in partial.known.items()
        )
    if isinstance(partial, list):
        return isinstance(concrete, list) and len(partial) == len(concrete) and all(map(_consistent, partial, concrete))
    if isinstance(partial, dict):
        return (
            isinstance(concrete, dict)
            and partial.keys() == concrete.keys()
            and all(_consistent(partial[key], concrete[key]) for key in partial)
        )
    return identical(partial, concrete)


@PROPERTY_SETTINGS
@given(expressions, environments, unknown_names)
def test_any_tree_evaluates_to_a_value_unknown_or_evaluation_error(
    expr: Any, environment: dict[str, Any], unknown: set[str]
) -> None:
    resolver = Resolver({name: value for name, value in environment.items() if name not in unknown})
    outcome = _outcome(expr, resolver)
    assert isinstance(outcome, EvaluationError) or _in_model(outcome)
    references(expr)  # never raises either


@PROPERTY_SETTINGS
@given(expressions, environments, unknown_names)
def test_evaluate_is_deterministic(expr: Any, environment: dict[str, Any], unknown: set[str]) -> None:
    known = {name: value for name, value in environment.items() if name not in unknown}
    first, second = _outcome(expr, Resolver(known)), _outcome(expr, Resolver(known))
    if isinstance(first, EvaluationError):
        assert isinstance(second, EvaluationError) and first.message == second.message
    else:
        assert identical(first, second)


@PROPERTY_SETTINGS
@given(expressions, environments, unknown_names)
def test_unknown_inputs_never_yield_a_guess(expr: Any, environment: dict[str, Any], unknown: set[str]) -> None:
    """What is known with some inputs unknown holds for every value those inputs may take.

    Known results under unknown inputs come only from short-circuits, overrides (merge), equal
    branches and the like; each must agree with the result from concrete inputs, and an error
    with unknown inputs must be an error with concrete ones too.
    """
    partial = _outcome(expr, Resolver({name: value for name, value in environment.items() if name not in unknown}))
    concrete = _outcome(expr, Resolver(environment))
    if isinstance(partial, EvaluationError):
        assert isinstance(concrete, EvaluationError), (partial, concrete)
    elif not isinstance(concrete, EvaluationError):
        assert _consistent(partial, concrete), (partial, concrete)


@PROPERTY_SETTINGS
@given(expressions)
def test_all_unknown_inputs_give_unknown_unless_the_tree_ignores_them(expr: Any) -> None:
    outcome = _outcome(expr, Resolver())
    if isinstance(outcome, EvaluationError) or not references(expr) & set(NAMES):
        return
    # the same tree with the inputs set to some concrete values must agree with what was known
    for environment in (
        {name: "a" for name in NAMES},
        {name: [1] for name in NAMES},
        {name: {"a": True} for name in NAMES},
    ):
        concrete = _outcome(expr, Resolver(environment))
        if not isinstance(concrete, EvaluationError):
            assert _consistent(outcome, concrete), (outcome, concrete)


# Tag-shaped trees: maps merged, filtered, chosen and looked up, as tag expressions are written.
# Random trees above are mostly type errors; these mostly evaluate, so the soundness check bites.

tag_scalars = st.one_of(st.sampled_from(["", "x", "prod", "Owner"]), st.none(), st.integers(0, 2))
tag_maps = st.dictionaries(st.sampled_from(KEYS), tag_scalars, max_size=3)
tag_environments = st.fixed_dictionaries(
    {"var.a": tag_scalars, "var.b": st.one_of(st.booleans(), tag_scalars), "var.m": tag_maps, "local.l": tag_maps}
)
tag_value_exprs = st.one_of(
    tag_scalars.map(lit),
    st.sampled_from([ref("var", "a"), ref("var", "b"), ("tpl", ["p-", ref("var", "a")])]),
    st.sampled_from(KEYS).map(lambda key: ("attr", ref("var", "m"), key)),
)
tag_keys = st.one_of(st.sampled_from(KEYS).map(lit), st.just(("paren", ref("var", "a"))))
tag_leaves = st.one_of(
    st.sampled_from([ref("var", "m"), ref("local", "l")]),
    st.lists(st.tuples(tag_keys, tag_value_exprs), max_size=3).map(lambda items: ("object", items)),
)
tag_conditions = st.sampled_from(
    [
        None,
        ("binop", "!=", ("var", "v"), lit("")),
        ("binop", "==", ("var", "k"), lit("Owner")),
        ("binop", "!=", ("var", "v"), ref("var", "a")),
    ]
)
tag_conditionals = st.sampled_from([ref("var", "b"), ("binop", "==", ref("var", "a"), lit("x"))])


def _tag_compound(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    key_of = st.sampled_from([("var", "k"), call("lower", ("var", "k")), ("tpl", [("var", "k"), "-", ref("var", "a")])])
    return st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda maps: call("merge", *maps)),
        st.tuples(key_of, st.booleans(), tag_conditions, inner).map(
            lambda t: ("for_object", "k", "v", t[3], t[0], ("var", "v"), t[1], t[2])
        ),
        st.tuples(tag_conditionals, inner, inner).map(lambda t: ("cond", *t)),
        st.tuples(inner, st.sampled_from(KEYS), inner).map(lambda t: call("try", ("attr", t[0], t[1]), t[2])),
        inner.map(lambda m: call("tomap", m)),
        st.tuples(inner, st.sampled_from(KEYS)).map(lambda t: obj(picked=call("lookup", t[0], lit(t[1]), lit("d")))),
        inner.map(lambda m: obj(n=call("length", m), k=call("keys", m), s=call("jsonencode", m))),
    )


tag_expressions = st.recursive(tag_leaves, _tag_compound, max_leaves=8)


@PROPERTY_SETTINGS
@given(tag_expressions, tag_environments, unknown_names)
def test_tag_expressions_never_guess(expr: Any, environment: dict[str, Any], unknown: set[str]) -> None:
    partial = _outcome(expr, Resolver({name: value for name, value in environment.items() if name not in unknown}))
    concrete = _outcome(expr, Resolver(environment))
    assert isinstance(partial, EvaluationError) or _in_model(partial)
    if isinstance(partial, EvaluationError):
        assert isinstance(concrete, EvaluationError), (partial, concrete)
    elif not isinstance(concrete, EvaluationError):
        assert _consistent(partial, concrete), (partial, concrete)
