"""Tests of the parse cache: exact JSON round trip, keys, and safe handling of bad entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tagwarden.iac_checks.terraform.hcl import cache as cache_module
from tagwarden.iac_checks.terraform.hcl.cache import ParseCache, from_json, to_json
from tagwarden.iac_checks.terraform.hcl.ir import HclSyntaxError
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl

# Every expression node and splat step the parser produces appears at least once.
EVERY_NODE = """\
# tagwarden:ignore missing-owner legacy
resource "aws_instance" "web" {
  count    = var.n > 0 && !var.off ? 1 : -1
  ami      = data.aws_ami.ubuntu.id
  ids      = aws_instance.a[*].id
  nested   = aws_instance.a[*].b[*].c
  legacy   = aws_instance.a.*.id
  first    = local.list[0]
  grouped  = (1 + 2) * 3
  names    = [for s in var.l : upper(s) if s != ""]
  by_key   = { for k, v in var.m : v => k... }
  plain    = { for v in var.l : v => v }
  merged   = merge(local.tags, { Name = "web-${var.env}", (local.k) = null, 1 = 2.5 }, var.x...)
  template = "%{ if var.on }on%{ else }off%{ endif } %{ for k, v in var.m }${k}%{ endfor }"
  heredoc  = <<-EOT
    hello ${var.name}
    EOT
  boolean  = true
  arn      = provider::aws::arn_parse(var.arn)

  lifecycle {
    ignore_changes = [tags]
  }
}
variable "x" { default = "\\u00e9" } // tagwarden:ignore r reason
"""


def node_names(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        found.add(value[0])
    if isinstance(value, (tuple, list)):
        for item in value:
            node_names(item, found)
    return found


def all_expressions(body: Any) -> list[Any]:
    expressions = [attribute.expr for attribute in body.attributes.values()]
    for block in body.blocks:
        expressions += all_expressions(block.body)
    return expressions


def test_the_sample_covers_every_node_type() -> None:
    names = node_names(all_expressions(parse_hcl(EVERY_NODE).body), set())
    assert names >= {
        "lit", "tpl", "tpl_if", "tpl_for", "var", "attr", "index", "splat", "call", "tuple", "object",
        "cond", "binop", "unop", "for_tuple", "for_object", "paren",
    }  # fmt: skip


def test_json_round_trip_is_exact() -> None:
    parsed = parse_hcl(EVERY_NODE)
    restored = from_json(to_json(parsed))
    assert restored == parsed
    assert restored.directives == {1: "# tagwarden:ignore missing-owner legacy", 25: "// tagwarden:ignore r reason"}
    assert isinstance(restored.body.blocks[0].body.attributes["merged"].expr, tuple)


def test_json_is_plain_json() -> None:
    document = json.loads(to_json(parse_hcl(EVERY_NODE)))
    assert document["format"] == cache_module.CACHE_FORMAT
    assert document["parser_version"] == cache_module.PARSER_VERSION


def test_get_or_parse_hits_the_cache_for_the_same_text(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    first = cache.get_or_parse(EVERY_NODE)
    second = ParseCache(tmp_path / "cache").get_or_parse(EVERY_NODE)
    assert first == second == parse_hcl(EVERY_NODE)
    assert (cache.hits, cache.misses) == (0, 1)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1


def test_different_text_or_parser_version_is_a_different_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ParseCache(tmp_path)
    assert cache.entry_path("x = 1\n") != cache.entry_path("x = 2\n")
    before = cache.entry_path("x = 1\n")
    monkeypatch.setattr(cache_module, "PARSER_VERSION", cache_module.PARSER_VERSION + 1)
    assert cache.entry_path("x = 1\n") != before


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"format": 1}',
        '{"format": 99, "parser_version": 1, "body": {"attributes": [], "blocks": []}, "directives": {}}',
        '{"format": 1, "parser_version": 1, "body": {"attributes": [["x", ["exec", "rm -rf /"], 1, 1, 0, 5]],'
        ' "blocks": []}, "directives": {}}',
        '{"format": 1, "parser_version": 1, "body": {"attributes": [["x", ["lit", {"a": 1}], 1, 1, 0, 5]],'
        ' "blocks": []}, "directives": {}}',
        '{"format": 1, "parser_version": 1, "body": {"attributes": [["x", ["lit", 1], "1", 1, 0, 5]],'
        ' "blocks": []}, "directives": {}}',
        "[" * 100_000,
    ],
)
def test_bad_entries_are_misses_and_get_rewritten(tmp_path: Path, content: str) -> None:
    cache = ParseCache(tmp_path)
    path = cache.entry_path("x = 1\n")
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    assert cache.get_or_parse("x = 1\n") == parse_hcl("x = 1\n")
    assert cache.misses == 1
    assert from_json(path.read_text(encoding="utf-8")) == parse_hcl("x = 1\n")


def test_from_json_rejects_what_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="unknown expression node"):
        from_json(
            '{"format": 1, "parser_version": 1, "body": {"attributes": [["x", ["eval", "1"], 1, 1, 0, 5]],'
            ' "blocks": []}, "directives": {}}'
        )


def test_syntax_errors_are_raised_and_not_cached(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    with pytest.raises(HclSyntaxError):
        cache.get_or_parse("x = {\n")
    assert list(tmp_path.rglob("*.json")) == []


def test_very_deep_trees_are_parsed_but_not_cached(tmp_path: Path) -> None:
    text = "x = " + " + ".join(["1"] * 20_000) + "\n"  # left-nested: 20,000 levels of binop
    cache = ParseCache(tmp_path)
    assert cache.get_or_parse(text).body.attributes["x"].expr[0] == "binop"
    assert list(tmp_path.rglob("*.json")) == []
