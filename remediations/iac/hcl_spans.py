"""Character spans inside a Terraform expression: object items, call arguments.

The parse tree (``iac_checks/terraform/hcl``) gives each attribute's span; the nodes inside an
expression carry none. This re-tokenizes one attribute with the same lexer and walks the tokens, so
that every span is a lexer offset, never a guess from text search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tagwarden.iac_checks.terraform.hcl.ir import Attribute
from tagwarden.iac_checks.terraform.hcl.lexer import (
    CLOSE_HEREDOC,
    CLOSE_QUOTE,
    DIRECTIVE,
    EOF,
    IDENT,
    INTERP,
    NEWLINE,
    OPEN_HEREDOC,
    OPEN_QUOTE,
    SEQUENCE_END,
    STRING,
    TEMPLATE_TEXT,
    tokenize,
)
from tagwarden.iac_checks.terraform.hcl.parser import _join_continuation_lines

_OPENERS = frozenset({"{", "(", "[", OPEN_QUOTE, INTERP, DIRECTIVE, OPEN_HEREDOC})
_CLOSERS = frozenset({"}", ")", "]", CLOSE_QUOTE, SEQUENCE_END, CLOSE_HEREDOC})
_TERMINATORS = frozenset({",", ")", "}", "]"})


@dataclass
class Node:
    """``kind``: object | call | string (a literal string) | other. ``start``/``end``: the span."""

    kind: str
    start: int
    end: int
    name: str = ""  # call: the function name; string: the literal text
    items: list[Item] = field(default_factory=list)  # object
    args: list[Node] = field(default_factory=list)  # call
    close: int = 0  # object / call: offset of the closing } or )


@dataclass
class Item:
    key: str | None  # None for a computed key
    key_start: int
    key_end: int
    separator: str  # "=" or ":"
    separator_start: int
    value: Node
    quoted_key: bool = False


class _Tokens:
    def __init__(self, text: str, offset: int) -> None:
        tokens = tokenize(text)
        # the parser's own rule: a line starting with `?`, `.`, an operator... continues the expression
        _join_continuation_lines(tokens)
        self.kinds = tokens.kinds
        self.values = tokens.values
        self.starts = [start + offset for start in tokens.starts]
        self.ends = [end + offset for end in tokens.ends]

    def matching(self, index: int) -> int:
        depth = 0
        while self.kinds[index] != EOF:
            kind = self.kinds[index]
            if kind in _OPENERS:
                depth += 1
            elif kind in _CLOSERS:
                depth -= 1
                if depth == 0:
                    return index
            index += 1
        return index

    def expression_end(self, index: int, newline_ends: bool) -> int:
        depth = 0
        while self.kinds[index] != EOF:
            kind = self.kinds[index]
            if depth == 0 and (kind in _TERMINATORS or (newline_ends and kind == NEWLINE)):
                return index
            if kind in _OPENERS:
                depth += 1
            elif kind in _CLOSERS:
                depth -= 1
            index += 1
        return index

    def skip(self, index: int, *kinds: str) -> int:
        while self.kinds[index] in kinds:
            index += 1
        return index


def attribute_value(text: str, attribute: Attribute) -> Node:
    """The expression of ``name = expr``, with spans in ``text``."""
    tokens = _Tokens(text[attribute.start : attribute.end], attribute.start)
    equals = tokens.kinds.index("=")
    first = tokens.skip(equals + 1, NEWLINE)
    last = len(tokens.kinds) - 1  # EOF
    return _node(tokens, first, last)


def _node(tokens: _Tokens, first: int, stop: int) -> Node:
    """The expression made of tokens ``first`` up to (not including) ``stop``."""
    last = stop - 1
    while last > first and tokens.kinds[last] == NEWLINE:
        last -= 1
    start, end = tokens.starts[first], tokens.ends[last]
    kind = tokens.kinds[first]
    if kind == "{" and tokens.matching(first) == last:
        inner = tokens.skip(first + 1, NEWLINE)
        if tokens.kinds[inner] == IDENT and tokens.values[inner] == "for":  # {for k, v in x : k => v}
            return Node("other", start, end)
        return _object(tokens, first, last)
    if kind == IDENT and tokens.kinds[first + 1] == "(" and tokens.matching(first + 1) == last:
        return _call(tokens, first, last)
    if first == last and kind == STRING:
        return Node("string", start, end, name=str(tokens.values[first]))
    if kind == OPEN_QUOTE and last == first + 2 and tokens.kinds[first + 1] == TEMPLATE_TEXT:
        return Node("string", start, end, name=str(tokens.values[first + 1]))
    if kind == OPEN_QUOTE and last == first + 1:
        return Node("string", start, end, name="")
    return Node("other", start, end)


def _object(tokens: _Tokens, open_index: int, close_index: int) -> Node:
    node = Node("object", tokens.starts[open_index], tokens.ends[close_index], close=tokens.starts[close_index])
    index = open_index + 1
    while True:
        index = tokens.skip(index, NEWLINE, ",")
        if index >= close_index:
            return node
        separator = index
        while separator < close_index and tokens.kinds[separator] not in ("=", ":"):
            separator = tokens.matching(separator) + 1 if tokens.kinds[separator] in _OPENERS else separator + 1
        if separator >= close_index:
            return node
        key, quoted = _key_text(tokens, index, separator)
        value_first = tokens.skip(separator + 1, NEWLINE)
        value_stop = tokens.expression_end(value_first, newline_ends=True)
        node.items.append(
            Item(
                key=key,
                key_start=tokens.starts[index],
                key_end=tokens.ends[separator - 1],
                separator=tokens.kinds[separator],
                separator_start=tokens.starts[separator],
                value=_node(tokens, value_first, value_stop),
                quoted_key=quoted,
            )
        )
        index = value_stop


def _key_text(tokens: _Tokens, first: int, stop: int) -> tuple[str | None, bool]:
    kinds = tokens.kinds[first:stop]
    if kinds == [IDENT]:
        return str(tokens.values[first]), False
    if kinds == [STRING]:
        return str(tokens.values[first]), True
    if kinds == [OPEN_QUOTE, TEMPLATE_TEXT, CLOSE_QUOTE]:
        return str(tokens.values[first + 1]), True
    return None, False


def _call(tokens: _Tokens, name_index: int, close_index: int) -> Node:
    node = Node(
        "call",
        tokens.starts[name_index],
        tokens.ends[close_index],
        name=str(tokens.values[name_index]),
        close=tokens.starts[close_index],
    )
    index = name_index + 2
    while True:
        index = tokens.skip(index, NEWLINE)
        if index >= close_index:
            return node
        stop = tokens.expression_end(index, newline_ends=False)
        node.args.append(_node(tokens, index, stop))
        index = stop + 1 if tokens.kinds[stop] == "," else stop
