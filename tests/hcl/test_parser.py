"""Tests of the HCL parser: exact trees, positions, newline rules, errors, and properties.

Where Terraform's behaviour is at stake, the reference is HashiCorp's hclsyntax parser (what
Terraform runs): a newline ends an attribute unless it is inside ( ), [ ], ${ } or a for
expression. HashiCorp confirm this in hashicorp/hcl#312, #343, #766 and terraform#25362.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tagwarden.iac_checks.terraform.hcl.ir import Expr, HclFile, HclSyntaxError
from tagwarden.iac_checks.terraform.hcl.parser import MAX_NESTING, parse_hcl


def value_of(source: str) -> Expr:
    """The expression of ``x`` in the one-attribute file ``x = <source>``."""
    return parse_hcl(f"x = {source}\n").body.attributes["x"].expr


def syntax_error(text: str) -> HclSyntaxError:
    with pytest.raises(HclSyntaxError) as raised:
        parse_hcl(text)
    return raised.value


def python_hcl2_accepts(text: str) -> bool:
    from hcl2.api import parses_to_tree

    try:
        parses_to_tree(text)
    except Exception:  # python-hcl2 raises Lark's many exception types
        return False
    return True


VAR = ("var", "var")
LOCAL = ("var", "local")


def var(name: str) -> Expr:
    return ("attr", VAR, name)


# -- literals and strings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", ("lit", 1)),
        ("007", ("lit", 7)),
        ("1.5", ("lit", 1.5)),
        ("1e3", ("lit", 1000.0)),
        ("2.5E-2", ("lit", 0.025)),
        ("1e+2", ("lit", 100.0)),
        ("true", ("lit", True)),
        ("false", ("lit", False)),
        ("null", ("lit", None)),
        ('"plain"', ("lit", "plain")),
        ('""', ("lit", "")),
        (r'"a\nb\tc\rd"', ("lit", "a\nb\tc\rd")),
        (r'"q\"b\\s"', ("lit", 'q"b\\s')),
        (r'"\u00e9\U0001F600"', ("lit", "é😀")),
        ('"$${not} %%{interp}"', ("lit", "${not} %{interp}")),
        ('"$ % $$ %% $x %x"', ("lit", "$ % $$ %% $x %x")),
        ('"${var.a}"', ("tpl", [var("a")])),
        ('"a-${var.b}-c"', ("tpl", ["a-", var("b"), "-c"])),
        ('"$${a}${b}"', ("tpl", ["${a}", ("var", "b")])),
        ('"${ {a = 1}.a }"', ("tpl", [("attr", ("object", [(("lit", "a"), ("lit", 1))]), "a")])),
        ('"${"in${"ner"}"}"', ("tpl", [("tpl", ["in", ("lit", "ner")])])),
        ('"# not a comment // nor this"', ("lit", "# not a comment // nor this")),
    ],
)
def test_literals_and_strings(source: str, expected: Expr) -> None:
    assert value_of(source) == expected


def test_newlines_inside_an_interpolation_are_ignored() -> None:
    assert value_of('"${\n  var.a # why\n  + 1\n}"') == ("tpl", [("binop", "+", var("a"), ("lit", 1))])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"%{ if var.on }yes%{ endif }"', ("tpl", [("tpl_if", var("on"), ["yes"], [])])),
        ('"%{ if a }y%{ else }n%{ endif }"', ("tpl", [("tpl_if", ("var", "a"), ["y"], ["n"])])),
        (
            '"%{ for k, v in m }${k}=${v};%{ endfor }"',
            ("tpl", [("tpl_for", "k", "v", ("var", "m"), [("var", "k"), "=", ("var", "v"), ";"])]),
        ),
        ('"%{ for s in l }${s}%{ endfor }"', ("tpl", [("tpl_for", None, "s", ("var", "l"), [("var", "s")])])),
        ('"a ${~ b ~} c"', ("tpl", ["a", ("var", "b"), "c"])),
        ('"a %{~ if b ~} c %{~ endif ~} d"', ("tpl", ["a", ("tpl_if", ("var", "b"), ["c"], []), "d"])),
        (
            '"%{ if a }%{ if b }x%{ endif }%{ endif }"',
            ("tpl", [("tpl_if", ("var", "a"), [("tpl_if", ("var", "b"), ["x"], [])], [])]),
        ),
    ],
)
def test_template_directives(source: str, expected: Expr) -> None:
    assert value_of(source) == expected


# -- heredocs --------------------------------------------------------------------------------


def test_heredoc_keeps_text_and_interpolates() -> None:
    assert value_of("<<EOF\n  a ${var.b}\n  c\nEOF") == ("tpl", ["  a ", var("b"), "\n  c\n"])


def test_indented_heredoc_strips_the_smallest_indent_of_non_blank_lines() -> None:
    assert value_of("<<-EOT\n    a\n\n      b\n    EOT") == ("lit", "a\n\n  b\n")


def test_indented_heredoc_closing_marker_may_be_indented_and_interpolate() -> None:
    text = 'resource "x" "y" {\n  policy = <<-EOT\n    {"name": "${var.n}"}\n    EOT\n  z = 1\n}\n'
    body = parse_hcl(text).body.blocks[0].body
    assert body.attributes["policy"].expr == ("tpl", ['{"name": "', var("n"), '"}\n'])
    assert body.attributes["policy"].end_line == 4
    assert body.attributes["z"].line == 5


def test_heredoc_line_that_starts_with_an_interpolation_is_not_indented() -> None:
    assert value_of("<<-EOT\n    a\n${b}\n    EOT") == ("tpl", ["    a\n", ("var", "b"), "\n"])


def test_heredoc_escapes_and_no_backslash_processing() -> None:
    assert value_of("<<EOF\n$${a} %%{b} \\n\nEOF") == ("lit", "${a} %{b} \\n\n")


def test_heredoc_directives_with_strip_markers() -> None:
    source = "<<EOT\n%{ for ip in var.ips ~}\nserver ${ip}\n%{ endfor ~}\nEOT"
    assert value_of(source) == ("tpl", [("tpl_for", None, "ip", var("ips"), ["server ", ("var", "ip"), "\n"])])


def test_empty_heredoc_and_marker_at_end_of_file() -> None:
    assert value_of("<<EOF\nEOF") == ("lit", "")
    assert parse_hcl("x = <<EOF\nlast\nEOF").body.attributes["x"].expr == ("lit", "last\n")


def test_heredoc_inside_a_call_argument_list() -> None:
    assert value_of('jsonencode(<<EOF\n{}\nEOF\n, "b")') == (
        "call",
        "jsonencode",
        [("lit", "{}\n"), ("lit", "b")],
        False,
    )


def test_heredoc_marker_only_counts_on_a_line_of_its_own() -> None:
    assert value_of("<<EOF\nnot EOF\nEOF here\nEOF") == ("lit", "not EOF\nEOF here\n")


# -- references, traversals, splats ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("var.region", var("region")),
        ("module.vpc.ids[0]", ("index", ("attr", ("attr", ("var", "module"), "vpc"), "ids"), ("lit", 0))),
        ('local.m["k"].v', ("attr", ("index", ("attr", LOCAL, "m"), ("lit", "k")), "v")),
        ("aws_instance.web.0.id", ("attr", ("index", ("attr", ("var", "aws_instance"), "web"), ("lit", 0)), "id")),
        ("a[*].id", ("splat", ("var", "a"), [("attr", "id")])),
        ("a[*]", ("splat", ("var", "a"), [])),
        ("a[*].b[0].c", ("splat", ("var", "a"), [("attr", "b"), ("index", ("lit", 0)), ("attr", "c")])),
        ("a[*].b[*].c", ("splat", ("var", "a"), [("attr", "b"), ("splat", [("attr", "c")])])),
        ("a.*.id", ("splat", ("var", "a"), [("attr", "id")])),
        ("a.*.b.0", ("splat", ("var", "a"), [("attr", "b"), ("index", ("lit", 0))])),
        ("a.*.b[1]", ("index", ("splat", ("var", "a"), [("attr", "b")]), ("lit", 1))),
        ("a-b.c-d", ("attr", ("var", "a-b"), "c-d")),
        ("each.value.tags", ("attr", ("attr", ("var", "each"), "value"), "tags")),
        ("[1, 2][0]", ("index", ("tuple", [("lit", 1), ("lit", 2)]), ("lit", 0))),
        ("f(x).y", ("attr", ("call", "f", [("var", "x")], False), "y")),
        ("(a).b", ("attr", ("paren", ("var", "a")), "b")),
        ("a[b[c]]", ("index", ("var", "a"), ("index", ("var", "b"), ("var", "c")))),
        ("données.clé", ("attr", ("var", "données"), "clé")),
    ],
)
def test_references_and_traversals(source: str, expected: Expr) -> None:
    assert value_of(source) == expected


# -- operators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a + b * c", ("binop", "+", ("var", "a"), ("binop", "*", ("var", "b"), ("var", "c")))),
        ("a - b - c", ("binop", "-", ("binop", "-", ("var", "a"), ("var", "b")), ("var", "c"))),
        ("a / b % c", ("binop", "%", ("binop", "/", ("var", "a"), ("var", "b")), ("var", "c"))),
        (
            "a || b && c == d",
            ("binop", "||", ("var", "a"), ("binop", "&&", ("var", "b"), ("binop", "==", ("var", "c"), ("var", "d")))),
        ),
        (
            "a < b != c >= d",
            ("binop", "!=", ("binop", "<", ("var", "a"), ("var", "b")), ("binop", ">=", ("var", "c"), ("var", "d"))),
        ),
        ("a <= b", ("binop", "<=", ("var", "a"), ("var", "b"))),
        ("a > b", ("binop", ">", ("var", "a"), ("var", "b"))),
        ("-1", ("unop", "-", ("lit", 1))),
        ("-a.b + 1", ("binop", "+", ("unop", "-", ("attr", ("var", "a"), "b")), ("lit", 1))),
        ("!!a", ("unop", "!", ("unop", "!", ("var", "a")))),
        ("!a == b", ("binop", "==", ("unop", "!", ("var", "a")), ("var", "b"))),
        ("(a + b) * c", ("binop", "*", ("paren", ("binop", "+", ("var", "a"), ("var", "b"))), ("var", "c"))),
        ("a ? b : c", ("cond", ("var", "a"), ("var", "b"), ("var", "c"))),
        (
            "a ? b : c ? d : e",
            ("cond", ("var", "a"), ("var", "b"), ("cond", ("var", "c"), ("var", "d"), ("var", "e"))),
        ),
        (
            "a ? b ? c : d : e",
            ("cond", ("var", "a"), ("cond", ("var", "b"), ("var", "c"), ("var", "d")), ("var", "e")),
        ),
        (
            "x == 1 ? a + 1 : b",
            ("cond", ("binop", "==", ("var", "x"), ("lit", 1)), ("binop", "+", ("var", "a"), ("lit", 1)), ("var", "b")),
        ),
    ],
)
def test_operators_and_precedence(source: str, expected: Expr) -> None:
    assert value_of(source) == expected


# -- calls, collections, for expressions -----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("f()", ("call", "f", [], False)),
        (
            "merge(local.a, {b = 1},)",
            ("call", "merge", [("attr", LOCAL, "a"), ("object", [(("lit", "b"), ("lit", 1))])], False),
        ),
        ("concat(a, b...)", ("call", "concat", [("var", "a"), ("var", "b")], True)),
        ("provider::aws::arn_parse(x)", ("call", "provider::aws::arn_parse", [("var", "x")], False)),
        ("[]", ("tuple", [])),
        ('[1, "a", [true],]', ("tuple", [("lit", 1), ("lit", "a"), ("tuple", [("lit", True)])])),
        ("{}", ("object", [])),
        ('{ a = 1, "b c" : 2 }', ("object", [(("lit", "a"), ("lit", 1)), (("lit", "b c"), ("lit", 2))])),
        ("{\n  a = 1\n  b = 2\n}", ("object", [(("lit", "a"), ("lit", 1)), (("lit", "b"), ("lit", 2))])),
        ("{ a = 1,\n b = 2, }", ("object", [(("lit", "a"), ("lit", 1)), (("lit", "b"), ("lit", 2))])),
        ("{ true = 1, null = 2 }", ("object", [(("lit", "true"), ("lit", 1)), (("lit", "null"), ("lit", 2))])),
        ("{ in = 1, if = 2 }", ("object", [(("lit", "in"), ("lit", 1)), (("lit", "if"), ("lit", 2))])),
        ("{ (local.k) = 1 }", ("object", [(("paren", ("attr", LOCAL, "k")), ("lit", 1))])),
        (
            '{ format("%s", x) = 2 }',
            ("object", [(("call", "format", [("lit", "%s"), ("var", "x")], False), ("lit", 2))]),
        ),
        ('{ "${a}-b" = 1 }', ("object", [(("tpl", [("var", "a"), "-b"]), ("lit", 1))])),
        (
            "[for s in var.l : upper(s)]",
            ("for_tuple", None, "s", var("l"), ("call", "upper", [("var", "s")], False), None),
        ),
        (
            "[for i, s in l : s if i > 0]",
            ("for_tuple", "i", "s", ("var", "l"), ("var", "s"), ("binop", ">", ("var", "i"), ("lit", 0))),
        ),
        (
            "{for k, v in m : k => v}",
            ("for_object", "k", "v", ("var", "m"), ("var", "k"), ("var", "v"), False, None),
        ),
        (
            '{for k, v in m : v => k... if k != ""}',
            (
                "for_object",
                "k",
                "v",
                ("var", "m"),
                ("var", "v"),
                ("var", "k"),
                True,
                ("binop", "!=", ("var", "k"), ("lit", "")),
            ),
        ),
        ("{for x in y : x => x}", ("for_object", None, "x", ("var", "y"), ("var", "x"), ("var", "x"), False, None)),
    ],
)
def test_calls_collections_and_for_expressions(source: str, expected: Expr) -> None:
    assert value_of(source) == expected


# -- the constructs python-hcl2 8.1.4 and Checkov reject but Terraform accepts ---------------

# Each is valid Terraform because the line break is inside brackets, where hclsyntax ignores
# newlines. The first three are checked against python-hcl2 too.
CONSTRUCTS_PYTHON_HCL2_REJECTS = {
    "newline before a call's '('": (
        'tags = (merge\n  (local.a, { Name = "x" }))\n',
        ("paren", ("call", "merge", [("attr", LOCAL, "a"), ("object", [(("lit", "Name"), ("lit", "x"))])], False)),
    ),
    "continuation line starting with .attribute": (
        "tags = [module.x\n  .output_name]\n",
        ("tuple", [("attr", ("attr", ("var", "module"), "x"), "output_name")]),
    ),
    "newline before '=>'": (
        "tags = { for k, v in m : k\n  => v }\n",
        ("for_object", "k", "v", ("var", "m"), ("var", "k"), ("var", "v"), False, None),
    ),
}


@pytest.mark.parametrize("name", list(CONSTRUCTS_PYTHON_HCL2_REJECTS))
def test_terraform_valid_constructs_that_python_hcl2_rejects(name: str) -> None:
    text, expected = CONSTRUCTS_PYTHON_HCL2_REJECTS[name]
    assert parse_hcl(text).body.attributes["tags"].expr == expected
    assert not python_hcl2_accepts(text), "python-hcl2 now accepts this: update the docs"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("(var.a\n  ? 1\n  : 2)", ("paren", ("cond", var("a"), ("lit", 1), ("lit", 2)))),
        (
            "(a\n && b\n || c\n == d\n + e\n * f)",
            (
                "paren",
                (
                    "binop",
                    "||",
                    ("binop", "&&", ("var", "a"), ("var", "b")),
                    (
                        "binop",
                        "==",
                        ("var", "c"),
                        ("binop", "+", ("var", "d"), ("binop", "*", ("var", "e"), ("var", "f"))),
                    ),
                ),
            ),
        ),
        ("(a ?\n b :\n c)", ("paren", ("cond", ("var", "a"), ("var", "b"), ("var", "c")))),
        (
            "[a\n[0]\n.b\n[*]\n.c]",
            ("tuple", [("splat", ("attr", ("index", ("var", "a"), ("lit", 0)), "b"), [("attr", "c")])]),
        ),
        ("[provider::aws\n::f\n(1)]", ("tuple", [("call", "provider::aws::f", [("lit", 1)], False)])),
        ("[for\n x\n in\n y\n :\n x\n if\n x\n]", ("for_tuple", None, "x", ("var", "y"), ("var", "x"), ("var", "x"))),
    ],
)
def test_continuation_lines_inside_brackets(source: str, expected: Expr) -> None:
    assert value_of(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "merge(\n  # why\n  local.a, // more\n  /* and */ local.b,\n)",
        "[\n  local.a, # first\n  /* second */ local.b\n  // end\n]",
        "{\n  a = local.a # first\n  // between\n  b = local.b /* second */\n}",
        "(\n  local.a # condition\n  ? local.a // yes\n  /* no */ : local.b\n)",
    ],
)
def test_comments_inside_multi_line_expressions(source: str) -> None:
    expected = {
        "m": ("call", "merge", [("attr", LOCAL, "a"), ("attr", LOCAL, "b")], False),
        "[": ("tuple", [("attr", LOCAL, "a"), ("attr", LOCAL, "b")]),
        "{": ("object", [(("lit", "a"), ("attr", LOCAL, "a")), (("lit", "b"), ("attr", LOCAL, "b"))]),
        "(": ("paren", ("cond", ("attr", LOCAL, "a"), ("attr", LOCAL, "a"), ("attr", LOCAL, "b"))),
    }[source[0]]
    assert value_of(source) == expected


@pytest.mark.parametrize(
    "text",
    [
        "x = a ?\n  b : c\n",
        "x = a +\n  b\n",
        "x =\n  1\n",
        "x = { a =\n 1 }\n",
    ],
)
def test_line_breaks_after_an_operator_are_rejected_like_terraform(text: str) -> None:
    error = syntax_error(text)
    assert error.line in (1, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tags = merge\n(local.a, {})\n", ("call", "merge", [("attr", ("var", "local"), "a"), ("object", [])], False)),
        ("value = module.x\n  .output_name\n", ("attr", ("attr", ("var", "module"), "x"), "output_name")),
        ("x = a\n  ? b : c\n", ("cond", ("var", "a"), ("var", "b"), ("var", "c"))),
        ("x = a\n  ? b\n  : c\n", ("cond", ("var", "a"), ("var", "b"), ("var", "c"))),
        ("x = a\n  && b\n", ("binop", "&&", ("var", "a"), ("var", "b"))),
        ("x = a # why\n  || b\n", ("binop", "||", ("var", "a"), ("var", "b"))),
    ],
)
def test_a_line_that_cannot_start_an_attribute_continues_the_expression(text: str, expected: Expr) -> None:
    """Terraform accepts these only inside brackets; real files have them at the top level too."""
    (attribute,) = parse_hcl(text).body.attributes.values()
    assert attribute.expr == expected
    assert attribute.line == 1


def test_a_parenthesised_object_key_on_its_own_line_is_not_a_call() -> None:
    parsed = parse_hcl("x = {\n  a = b\n  (k) = 1\n}\n")
    assert parsed.body.attributes["x"].expr == (
        "object", [(("lit", "a"), ("var", "b")), (("paren", ("var", "k")), ("lit", 1))])


def test_python_hcl2_is_more_lenient_than_terraform_in_places() -> None:
    """Documented differences: python-hcl2 8.1.4 accepts these; Terraform and we reject them."""
    for text in ["x = a +\n  b\n", 'x = "a\nb"\n', "b {\n  x = 1 }\n", "x = 1\nx = 2\n", "x = 1 y = 2\n"]:
        assert python_hcl2_accepts(text), text
        syntax_error(text)


# -- structure: bodies, blocks, positions -----------------------------------------------------

TERRAFORM = """\
# tagwarden:ignore missing-owner legacy bucket
resource "aws_s3_bucket" "logs" {
  bucket = "logs"

  tags = {
    Owner = "team-a"
  }

  lifecycle {
    ignore_changes = [tags]
  }
}

variable "env" { default = "dev" }
locals {
  name = "x" // tagwarden:ignore cost-center shared
}
"""


def test_blocks_labels_and_attributes() -> None:
    body = parse_hcl(TERRAFORM).body
    assert [(block.type, block.labels) for block in body.blocks] == [
        ("resource", ["aws_s3_bucket", "logs"]),
        ("variable", ["env"]),
        ("locals", []),
    ]
    bucket = body.blocks[0].body
    assert list(bucket.attributes) == ["bucket", "tags"]
    assert bucket.attributes["tags"].expr == ("object", [(("lit", "Owner"), ("lit", "team-a"))])
    assert bucket.blocks_of("lifecycle")[0].body.attributes["ignore_changes"].expr == ("tuple", [("var", "tags")])
    assert body.blocks[1].body.attributes["default"].expr == ("lit", "dev")


def test_lines_and_offsets_of_blocks_and_attributes() -> None:
    body = parse_hcl(TERRAFORM).body
    resource, variable, local_values = body.blocks
    assert (resource.line, resource.end_line) == (2, 12)
    assert TERRAFORM[resource.start : resource.end].startswith('resource "aws_s3_bucket"')
    assert TERRAFORM[resource.start : resource.end].endswith("]\n  }\n}")
    tags = resource.body.attributes["tags"]
    assert (tags.line, tags.end_line) == (5, 7)
    assert TERRAFORM[tags.start : tags.end] == 'tags = {\n    Owner = "team-a"\n  }'
    lifecycle = resource.body.blocks[0]
    assert (lifecycle.line, lifecycle.end_line) == (9, 11)
    assert (variable.line, variable.end_line) == (14, 14)
    assert TERRAFORM[variable.start : variable.end] == 'variable "env" { default = "dev" }'
    default = variable.body.attributes["default"]
    assert TERRAFORM[default.start : default.end] == 'default = "dev"'
    name = local_values.body.attributes["name"]
    assert TERRAFORM[name.start : name.end] == 'name = "x"'


def test_directives_collects_tagwarden_comments_by_line() -> None:
    parsed = parse_hcl(TERRAFORM + "/* tagwarden:ignore a b */\n# plain comment\n")
    assert parsed.directives == {
        1: "# tagwarden:ignore missing-owner legacy bucket",
        16: "// tagwarden:ignore cost-center shared",
        18: "/* tagwarden:ignore a b */",
    }


def test_comment_markers_inside_strings_and_heredocs_are_not_directives() -> None:
    parsed = parse_hcl('x = "# tagwarden:ignore a b"\ny = <<EOF\n# tagwarden:ignore c d\nEOF\n')
    assert parsed.directives == {}


def test_crlf_line_endings_bom_and_tabs() -> None:
    text = '\ufeffresource "a" "b" {\r\n\tx\t=\t"1"\r\n\ty = <<EOF\r\nline\r\nEOF\r\n}\r\n'
    block = parse_hcl(text).body.blocks[0]
    assert block.labels == ["a", "b"]
    assert block.body.attributes["x"].expr == ("lit", "1")
    assert block.body.attributes["x"].line == 2
    assert block.body.attributes["y"].expr == ("lit", "line\r\n")  # heredoc text is kept as written
    assert (block.line, block.end_line) == (1, 6)
    assert text[block.start : block.end].startswith("resource")


def test_bare_and_quoted_labels_and_keyword_names() -> None:
    text = 'in "x" y {\n  for = 1\n  if = 2\n  in = 3\n}\nfor {}\nif "a\\"b" {\n}\n'
    blocks = parse_hcl(text).body.blocks
    assert [(block.type, block.labels) for block in blocks] == [("in", ["x", "y"]), ("for", []), ("if", ['a"b'])]
    assert list(blocks[0].body.attributes) == ["for", "if", "in"]


def test_empty_file_comments_only_and_no_trailing_newline() -> None:
    assert parse_hcl("") == HclFile(parse_hcl("").body, {})
    assert parse_hcl("# only a comment").body.attributes == {}
    assert parse_hcl("\n\n  \n").body.blocks == []
    assert parse_hcl("b {\n}").body.blocks[0].type == "b"
    assert parse_hcl("x = 1").body.attributes["x"].expr == ("lit", 1)


def test_one_line_blocks() -> None:
    body = parse_hcl('variable "x" { default = 1 }\nlifecycle { ignore_changes = [tags, name] }\nempty {}\n').body
    assert body.blocks[0].body.attributes["default"].expr == ("lit", 1)
    assert body.blocks[1].body.attributes["ignore_changes"].expr == ("tuple", [("var", "tags"), ("var", "name")])
    assert body.blocks[2].body.attributes == {}


MODULE_SHAPED = r"""
module "cluster" {
  source = "../.."

  addons = {
    coredns = {
      resolve_conflicts = "OVERWRITE"
    }
    kube-proxy = {}
  }
  user_data = <<-EOT
    #!/bin/bash
    cat <<-EOF > /etc/profile.d/bootstrap.sh
    export RUNTIME="containerd"
    EOF
    sed -i '/^set -o errexit/a\\nsource /etc/x.sh' /etc/eks/bootstrap.sh
  EOT
  update_config = {
    max_unavailable_percentage = 33 # or set `max_unavailable`
  }
  subnet_tags = {
    "kubernetes.io/cluster/${local.name}" = "shared"
    "kubernetes.io/role/elb"              = 1
  }
  key_users = [
    # required for the ASG
    "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/x",
    module.eks.cluster_iam_role_arn,
  ]
}

resource "aws_launch_template" "external" {
  dynamic "tag_specifications" {
    for_each = toset(["instance", "volume"])
    content {
      tags = merge(local.tags, { Name = "x-${tag_specifications.key}" })
    }
  }
  # network_interfaces {
  #   delete_on_termination = true
  # }
}
"""


def test_module_shaped_file() -> None:
    module, template = parse_hcl(MODULE_SHAPED).body.blocks
    attributes = module.body.attributes
    assert attributes["addons"].expr[1][1] == (("lit", "kube-proxy"), ("object", []))
    assert attributes["user_data"].expr == (
        "lit",
        '#!/bin/bash\ncat <<-EOF > /etc/profile.d/bootstrap.sh\nexport RUNTIME="containerd"\nEOF\n'
        "sed -i '/^set -o errexit/a\\\\nsource /etc/x.sh' /etc/eks/bootstrap.sh\n",
    )
    assert attributes["update_config"].expr == ("object", [(("lit", "max_unavailable_percentage"), ("lit", 33))])
    assert attributes["subnet_tags"].expr[1][0][0] == ("tpl", ["kubernetes.io/cluster/", ("attr", LOCAL, "name")])
    assert len(attributes["key_users"].expr[1]) == 2
    dynamic = template.body.blocks[0]
    assert (dynamic.type, dynamic.labels, dynamic.body.blocks[0].type) == ("dynamic", ["tag_specifications"], "content")
    assert python_hcl2_accepts(MODULE_SHAPED)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('resource "a" "b" {\n  x = 1\n', 3, 1, "expected '}' to close block opened at line 1"),
        ("a {\n  b {\n    c = 1\n  }\n", 5, 1, "expected '}' to close block opened at line 1"),
        ('x = "abc\n', 1, 5, "unterminated string"),
        ('x = "abc', 1, 5, "unterminated string"),
        ('x = "a\\qb"\n', 1, 7, "invalid escape sequence '\\q'"),
        ('x = "\\u12"\n', 1, 6, "'\\u' must be followed by 4 hexadecimal digits"),
        ("x = <<EOF\nabc\n", 1, 5, "unterminated heredoc"),
        ("x = /* never closed\n", 1, 5, "unterminated comment"),
        ("x = 1\ny = 2\nx = 3\n", 3, 1, "duplicate attribute 'x': already set at line 1"),
        ("b {\n  x = 1\n  x = 2\n}\n", 3, 3, "duplicate attribute 'x'"),
        ("x = 1 y = 2\n", 1, 7, "expected a newline after the value of 'x'"),
        ("x = 1, y = 2\n", 1, 6, "attributes are separated by newlines"),
        ("x = [1, 2\n", 2, 1, "expected ',' or ']' to close the list opened at line 1"),
        ("x = f(1 2)\n", 1, 9, "expected ',' or ')' to close the call to f"),
        ("x = (1\n", 2, 1, "expected ')' to close the parenthesis opened at line 1"),
        ("x = { a = 1 b = 2 }\n", 1, 13, "expected ',' or a newline between object items"),
        ("x = {\n  a = 1\n", 3, 1, "expected '}' to close the object opened at line 1"),
        ("x = a ? b\n", 1, 10, "expected ':'"),
        ("x = \n", 1, 5, "expected an expression, found newline"),
        ("x = ${a}\n", 1, 5, "'${' is only allowed inside a quoted string or heredoc"),
        ('x = "${a b}"\n', 1, 10, "expected '}' to close the '${' opened at line 1"),
        ('x = "${}"\n', 1, 8, "expected an expression"),
        ('x = "%{ if a }b"\n', 1, 6, "'%{ if }' at line 1 has no matching '%{ endif }'"),
        ('x = "%{ endfor }"\n', 1, 6, "unexpected '%{ endfor }'"),
        ('x = "%{ for a in b }%{ else }%{ endfor }"\n', 1, 21, "unexpected '%{ else }'"),
        ('x = "%{ while a }"\n', 1, 9, "unknown template directive 'while'"),
        ("x = a.0.1\n", 1, 7, "invalid index '.0.1'"),
        ("x = 1.2.3\n", 1, 5, "invalid number 1.2.3"),
        ("x = a.\n", 1, 7, "expected an attribute name after '.'"),
        ("x = a.*.*\n", 1, 9, "cannot contain another splat"),
        ("x = [for k in m : k => k]\n", 1, 5, "cannot have a key"),
        ("x = {for k in m : k}\n", 1, 5, "needs a key"),
        ("x = [for k in m : k...]\n", 1, 20, "grouping is only allowed"),
        ("x = {for = 1}\n", 1, 10, "expected a variable name after 'for'"),
        ("x = f(a..., b)\n", 1, 11, "'...' must be followed by ')'"),
        ("x = provider::(1)\n", 1, 15, "expected a function name after 'provider::'"),
        ('"x" = 1\n', 1, 1, "must not be quoted"),
        ("}\n", 1, 1, "unexpected '}'"),
        ("b\n{\n}\n", 1, 2, "expected '=' or a block after 'b'"),
        ("b x\n{\n}\n", 1, 4, "must be on the same line"),
        ('b "${a}" {\n}\n', 1, 4, "block labels must be plain strings"),
        ("b { x = 1, y = 2 }\n", 1, 10, "can only contain a single attribute"),
        ("b { c {} }\n", 1, 5, "can only contain a single attribute"),
        ("b { x = 1\n}\n", 1, 10, "must be closed on that line"),
        ("b {\n  x = 1 }\n", 2, 9, "expected a newline after the value of 'x'"),
        ("b {\n} c = 1\n", 2, 3, "expected a newline after the '}' closing block 'b'"),
        ("x = 1 @\n", 1, 7, "unexpected character '@'"),
        ("x = 1\r2\n", 1, 6, "carriage return"),
        ("x = ~}\n", 1, 5, "expected an expression, found '~}'"),
    ],
)
def test_error_positions_and_messages(text: str, line: int, column: int, message: str) -> None:
    error = syntax_error(text)
    assert message in error.message
    assert (error.line, error.column) == (line, column)
    assert str(error).startswith(f"line {line}, column {column}: ")


def test_columns_count_characters_not_bytes() -> None:
    error = syntax_error('x = "é" @\n')
    assert (error.line, error.column) == (1, 9)


DEEP = 3000


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * DEEP + "]" * DEEP,
        "x = " + "(" * DEEP + "1" + ")" * DEEP,
        "x = " + "{a = " * DEEP + "1" + "}" * DEEP,
        "x = " + "!" * DEEP + "a",
        "x = " + "-" * DEEP + "1",
        "x = " + "a ? b : " * DEEP + "c",
        "x = " + "a ? " * DEEP + "b" + " : c" * DEEP,
        "x = " + '"${' * DEEP + "1" + '}"' * DEEP,
        "x = " + "f(" * DEEP + ")" * DEEP,
        "x = a" + "[*]" * DEEP,
        "x = " + "a || b && c == d < e + f * (" * DEEP + "1" + ")" * DEEP,
        "b {\n" * DEEP + "}\n" * DEEP,
        'x = "' + "%{ if a }" * DEEP + "%{ endif }" * DEEP + '"',
        'x = "' + "%{ for a in b }" * DEEP + "%{ endfor }" * DEEP + '"',
        "x = " + "[for x in " * DEEP + "y : x]" * DEEP,
    ],
)
def test_deep_nesting_is_a_clear_syntax_error(text: str) -> None:
    assert "nested more than" in syntax_error(text).message


@pytest.mark.parametrize("text", ["x = " + "[" * DEEP, "x = " + '"${' * DEEP, "x = " + "{" * DEEP, "b {\n" * DEEP])
def test_deeply_nested_unclosed_input_is_a_syntax_error(text: str) -> None:
    syntax_error(text)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    depth = MAX_NESTING - 2
    assert value_of("[" * depth + "]" * depth) is not None
    assert parse_hcl("b {\n" * depth + "}\n" * depth).body.blocks[0].type == "b"


def test_exceeding_the_nesting_limit_reports_nesting() -> None:
    depth = MAX_NESTING + 1
    assert "nested" in syntax_error("x = " + "[" * depth + "]" * depth).message
    assert "nested" in syntax_error("b {\n" * depth + "}\n" * depth).message


# -- property-based tests --------------------------------------------------------------------

KEYWORDS = {"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"}
names = st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True).filter(lambda name: name not in KEYWORDS)
text_characters = st.characters(blacklist_categories=("Cs",))
string_values = st.lists(
    st.one_of(text_characters, st.sampled_from(['"', "\\", "$", "%", "{", "}", "${", "%{", "$${", "\n", "\t", "\r"])),
    max_size=10,
).map("".join)
template_text = st.text(text_characters, min_size=1, max_size=8).filter(lambda text: text[-1] not in "$%")
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**20),
    st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False).filter(lambda x: str(x)[0] != "-"),
)
BINARY_OPERATORS = ["||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"]

leaves = st.one_of(
    numbers.map(lambda number: ("lit", number)),
    string_values.map(lambda text: ("lit", text)),
    st.sampled_from([("lit", True), ("lit", False), ("lit", None)]),
    names.map(lambda name: ("var", name)),
)


def as_operand(expr: Expr) -> Expr:
    """Parenthesise what cannot stand as the operand of a binary operator without them."""
    return ("paren", expr) if expr[0] in ("binop", "cond") else expr


def as_traversal_base(expr: Expr) -> Expr:
    """Parenthesise what a following .name or [key] would not apply to as a whole."""
    traversable = expr[0] in ("var", "attr", "index", "call", "paren", "tuple", "object", "tpl") or (
        expr[0] == "lit" and not isinstance(expr[1], (int, float))
    )
    return expr if traversable else ("paren", expr)


def template_parts(children: st.SearchStrategy[Expr], depth: int = 1) -> st.SearchStrategy[list[Any]]:
    """Alternating text and expressions/directives, with at least one that is not text."""
    sequences = [children]
    if depth > 0:
        inner = template_parts(children, depth - 1) | st.just([]) | template_text.map(lambda text: [text])
        sequences += [
            st.tuples(st.just("tpl_if"), children, inner, inner),
            st.tuples(st.just("tpl_for"), st.none() | names, names, children, inner),
        ]
    pieces = st.lists(st.one_of(template_text, children), max_size=2)
    return st.tuples(pieces, st.one_of(sequences), pieces).map(
        lambda parts: _merge_adjacent_text([*parts[0], parts[1], *parts[2]])
    )


def _merge_adjacent_text(parts: list[Any]) -> list[Any]:
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def object_keys(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        names.map(lambda name: ("lit", name)),
        string_values.map(lambda text: ("lit", text)),
        children.map(lambda expr: ("paren", expr)),
    )


def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    bases = children.map(as_traversal_base)
    operands = children.map(as_operand)
    optional = st.none() | children
    splat_steps = st.lists(
        st.one_of(names.map(lambda n: ("attr", n)), children.map(lambda e: ("index", e))), max_size=3
    )
    return st.one_of(
        st.tuples(st.just("attr"), bases, names),
        st.tuples(st.just("index"), bases, children),
        st.tuples(st.just("splat"), bases, splat_steps),
        st.tuples(st.just("binop"), st.sampled_from(BINARY_OPERATORS), operands, operands),
        st.tuples(st.just("unop"), st.sampled_from(["-", "!"]), operands),
        st.tuples(st.just("cond"), operands, children, children),
        st.tuples(st.just("paren"), children),
        st.tuples(st.just("tuple"), st.lists(children, max_size=3)),
        st.tuples(st.just("object"), st.lists(st.tuples(object_keys(children), children), max_size=3)),
        st.tuples(st.just("call"), names, st.lists(children, min_size=1, max_size=3), st.booleans()),
        st.tuples(st.just("call"), names, st.just([]), st.just(False)),
        st.tuples(st.just("for_tuple"), st.none() | names, names, children, children, optional),
        st.tuples(
            st.just("for_object"), st.none() | names, names, children, children, children, st.booleans(), optional
        ),
        template_parts(children).map(lambda parts: ("tpl", parts)),
    )


expressions = st.recursive(leaves, extend, max_leaves=10)


class Renderer:
    """Writes an expression tree as HCL text, with random (but valid) line breaks and comments.

    ``loose`` is True where hclsyntax ignores newlines (inside brackets, templates, for
    expressions); there the renderer may break lines and put comments between any two tokens.
    """

    LOOSE_GAPS = (" ", "\n", "\n  ", " # note\n", " // note\n", " /* note */ ", "\n/* a\nb */ ")
    STRICT_GAPS = (" ", " /* note */ ", "\t")

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd

    def gap(self, loose: bool) -> str:
        if self.rnd.random() < 0.6:
            return " " if self.rnd.random() < 0.5 else ""
        return self.rnd.choice(self.LOOSE_GAPS if loose else self.STRICT_GAPS)

    def spaced(self, loose: bool) -> str:
        gap = self.gap(loose)
        return gap if gap else " "

    def render(self, expr: Expr, loose: bool) -> str:
        return getattr(self, f"render_{expr[0]}")(expr, loose)

    def render_lit(self, expr: Expr, loose: bool) -> str:
        value = expr[1]
        if value is True or value is False or value is None:
            return {True: "true", False: "false", None: "null"}[value]
        if isinstance(value, (int, float)):
            return repr(value)
        return '"' + escape(value) + '"'

    def render_var(self, expr: Expr, loose: bool) -> str:
        return expr[1]

    def render_attr(self, expr: Expr, loose: bool) -> str:
        return f"{self.render(expr[1], loose)}{self.gap(loose)}.{expr[2]}"

    def render_index(self, expr: Expr, loose: bool) -> str:
        return f"{self.render(expr[1], loose)}{self.gap(loose)}[{self.render(expr[2], True)}]"

    def render_splat(self, expr: Expr, loose: bool) -> str:
        steps = "".join(f".{step[1]}" if step[0] == "attr" else f"[{self.render(step[1], True)}]" for step in expr[2])
        return f"{self.render(expr[1], loose)}[*]{steps}"

    def render_binop(self, expr: Expr, loose: bool) -> str:
        _, operator, left, right = expr
        return (
            f"{self.render(left, loose)}{self.spaced(loose)}{operator}{self.spaced(loose)}{self.render(right, loose)}"
        )

    def render_unop(self, expr: Expr, loose: bool) -> str:
        return f"{expr[1]}{self.gap(loose)}{self.render(expr[2], loose)}"

    def render_cond(self, expr: Expr, loose: bool) -> str:
        _, condition, if_true, if_false = expr
        gap = self.spaced
        return (
            f"{self.render(condition, loose)}{gap(loose)}?{gap(loose)}{self.render(if_true, loose)}"
            f"{gap(loose)}:{gap(loose)}{self.render(if_false, loose)}"
        )

    def render_paren(self, expr: Expr, loose: bool) -> str:
        return f"({self.gap(True)}{self.render(expr[1], True)}{self.gap(True)})"

    def render_tuple(self, expr: Expr, loose: bool) -> str:
        items = [self.render(item, True) for item in expr[1]]
        separator = f"{self.gap(True)},{self.gap(True)}"
        trailing = "," if items and self.rnd.random() < 0.3 else ""
        return f"[{self.gap(True)}{separator.join(items)}{trailing}{self.gap(True)}]"

    def render_object(self, expr: Expr, loose: bool) -> str:
        # Object items are newline-separated or comma-separated, even inside brackets.
        pieces = []
        for key, value in expr[1]:
            separator = f"{self.gap(False)}{self.rnd.choice('=:')}{self.gap(False)}"
            pieces.append(f"{self.render_key(key)}{separator}{self.render(value, False)}")
        separators = [", ", ",", "\n", ",\n", " # item\n", " /* x */\n"]
        text = "".join(piece + self.rnd.choice(separators) for piece in pieces[:-1]) + (pieces[-1] if pieces else "")
        return (
            "{"
            + self.rnd.choice(["", " ", "\n"])
            + text
            + self.rnd.choice(["", " ", "\n", ",", ",\n"] if pieces else [""])
            + "}"
        )

    def render_key(self, key: Expr) -> str:
        if key[0] == "lit" and isinstance(key[1], str) and _is_plain_name(key[1]) and self.rnd.random() < 0.7:
            return key[1]
        return self.render(key, False)

    def render_call(self, expr: Expr, loose: bool) -> str:
        _, name, args, expand = expr
        rendered = [self.render(arg, True) for arg in args]
        separator = f"{self.gap(True)},{self.gap(True)}"
        ending = "..." if expand else ("," if rendered and self.rnd.random() < 0.3 else "")
        return f"{name}{self.gap(loose)}({self.gap(True)}{separator.join(rendered)}{ending}{self.gap(True)})"

    def render_for_tuple(self, expr: Expr, loose: bool) -> str:
        _, key_var, value_var, collection, value, condition = expr
        return f"[{self.for_head(key_var, value_var, collection)}{self.render(value, True)}{self.for_tail(condition)}]"

    def render_for_object(self, expr: Expr, loose: bool) -> str:
        _, key_var, value_var, collection, key, value, grouping, condition = expr
        gap = self.spaced
        grouped = "..." if grouping else ""
        return (
            f"{{{self.for_head(key_var, value_var, collection)}{self.render(key, True)}{gap(True)}=>{gap(True)}"
            f"{self.render(value, True)}{grouped}{self.for_tail(condition)}}}"
        )

    def for_head(self, key_var: str | None, value_var: str, collection: Expr) -> str:
        gap = self.spaced
        names = f"{key_var}{self.gap(True)},{gap(True)}{value_var}" if key_var else value_var
        return f"for{gap(True)}{names}{gap(True)}in{gap(True)}{self.render(collection, True)}{gap(True)}:{gap(True)}"

    def for_tail(self, condition: Expr | None) -> str:
        if condition is None:
            return self.gap(True)
        return f"{self.spaced(True)}if{self.spaced(True)}{self.render(condition, True)}{self.gap(True)}"

    def render_tpl(self, expr: Expr, loose: bool) -> str:
        return '"' + self.template_body(expr[1]) + '"'

    def template_body(self, parts: list[Any]) -> str:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(escape(part))
            elif part[0] == "tpl_if":
                _, condition, then_parts, else_parts = part
                otherwise = f"%{{ else }}{self.template_body(else_parts)}" if else_parts else ""
                out.append(
                    f"%{{ if {self.render(condition, True)} }}{self.template_body(then_parts)}{otherwise}%{{ endif }}"
                )
            elif part[0] == "tpl_for":
                _, key_var, value_var, collection, body = part
                names = f"{key_var}, {value_var}" if key_var else value_var
                out.append(
                    f"%{{ for {names} in {self.render(collection, True)} }}{self.template_body(body)}%{{ endfor }}"
                )
            else:
                out.append(f"${{{self.gap(True)}{self.render(part, True)}{self.gap(True)}}}")
        return "".join(out)


def _is_plain_name(text: str) -> bool:
    return (
        bool(text)
        and (text[0].isalpha() or text[0] == "_")
        and text.isascii()
        and all(character.isalnum() or character in "_-" for character in text)
        and text != "for"
    )


def escape(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return escaped.replace("${", "$${").replace("%{", "%%{")


bodies = st.recursive(
    st.lists(st.tuples(names, expressions), max_size=3),
    lambda children: st.lists(
        st.one_of(
            st.tuples(names, expressions), st.tuples(names, st.lists(names | string_values, max_size=2), children)
        ),
        max_size=3,
    ),
    max_leaves=4,
)


def render_body(items: list[Any], renderer: Renderer, indent: str = "") -> str:
    lines = []
    seen: set[str] = set()
    for item in items:
        if len(item) == 2:
            name, expr = item
            if name in seen:
                continue
            seen.add(name)
            lines.append(f"{indent}{name}{renderer.gap(False)}={renderer.gap(False)}{renderer.render(expr, False)}")
        else:
            block_type, labels, body = item
            header = " ".join(
                [block_type, *(label if _is_plain_name(label) else f'"{escape(label)}"' for label in labels)]
            )
            lines.append(f"{indent}{header} {{\n{render_body(body, renderer, indent + '  ')}{indent}}}")
        if renderer.rnd.random() < 0.3:
            lines.append(renderer.rnd.choice(["", f"{indent}# comment", f"{indent}// comment", "/* c */"]))
    return "".join(line + "\n" for line in lines)


def expected_body(items: list[Any]) -> tuple[dict[str, Expr], list[Any]]:
    attributes: dict[str, Expr] = {}
    blocks = []
    for item in items:
        if len(item) == 2:
            attributes.setdefault(item[0], item[1])
        else:
            blocks.append((item[0], list(item[1]), expected_body(item[2])))
    return attributes, blocks


def actual_body(body: Any) -> tuple[dict[str, Expr], list[Any]]:
    attributes = {name: attribute.expr for name, attribute in body.attributes.items()}
    return attributes, [(block.type, block.labels, actual_body(block.body)) for block in body.blocks]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, st.randoms(use_true_random=False))
def test_rendered_expressions_parse_back_to_the_same_tree(expr: Expr, rnd: random.Random) -> None:
    text = f"x = {Renderer(rnd).render(expr, False)}\n"
    assert parse_hcl(text).body.attributes["x"].expr == expr, text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, st.randoms(use_true_random=False))
def test_rendered_bodies_parse_back_to_the_same_structure(items: list[Any], rnd: random.Random) -> None:
    text = render_body(items, Renderer(rnd))
    assert actual_body(parse_hcl(text).body) == expected_body(items), text


# Terraform-valid snippets for the differential test, beyond what the expression generator makes.
TERRAFORM_SNIPPETS = [
    "h1 = <<EOT\nline ${var.a}\nEOT\n",
    "h2 = <<-EOT\n    indented\n      more\n    EOT\n",
    "l1 = aws_instance.web.0.id\n",
    "s1 = aws_instance.web.*.id\n",
    "s2 = aws_instance.web[*].tags.Name\n",
    "p1 = provider::aws::arn_parse(var.arn)\n",
    't1 = "%{ if var.x ~} yes %{~ else ~} no %{~ endif }"\n',
    "g1 = { for k, v in var.m : v => k... }\n",
    "c1 = (var.a\n  ? 1\n  : 2)\n",
    "m1 = merge(\n  # why\n  local.a,\n  { b = 1 }, // more\n)\n",
    'resource "aws_s3_bucket" "b" {\n  tags = { Name = "x" }\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n',
    'variable "v" { default = 1 }\n',
    'o1 = { (local.k) = 1, format("%s", var.x) = 2 }\n',
    "e1 = concat(var.a, var.b...)\n",
    'u1 = "\\u00e9\\n\\t\\"q\\""\n',
    "k1 = { in = 1, if = 2 }\n",
    "n1 = -1.5e3 + 2 % 3\n",
    'd1 = "$${literal} %%{literal}"\n',
    'f1 = [for s in var.l : upper(s) if s != ""]\n',
    "b1 = !var.a && (var.b || var.c)\n",
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(names.map(lambda name: f"g_{name}"), expressions), max_size=3, unique_by=lambda item: item[0]),
    st.lists(st.sampled_from(TERRAFORM_SNIPPETS), max_size=4, unique=True),
    st.sampled_from(["\n", "\r\n"]),
    st.randoms(use_true_random=False),
)
def test_whatever_python_hcl2_accepts_we_accept(
    attributes: list[tuple[str, Expr]], snippets: list[str], line_ending: str, rnd: random.Random
) -> None:
    renderer = Renderer(rnd)
    pieces = [f"{name} = {renderer.render(expr, False)}\n" for name, expr in attributes] + snippets
    rnd.shuffle(pieces)
    text = "".join(pieces).replace("\n", line_ending)
    if python_hcl2_accepts(text):
        event("python-hcl2 accepted")
        parse_hcl(text)
    else:
        event("python-hcl2 rejected")


FRAGMENTS = [
    "{", "}", "(", ")", "[", "]", '"', "${", "%{", "~}", "<<EOF\n", "<<-X\n", "EOF\n", "X", "\n", "\r\n",
    "#", "//", "/*", "*/", "a", "b.c", "=", "==", "1", "1.5e3", ".", "*", "[*]", "for", " in ", "if", ":",
    "=>", "...", "?", "\\", "$${", "%%{", " ", "\t", ",", "-", "!", "true", "null", "::", "\ufeff", "é",
    "endif", "endfor", "else", "0.1", "'", "@", "\x00",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)))
def test_any_text_either_parses_or_raises_hcl_syntax_error(text: str) -> None:
    try:
        parse_hcl(text)
    except HclSyntaxError as error:
        assert error.line >= 1 and error.column >= 1
