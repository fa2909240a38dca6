"""Terraform's built-in functions: known results, Terraform's errors, and Unknown propagation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tagwarden.engine.resources import Unknown
from tagwarden.iac_checks.terraform.functions import (
    FUNCTIONS,
    EvaluationError,
    Function,
    PartialMap,
    _function,
    _registry,
    find_unknown,
    identical,
)

U = Unknown(("var.u",))


def call(name: str, *args: Any) -> Any:
    return FUNCTIONS[name].call(list(args))


def thunk(value: Any) -> Any:
    return lambda: value


def failing() -> Any:
    raise EvaluationError("boom")


# One valid call per function and what it returns. Every registered function must appear here.
KNOWN_RESULTS: list[tuple[str, tuple[Any, ...], Any]] = [
    ("merge", ({"a": 1, "b": 2}, None, {"b": 3}), {"a": 1, "b": 3}),
    ("map", ("k1", "v1", "k2", 2), {"k1": "v1", "k2": 2}),
    ("lookup", ({"a": "x"}, "a"), "x"),
    ("keys", ({"b": 1, "a": 2},), ["a", "b"]),
    ("values", ({"b": 1, "a": 2},), [2, 1]),
    ("length", ("héllo",), 5),
    ("concat", ([1], ["a"], []), [1, "a"]),
    ("element", (["a", "b", "c"], 4), "b"),
    ("zipmap", (["a", "b"], [1, 2]), {"a": 1, "b": 2}),
    ("slice", (["a", "b", "c", "d"], 1, 3), ["b", "c"]),
    ("reverse", ([1, 2, 3],), [3, 2, 1]),
    ("one", (["x"],), "x"),
    ("index", (["a", "b"], "b"), 1),
    ("coalesce", (None, "", "b", "c"), "b"),
    ("coalescelist", ([], ["a"], ["b"]), ["a"]),
    ("compact", (["a", "", None, "b"],), ["a", "b"]),
    ("contains", (["a", "b"], "b"), True),
    ("distinct", (["b", "a", "b", 1, 1.0],), ["b", "a", 1]),
    ("flatten", ([["a", ["b"]], [], "c"],), ["a", "b", "c"]),
    ("chunklist", ([1, 2, 3], 2), [[1, 2], [3]]),
    ("setunion", (["b", "a"], ["c", "a"]), ["a", "b", "c"]),
    ("setintersection", (["a", "b", "c"], ["b", "c", "d"]), ["b", "c"]),
    ("setsubtract", (["a", "b", "c"], ["b"]), ["a", "c"]),
    ("range", (1, 7, 2), [1, 3, 5]),
    ("sort", (["b", "a", "C"],), ["C", "a", "b"]),
    ("sum", ([1, 2.5, "3"],), 6.5),
    ("alltrue", ([True, "true"],), True),
    ("anytrue", ([False, "false"],), False),
    ("tostring", (1.5,), "1.5"),
    ("tonumber", ("42",), 42),
    ("tobool", ("false",), False),
    ("tolist", (["a", 1, True],), ["a", "1", "true"]),
    ("toset", (["b", "a", "b"],), ["a", "b"]),
    ("tomap", ({"a": 1, "b": "x"},), {"a": "1", "b": "x"}),
    ("sensitive", ("secret",), "secret"),
    ("nonsensitive", ("secret",), "secret"),
    ("format", ("%s-%03d-%.1f", "web", 7, 2.25), "web-007-2.2"),
    ("formatlist", ("%s=%s", ["a", "b"], "x"), ["a=x", "b=x"]),
    ("join", ("-", ["a", 1], ["b"]), "a-1-b"),
    ("split", (",", "a,,b"), ["a", "", "b"]),
    ("lower", ("ÀB",), "àb"),
    ("upper", ("ab",), "AB"),
    ("title", ("hello wORLD-x_y",), "Hello WORLD-X_y"),
    ("trimspace", ("  a b \n",), "a b"),
    ("trim", ("?!a?!", "!?"), "a"),
    ("trimprefix", ("prod-web", "prod-"), "web"),
    ("trimsuffix", ("web.tf", ".tf"), "web"),
    ("chomp", ("a\n\r\n\n",), "a"),
    ("indent", (2, "a\nb"), "a\n  b"),
    ("strrev", ("abc",), "cba"),
    ("startswith", ("prod-web", "prod"), True),
    ("endswith", ("prod-web", "prod"), False),
    ("strcontains", ("prod-web", "d-w"), True),
    ("substr", ("hello world", 1, 4), "ello"),
    ("replace", ("a-b-c", "-", "_"), "a_b_c"),
    ("regex", ("[a-z]+", "123abc456"), "abc"),
    ("regexall", ("[0-9]+", "a1b22c"), ["1", "22"]),
    ("abs", (-3,), 3),
    ("ceil", (1.2,), 2),
    ("floor", (-1.2,), -2),
    ("max", (1, "7", 3.5), 7),
    ("min", (1, -2.5), -2.5),
    ("pow", (2, 10), 1024),
    ("signum", (-4,), -1),
    ("log", (8, 2), 3),
    ("parseint", ("FF", 16), 255),
    ("jsonencode", ({"b": [1, 2.5, None, True], "a": "<&>"},), '{"a":"\\u003c\\u0026\\u003e","b":[1,2.5,null,true]}'),
    ("jsondecode", ('{"a": [1, 2.5, null, true, "x"]}',), {"a": [1, 2.5, None, True, "x"]}),
    ("yamlencode", ({"b": "x", "a": [1, {"k": True}]},), '"a":\n- 1\n- "k": true\n"b": "x"\n'),
    ("yamldecode", ("a: 1\nb: [x, 2020-01-01]\n",), {"a": 1, "b": ["x", "2020-01-01"]}),
    ("base64encode", ("héllo",), "aMOpbGxv"),
    ("base64decode", ("aMOpbGxv",), "héllo"),
    ("base64sha256", ("hello",), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="),
    ("urlencode", ("a b&c/d",), "a%20b%26c%2Fd"),
    ("md5", ("hello",), "5d41402abc4b2a76b9719d911017c592"),
    ("sha1", ("hello",), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
    ("sha256", ("hello",), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
    (
        "sha512",
        ("hello",),
        "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
    ),
]

NEVER_KNOWN: list[tuple[str, tuple[Any, ...], str]] = [
    ("uuid", (), "uuid()"),
    ("timestamp", (), "timestamp()"),
    ("plantimestamp", (), "plantimestamp()"),
    ("bcrypt", ("secret",), "bcrypt()"),
    ("file", ("./policy.json",), "file(./policy.json)"),
    ("filebase64", ("a.bin",), "filebase64(a.bin)"),
    ("filebase64sha256", ("a.bin",), "filebase64sha256(a.bin)"),
    ("filebase64sha512", ("a.bin",), "filebase64sha512(a.bin)"),
    ("fileexists", ("a",), "fileexists(a)"),
    ("filemd5", ("a",), "filemd5(a)"),
    ("fileset", (".", "*.tf"), "fileset(.)"),
    ("filesha1", ("a",), "filesha1(a)"),
    ("filesha256", ("a",), "filesha256(a)"),
    ("filesha512", ("a",), "filesha512(a)"),
    ("templatefile", ("t.tpl", {"a": 1}), "templatefile(t.tpl)"),
    ("abspath", ("a",), "abspath(a)"),
    ("pathexpand", ("~/a",), "pathexpand(~/a)"),
]

LAZY = {"try", "can"}


def test_every_registered_function_is_covered_here() -> None:
    covered = {name for name, _, _ in KNOWN_RESULTS} | {name for name, _, _ in NEVER_KNOWN} | LAZY
    assert covered == set(FUNCTIONS)


@pytest.mark.parametrize(("name", "args", "expected"), KNOWN_RESULTS, ids=[case[0] for case in KNOWN_RESULTS])
def test_known_result(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert identical(call(name, *args), expected)


@pytest.mark.parametrize(("name", "args", "expected"), KNOWN_RESULTS, ids=[case[0] for case in KNOWN_RESULTS])
def test_an_unknown_argument_never_gives_a_different_known_result(
    name: str, args: tuple[Any, ...], expected: Any
) -> None:
    """Replacing any argument by an Unknown gives Unknown, or a result the known call agrees with."""
    for position in range(len(args)):
        result = call(name, *args[:position], U, *args[position + 1 :])
        if FUNCTIONS[name].unknown_aware:
            assert _consistent(result, expected), (position, result)
        else:
            assert result == Unknown(("var.u",)), (position, result)


def _consistent(partial: Any, concrete: Any) -> bool:
    if isinstance(partial, Unknown):
        return True
    if isinstance(partial, PartialMap):
        return isinstance(concrete, dict) and all(
            key in concrete and _consistent(value, concrete[key]) for key, value in partial.known.items()
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


def test_unknown_deep_inside_an_argument_makes_the_result_unknown() -> None:
    assert call("join", ",", ["a", Unknown(("var.b",))]) == Unknown(("var.b",))
    assert call("jsonencode", {"a": [Unknown(("x.y",)), Unknown(("z",))]}) == Unknown(("x.y", "z"))
    assert call("upper", Unknown(())) == Unknown(())


@pytest.mark.parametrize(("name", "args", "label"), NEVER_KNOWN, ids=[case[0] for case in NEVER_KNOWN])
def test_values_not_known_before_apply(name: str, args: tuple[Any, ...], label: str) -> None:
    assert call(name, *args) == Unknown((label,))


def test_file_with_an_unknown_path_names_both() -> None:
    assert call("file", Unknown(("path.module",))) == Unknown(("file(...)", "path.module"))


# ---- merge and PartialMap


def test_merge_with_an_unknown_map_keeps_later_keys_known() -> None:
    tags = Unknown(("var.tags",))
    assert call("merge", tags, {"Owner": "x"}) == PartialMap(known={"Owner": "x"}, open_deps=("var.tags",))


def test_merge_keys_given_before_an_unknown_map_stay_present_with_unknown_values() -> None:
    result = call("merge", {"Owner": "x", "Env": Unknown(("var.env",))}, Unknown(("var.tags",)), {"Team": "t"})
    assert result == PartialMap(
        known={"Owner": Unknown(("var.tags",)), "Env": Unknown(("var.env", "var.tags")), "Team": "t"},
        open_deps=("var.tags",),
    )


def test_merge_of_partial_maps() -> None:
    first = PartialMap({"a": 1}, ("var.x",))
    second = PartialMap({"b": 2}, ("var.y",))
    assert call("merge", first, second) == PartialMap({"a": Unknown(("var.y",)), "b": 2}, ("var.x", "var.y"))
    assert call("merge", first, {"a": 3}) == PartialMap({"a": 3}, ("var.x",))


def test_merge_keeps_unknown_values_of_known_keys() -> None:
    assert call("merge", {"Owner": Unknown(("var.owner",))}) == {"Owner": Unknown(("var.owner",))}


def test_merge_rejects_a_list() -> None:
    with pytest.raises(EvaluationError, match="merge: argument 2 must be a map"):
        call("merge", {}, ["a"])


maps = st.dictionaries(st.sampled_from("abcd"), st.one_of(st.integers(-3, 3), st.text("xy", max_size=2)), max_size=4)


@settings(max_examples=60, deadline=None)
@given(maps, maps, maps)
def test_merge_is_associative_on_known_maps(a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]) -> None:
    left = call("merge", call("merge", a, b), c)
    right = call("merge", a, call("merge", b, c))
    assert left == right == call("merge", a, b, c)


# ---- lookup


def test_lookup() -> None:
    assert call("lookup", {"a": 1}, "b", "fallback") == "fallback"
    assert call("lookup", {"a": Unknown(("var.a",))}, "a") == Unknown(("var.a",))
    assert call("lookup", {"a": 1}, "b", Unknown(("var.d",))) == Unknown(("var.d",))
    with pytest.raises(EvaluationError, match='lookup: the given key "b" does not exist'):
        call("lookup", {"a": 1}, "b")


def test_lookup_on_a_partial_map() -> None:
    partial = PartialMap({"a": 1}, ("var.tags",))
    assert call("lookup", partial, "a", "d") == 1
    assert call("lookup", partial, "b", "d") == Unknown(("var.tags",))  # the open part may hold "b"
    assert call("lookup", partial, "b") == Unknown(("var.tags",))


def test_lookup_on_an_unknown_map_names_the_key() -> None:
    assert call("lookup", Unknown(("var.tags",)), "Owner", "x") == Unknown(('var.tags["Owner"]',))


# ---- try and can


def test_try_returns_the_first_argument_that_succeeds() -> None:
    assert call("try", failing, thunk("second"), thunk("third")) == "second"


def test_try_is_unknown_when_an_earlier_argument_is_unknown() -> None:
    assert call("try", failing, thunk(Unknown(("var.x",))), thunk("fallback")) == Unknown(("var.x",))
    assert call("try", thunk(["a", Unknown(("var.x",))]), thunk("fallback")) == Unknown(("var.x",))


def test_try_fails_when_every_argument_fails() -> None:
    with pytest.raises(EvaluationError, match="try: no expression succeeded"):
        call("try", failing, failing)


def test_can() -> None:
    assert call("can", thunk("x")) is True
    assert call("can", failing) is False
    assert call("can", thunk(Unknown(("var.x",)))) == Unknown(("var.x",))


# ---- the unknown-aware collection functions


def test_length_of_a_collection_with_unknown_items_is_known() -> None:
    assert call("length", [Unknown(("a",)), 1]) == 2
    assert call("length", {"k": Unknown(("a",))}) == 1
    assert call("length", PartialMap({"k": 1}, ("var.m",))) == Unknown(("var.m",))


def test_keys_values_concat_element_zipmap_with_unknown_items() -> None:
    item = Unknown(("var.v",))
    assert call("keys", {"b": item, "a": 1}) == ["a", "b"]
    assert call("values", {"b": item, "a": 1}) == [1, item]
    assert call("concat", [item], [1]) == [item, 1]
    assert call("element", [item, 1], 3) == 1
    assert call("zipmap", ["k"], [item]) == {"k": item}
    assert call("zipmap", [item], [1]) == item


def test_tomap_and_tolist_with_unknown_items() -> None:
    owner = Unknown(("var.owner",))
    assert call("tomap", {"Owner": owner, "Env": "prod"}) == {"Owner": owner, "Env": "prod"}
    # an unknown string item would turn the known numbers into strings
    assert call("tolist", [1, owner]) == Unknown(("var.owner",))
    assert call("tolist", ["a", owner]) == ["a", owner]
    assert call("tomap", PartialMap({"a": "x"}, ("var.m",))) == PartialMap({"a": "x"}, ("var.m",))
    # a string in the open part would turn the known number into "1"
    assert call("tomap", PartialMap({"a": 1}, ("var.m",))) == Unknown(("var.m",))


# ---- conversions and collections: errors


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("tonumber", ("abc",), 'cannot convert "abc" to a number'),
        ("tonumber", (True,), "a bool cannot be converted to a number"),
        ("tobool", ("yes",), "a string cannot be converted to a bool"),
        ("tostring", ([1],), "a list cannot be converted to a string"),
        ("tolist", ([1, True],), "all elements must have the same type"),
        ("tolist", ([[1], "a"],), "all elements must have the same type"),
        ("element", ([], 0), "empty list"),
        ("element", (["a"], -1), "negative index"),
        ("slice", (["a"], 0, 2), "invalid slice"),
        ("one", (["a", "b"],), "zero or one elements"),
        ("coalesce", (None, ""), "no non-null, non-empty-string arguments"),
        ("coalescelist", ([], []), "no non-null arguments"),
        ("index", (["a"], "b"), "item not found"),
        ("zipmap", (["a"], [1, 2]), "number of keys"),
        ("range", (0, 2000), "more than 1024"),
        ("range", (0, 5, 0), "step must not be zero"),
        ("sum", ([],), "empty list"),
        ("max", (), "at least one number"),
        ("join", (",", ["a", None]), "null values"),
        ("join", (",",), "at least one list"),
        ("length", (None,), "must not be null"),
        ("length", (5,), "not a number"),
        ("keys", (["a"],), "must be a map"),
        ("concat", (["a"], "b"), "argument 2 must be a list"),
        ("sort", ([None],), "must not be null"),
        ("jsondecode", ("{",), "invalid JSON"),
        ("jsondecode", ("NaN",), "not a number"),
        ("yamldecode", ("a: [",), "invalid YAML"),
        ("base64decode", ("not base64!",), "failed to decode"),
        ("parseint", ("12z", 10), "cannot parse"),
        ("log", (-1, 10), "positive"),
        ("substr", ("abc", "x", 1), "cannot convert"),
    ],
)
def test_errors_terraform_would_raise(name: str, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        call(name, *args)


def test_wrong_number_of_arguments() -> None:
    with pytest.raises(EvaluationError, match="lookup: expects 2 to 3 arguments, got 1"):
        call("lookup", {})
    with pytest.raises(EvaluationError, match="upper: expects 1 arguments, got 2"):
        call("upper", "a", "b")
    with pytest.raises(EvaluationError, match="format: expects at least 1 arguments, got 0"):
        call("format")


def test_conversions_of_null_stay_null() -> None:
    for name in ("tostring", "tonumber", "tobool", "tolist", "toset", "tomap"):
        assert call(name, None) is None


def test_toset_orders_numbers_by_value_and_removes_duplicates() -> None:
    assert call("toset", [10, 2, 2.0, 1]) == [1, 2, 10]
    assert call("toset", ["b", 1]) == ["1", "b"]


def test_coalesce_converts_to_a_common_type() -> None:
    assert call("coalesce", 1, "a") == "1"
    assert call("coalesce", None, 2) == 2


def test_lookup_default_and_merge_do_not_mistake_bools_for_numbers() -> None:
    assert call("contains", [1], True) is False
    assert call("distinct", [1, True]) == [1, True]


# ---- strings


@pytest.mark.parametrize(
    ("template", "args", "expected"),
    [
        ("%s|%d|%q|%v|%%", ("a", 12, "q", True), 'a|12|"q"|true|%'),
        (
            "%5.2f|%-5d|%05d|%+d|%x|%X|%o|%b|%#x",
            (3.14159, 3, 42, 5, 255, 255, 8, 5, 255),
            " 3.14|3    |00042|+5|ff|FF|10|101|0xff",
        ),
        ("%e|%.3g|%g|%g", (1234.5, 1234.5, 0.00001, 100000), "1.234500e+03|1.23e+03|1e-05|100000"),
        ("%v|%v|%v|%#v", (1234567, 1.5, None, "s"), '1.234567e+06|1.5|null|"s"'),
        ("%v|%v", ([1, "a"], {"k": None}), '[1,"a"]|{"k":null}'),
        ("%.2s|%6s|%-4s|%t", ("abcdef", "ab", "ab", "true"), "ab|    ab|ab  |true"),
        ("%[2]s %[1]s %s", ("a", "b"), "b a b"),
        ("%s", (1.5,), "1.5"),
    ],
)
def test_format(template: str, args: tuple[Any, ...], expected: str) -> None:
    assert call("format", template, *args) == expected


@pytest.mark.parametrize(
    ("template", "args", "message"),
    [
        ("%s %s", ("a",), "not enough arguments"),
        ("%s", ("a", "b"), "too many arguments"),
        ("%d", (1.5,), "must be a whole number"),
        ("%s", (None,), "null value cannot be formatted"),
        ("%s", ([1],), "a list cannot be converted to a string"),
        ("%y", (1,), "unsupported format verb"),
        ("100%", (), "invalid format string"),
    ],
)
def test_format_errors(template: str, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        call("format", template, *args)


def test_formatlist_needs_lists_of_one_length() -> None:
    assert call("formatlist", "plain") == ["plain"]  # no arguments: one row
    assert call("formatlist", "x-%s", ["a", "b"]) == ["x-a", "x-b"]
    with pytest.raises(EvaluationError, match="same length"):
        call("formatlist", "%s%s", ["a"], ["b", "c"])


def test_split_and_join_edge_cases() -> None:
    assert call("split", ",", "") == [""]
    assert call("split", "", "ab") == ["a", "b"]
    assert call("join", ",", []) == ""


def test_substr_like_terraform() -> None:
    assert call("substr", "hello", -3, -1) == "llo"
    assert call("substr", "hello", 10, 2) == ""
    assert call("substr", "hello", -10, 2) == "he"
    assert call("substr", "hello", 1, 0) == ""


def test_replace_with_a_regular_expression() -> None:
    assert call("replace", "hello world", "/o(\\w)/", "0$1") == "hello w0rld"
    assert call("replace", "a1b22", "/(?P<d>[0-9]+)/", "<${d}>") == "a<1>b<22>"
    assert call("replace", "price", "/p/", "$$") == "$rice"
    # Go skips an empty match right after a match; Python alone would not
    assert call("replace", "baaac", "/a*/", "X") == "XbXcX"
    assert call("replace", "a/b", "/", "-") == "a-b"  # a lone slash is a plain string


def test_regex_results_follow_the_capture_groups() -> None:
    assert call("regex", "(\\d+)-(\\w+)?", "12-") == ["12", None]
    assert call("regex", "(?P<year>\\d{4})-(?P<month>\\d{2})", "on 2024-05") == {"year": "2024", "month": "05"}
    assert call("regex", "(?<year>\\d{4})", "2024") == {"year": "2024"}
    assert call("regexall", "(\\w)=(\\d)", "a=1 b=2") == [["a", "1"], ["b", "2"]]
    assert call("regexall", "x", "abc") == []
    assert call("regex", "[[:upper:]]+", "abCDe") == "CD"
    # RE2's $ is the very end of the text, not the end of a last line
    with pytest.raises(EvaluationError, match="did not match"):
        call("regex", "a$", "a\n")


@pytest.mark.parametrize(
    "pattern",
    ["(", "(?P<a>x)(y)", "(?=x)", "(a)\\1", "a\\Z"],
)
def test_bad_or_non_re2_patterns_are_errors(pattern: str) -> None:
    with pytest.raises(EvaluationError, match="regex: invalid regexp pattern"):
        call("regex", pattern, "xyz")


def test_re2_features_python_lacks_are_unknown_not_errors() -> None:
    assert call("regex", "\\pL+", "abc") == Unknown(("function regex",))
    assert call("regexall", "(?U)a+", "aaa") == Unknown(("function regexall",))


def test_numbers_render_as_terraform_writes_them() -> None:
    assert call("tostring", 2.0) == "2"
    assert call("tostring", 1e-7) == "0.0000001"
    assert call("tostring", 10**20) == "100000000000000000000"
    assert call("jsonencode", [0.5, 3.0]) == "[0.5,3]"


def test_yamlencode_of_scalars_and_empty_collections() -> None:
    assert call("yamlencode", "a\nb") == '"a\\nb"\n'
    assert call("yamlencode", {"a": {}, "b": [], "c": None}) == '"a": {}\n"b": []\n"c": null\n'
    assert call("yamlencode", [[1, 2], {"k": {"n": 1}}]) == '- - 1\n  - 2\n- "k":\n    "n": 1\n'


# ---- registry


def test_registry_refuses_duplicate_names() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        _registry([_function("x", lambda: 1), _function("x", lambda: 2)])


def test_arity_comes_from_the_signature() -> None:
    def sample(first: Any, second: Any = None, *rest: Any) -> Any:
        return first

    function = _function("sample", sample)
    assert (function.min_args, function.max_args) == (1, None)
    assert isinstance(FUNCTIONS["lookup"], Function)
    assert (FUNCTIONS["lookup"].min_args, FUNCTIONS["lookup"].max_args) == (2, 3)


def test_find_unknown_collects_dependencies_in_order() -> None:
    value = {"a": [Unknown(("x",)), PartialMap({"k": Unknown(("y",))}, ("z",))], "b": Unknown(("x",))}
    assert find_unknown(value) == Unknown(("x", "z", "y"))
    assert find_unknown({"a": [1, "b"]}) is None
