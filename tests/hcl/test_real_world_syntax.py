"""Constructs met in public Terraform repositories, written anew here in the same shape.

A run of the parser over 152 .tf and 4 .tfvars files from 87 public repositories (module
collections from HashiCorp, AWS, Azure and Google partners, Cloud Posse, Gruntwork, Bridgecrew and
many small projects) found no file that Terraform accepts and we reject. These tests pin the
unusual shapes seen there so that a later change to the parser cannot lose them, and check that the
few files Terraform itself rejects are rejected here too.
"""

from __future__ import annotations

import pytest

from tagwarden.iac_checks.terraform.hcl.ir import Expr, HclSyntaxError
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl

VAR = ("var", "var")
LOCAL = ("var", "local")


def var(name: str) -> Expr:
    return ("attr", VAR, name)


def attribute(text: str, name: str = "x") -> Expr:
    return parse_hcl(text).body.attributes[name].expr


def test_heredoc_closing_marker_may_be_followed_by_spaces() -> None:
    """hclsyntax trims the marker line; Azure Verified Modules ship messages ending this way."""
    text = (
        'variable "name" {\n'
        "  validation {\n"
        "    error_message = <<MESSAGE\n"
        "  Must be short.\n"
        "  MESSAGE   \n"
        "  }\n"
        "}\n"
    )
    (validation,) = parse_hcl(text).body.blocks[0].body.blocks
    assert validation.body.attributes["error_message"].expr == ("lit", "  Must be short.\n")


def test_a_marker_word_inside_another_heredoc_does_not_close_it() -> None:
    text = "description = <<DOC\nExample:\n  condition = <<-EOT\n  (a)\nEOT  \n```\nDOC\nnext = 1\n"
    body = parse_hcl(text).body
    assert body.attributes["description"].expr == ("lit", "Example:\n  condition = <<-EOT\n  (a)\nEOT  \n```\n")
    assert body.attributes["next"].expr == ("lit", 1)


def test_heredoc_as_a_list_element_then_the_closing_bracket() -> None:
    text = 'policies = [\n  <<-EOT\n    {"Version": "2012-10-17"}\n  EOT\n]\ncount = 1\n'
    assert attribute(text, "policies") == ("tuple", [("lit", '{"Version": "2012-10-17"}\n')])


def test_for_keyword_in_directly_followed_by_a_parenthesis() -> None:
    text = "sizes = [for size in(var.sizes != null ? var.sizes : []) : size - 1]\n"
    expr = attribute(text, "sizes")
    assert expr[0] == "for_tuple"
    assert expr[3] == ("paren", ("cond", ("binop", "!=", var("sizes"), ("lit", None)), var("sizes"), ("tuple", [])))


def test_block_comments_between_the_parts_of_a_for_expression() -> None:
    """The generated tracing-tag wrapper used across Azure modules."""
    text = (
        "tags = merge(var.tags, (/*<box>*/ (var.tracing ? { for k, v in /*</box>*/ {\n"
        '    avm_file = "main.tf"\n'
        '  } /*<box>*/ : replace(k, "avm_", var.prefix) => v } : {}) /*</box>*/))\n'
    )
    (_tags, wrapped) = attribute(text, "tags")[2]
    assert wrapped[0] == "paren" and wrapped[1][0] == "paren"
    condition = wrapped[1][1]
    assert condition[0] == "cond" and condition[2][0] == "for_object"
    assert condition[2][3] == ("object", [(("lit", "avm_file"), ("lit", "main.tf"))])


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ('"cluster/$${local.name}"', "cluster/${local.name}"),
        ('"cluster/$$${local.name}"', "cluster/$${local.name}"),
        ('"cluster/$$$${local.name}"', "cluster/$$${local.name}"),
        ('"50%% of $x and %%{ y }"', "50%% of $x and %{ y }"),
    ],
)
def test_escaped_template_sequences_in_object_keys(source: str, key: str) -> None:
    """Tag keys rewritten over and over by a tagging bot pile up '$' signs."""
    assert attribute(f'tags = {{\n  {source} = "shared"\n}}\n', "tags") == (
        "object",
        [(("lit", key), ("lit", "shared"))],
    )


def test_bare_block_labels_and_an_empty_one_line_body() -> None:
    text = (
        'data azurerm_subscription "current" { }\n'
        'resource aws_iam_role "eks" {\n'
        "  dynamic tag {\n"
        "    for_each = var.tags\n"
        "    content {}\n"
        "  }\n"
        "}\n"
    )
    data, role = parse_hcl(text).body.blocks
    assert (data.type, data.labels, data.body.attributes) == ("data", ["azurerm_subscription", "current"], {})
    (dynamic,) = role.body.blocks
    assert (dynamic.type, dynamic.labels) == ("dynamic", ["tag"])


def test_comment_after_the_opening_brace_of_a_block() -> None:
    text = 'resource "aws_x" "name" { // a note\n  length = number (Optional, Computed)\n}\n'
    (block,) = parse_hcl(text).body.blocks
    # a space before the parenthesis on the same line is still a call
    assert block.body.attributes["length"].expr == ("call", "number", [("var", "Optional"), ("var", "Computed")], False)


def test_colon_separated_object_items_on_separate_lines() -> None:
    text = 'tags = merge(\n  tomap({\n    "app": var.app\n    "env": var.env\n  }),\n  var.tags,\n)\n'
    assert attribute(text, "tags") == (
        "call",
        "merge",
        [
            ("call", "tomap", [("object", [(("lit", "app"), var("app")), (("lit", "env"), var("env"))])], False),
            var("tags"),
        ],
        False,
    )


def test_parenthesised_condition_over_lines_then_a_conditional() -> None:
    text = (
        "prefix = (try(rule.a, null) == null &&\n"
        "  try(length(rule.tags), 0) == 0 &&\n"
        "try(length(rule.prefix), 0) > 0) ? rule.prefix : null\n"
    )
    expr = attribute(text, "prefix")
    assert expr[0] == "cond" and expr[1][0] == "paren"
    assert expr[1][1][0] == "binop" and expr[1][1][1] == "&&"
    assert expr[3] == ("lit", None)


def test_merge_of_a_list_of_objects_expanded() -> None:
    text = (
        "subnets = merge([ for vnet_key, vnet in var.vnets :\n"
        "  {\n"
        "    for subnet_key, subnet in vnet.subnets :\n"
        '      "${vnet_key}-${subnet_key}" => subnet\n'
        "  }\n"
        "]...)\n"
    )
    name, (listed,), expand = attribute(text, "subnets")[1:]
    assert (name, expand, listed[0], listed[4][0]) == ("merge", True, "for_tuple", "for_object")


def test_legacy_interpolation_only_strings_and_splats() -> None:
    text = (
        'count = "${var.create ? 1 : 0}"\n'
        'subnets = ["${aws_subnet.private.*.id}"]\n'
        'ca = "${aws_eks_cluster.demo.certificate_authority.0.data}"\n'
    )
    body = parse_hcl(text).body
    assert body.attributes["count"].expr == ("tpl", [("cond", var("create"), ("lit", 1), ("lit", 0))])
    assert body.attributes["subnets"].expr == (
        "tuple",
        [("tpl", [("splat", ("attr", ("var", "aws_subnet"), "private"), [("attr", "id")])])],
    )
    assert body.attributes["ca"].expr[1][0][0] == "attr"


@pytest.mark.parametrize(
    "text",
    [
        "not terraform!!",  # a test fixture of a tagging tool, there to be rejected
        "project_id = {project_id}\n",  # a .tfvars template with placeholders not yet filled in
        "Some prose (not a comment)\n\nresource \"a\" \"b\" {}\n",  # a note pasted above the code
        'variable "labels" { type = map(string); default = {} }\n',  # ';' is not a separator
    ],
)
def test_files_terraform_rejects_are_rejected(text: str) -> None:
    with pytest.raises(HclSyntaxError):
        parse_hcl(text)
