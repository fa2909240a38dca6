"""Recursive-descent parser for HCL native syntax (Terraform ``.tf`` files).

``parse_hcl(text)`` returns the tree described in ``ir.py`` or raises ``HclSyntaxError`` with the
line and column of the first problem. It follows HashiCorp's hclsyntax implementation, which is
what Terraform runs:

- newlines end attributes and block headers, and separate the items of an object constructor;
- newlines are ignored inside ( ), [ ], ${ }, %{ } and anywhere in a ``for`` expression, so that
  an argument list, a tuple or a parenthesised expression can be split over lines at any token;
- a ``#`` or ``//`` comment counts as a newline, a ``/* */`` comment as a space.

So ``x = (a\\n ? b\\n : c)`` and ``x = [module.m\\n .out]`` are valid, while the same continuation
lines directly in an attribute (``x = a\\n ? b : c``) are not: Terraform rejects them too.
"""

from __future__ import annotations

from typing import Any

from .ir import Attribute, Block, Body, Expr, HclFile, HclSyntaxError
from .lexer import (
    CLOSE_HEREDOC,
    CLOSE_QUOTE,
    DIRECTIVE,
    EOF,
    IDENT,
    INTERP,
    NEWLINE,
    NUMBER,
    OPEN_HEREDOC,
    OPEN_QUOTE,
    PUNCTUATION_KINDS,
    SEQUENCE_END,
    STRING,
    TEMPLATE_TEXT,
    LineIndex,
    Tokens,
    tokenize,
)
from .templates import template_expression

__all__ = ["MAX_NESTING", "PARSER_VERSION", "HclSyntaxError", "parse_hcl"]

# Bump when the produced tree changes for some input, so that cached parse results are not reused.
PARSER_VERSION = 1

# Brackets, templates, unary operators and blocks nested deeper than this are rejected with a clear
# error before Python's own recursion limit is reached (real configurations stay far below).
MAX_NESTING = 50

BINARY_PRECEDENCE: dict[str, int] = {
    "||": 1,
    "&&": 2,
    "==": 3, "!=": 3,
    ">": 4, ">=": 4, "<": 4, "<=": 4,
    "+": 5, "-": 5,
    "*": 6, "/": 6, "%": 6,
}  # fmt: skip

_TRUE: Expr = ("lit", True)
_FALSE: Expr = ("lit", False)
_NULL: Expr = ("lit", None)
_KEYWORD_LITERALS = {"true": _TRUE, "false": _FALSE, "null": _NULL}
# A bare keyword used as an object key names the key, like any other bare identifier.
_KEYWORD_KEYS = {True: ("lit", "true"), False: ("lit", "false"), None: ("lit", "null")}


# A line that starts with one of these cannot start an attribute or a block, so the line break
# before it continues the expression. hclsyntax accepts this only inside brackets; real files have
# it at the top level of attributes too, and a checker gains nothing by rejecting them.
_CONTINUATION_STARTS = frozenset(
    PUNCTUATION_KINDS[text] for text in (".", "?", ":", "&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "*", "/",
                                         "%", "=>")
)
_OPEN_PAREN = PUNCTUATION_KINDS["("]
_OPEN_BRACE, _CLOSE_BRACE = PUNCTUATION_KINDS["{"], PUNCTUATION_KINDS["}"]
_LABEL_KINDS = frozenset({IDENT, STRING, OPEN_QUOTE, TEMPLATE_TEXT, CLOSE_QUOTE})
_LINE_STARTS = frozenset({NEWLINE, PUNCTUATION_KINDS["{"], PUNCTUATION_KINDS["}"]})


def _opens_block(kinds: list[str], brace: int) -> bool:
    """A block's "{" ends a line-initial run of a type and labels (``resource "a" "b" {``)."""
    index = brace - 1
    while index >= 0 and kinds[index] in _LABEL_KINDS:
        index -= 1
    return index < brace - 1 and (index < 0 or kinds[index] in _LINE_STARTS)


def _join_continuation_lines(tokens: Tokens) -> None:
    kinds = tokens.kinds
    drop: list[int] = []
    in_object = [False]  # per open brace: an object constructor (True) or a block body (False)
    index = 0
    while index < len(kinds):
        kind = kinds[index]
        if kind is _OPEN_BRACE:
            in_object.append(not _opens_block(kinds, index))
        elif kind is _CLOSE_BRACE and len(in_object) > 1:
            in_object.pop()
        if kind is not NEWLINE:
            index += 1
            continue
        after = index
        while kinds[after] is NEWLINE:
            after += 1
        follower = kinds[after]
        # In an object, "(" may start a parenthesised key; in a body nothing starts with "(".
        call_continues = follower is _OPEN_PAREN and kinds[index - 1] is IDENT and not in_object[-1]
        if follower in _CONTINUATION_STARTS or call_continues:
            drop.extend(range(index, after))
        index = after
    if drop:
        _remove_tokens(tokens, set(drop))


def _remove_tokens(tokens: Tokens, drop: set[int]) -> None:
    keep = [index for index in range(len(tokens.kinds)) if index not in drop]
    tokens.kinds[:] = [tokens.kinds[index] for index in keep]
    tokens.values[:] = [tokens.values[index] for index in keep]
    tokens.starts[:] = [tokens.starts[index] for index in keep]
    tokens.ends[:] = [tokens.ends[index] for index in keep]


def parse_hcl(text: str) -> HclFile:
    """Parse the text of a ``.tf`` file."""
    tokens = tokenize(text)
    _join_continuation_lines(tokens)
    parser = _Parser(tokens)
    try:
        body = parser.parse_file()
    except RecursionError:
        raise parser.error("expression nested too deeply", parser.pos) from None
    return HclFile(body=body, directives=parser.directives())


class _Parser:
    __slots__ = (
        "depth",
        "ends",
        "kinds",
        "line_of",
        "lines",
        "pos",
        "skip_newlines",
        "starts",
        "tokens",
        "values",
    )

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.kinds = tokens.kinds
        self.values = tokens.values
        self.starts = tokens.starts
        self.ends = tokens.ends
        self.pos = 0
        # False where newlines are significant (bodies, object constructors); True inside
        # brackets, parentheses, template sequences and for expressions.
        self.skip_newlines = False
        self.depth = 0
        self.lines = LineIndex(tokens.text)
        self.line_of = self.lines.line

    # -- positions and errors ----------------------------------------------------------------

    def error(self, message: str, index: int) -> HclSyntaxError:
        return self.error_at(message, self.starts[min(index, len(self.starts) - 1)])

    def error_at(self, message: str, offset: int) -> HclSyntaxError:
        return self.lines.error(message, offset)

    def describe(self, index: int) -> str:
        kind = self.kinds[index]
        value = self.values[index]
        if kind is IDENT:
            return f"'{value}'"
        if kind is NUMBER:
            return f"number {value}"
        if kind is STRING or kind is OPEN_QUOTE:
            return "a string"
        if kind is OPEN_HEREDOC:
            return "a heredoc"
        if kind in PUNCTUATION_KINDS:
            return f"'{kind}'"
        return kind

    def opened_at(self, index: int) -> int:
        return self.line_of(self.starts[index])

    def directives(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for offset, comment in self.tokens.directive_comments:
            line = self.line_of(offset)
            found[line] = f"{found[line]} {comment}" if line in found else comment
        return found

    # -- token helpers -----------------------------------------------------------------------

    def peek(self) -> str:
        """Kind of the next token, stepping over newlines where they are not significant."""
        kinds = self.kinds
        pos = self.pos
        kind = kinds[pos]
        if kind is NEWLINE and self.skip_newlines:
            pos += 1
            while kinds[pos] is NEWLINE:
                pos += 1
            self.pos = pos
            kind = kinds[pos]
        return kind

    def peek_keyword(self, keyword: str) -> bool:
        return self.peek() is IDENT and self.values[self.pos] == keyword

    def expect(self, kind: str, message: str) -> int:
        """Consume a token of ``kind`` or fail with ``message`` (", found X" is appended)."""
        if self.peek() != kind:
            raise self.error(f"{message}, found {self.describe(self.pos)}", self.pos)
        self.pos += 1
        return self.pos - 1

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nested more than {MAX_NESTING} levels deep", self.pos)

    # -- structure ---------------------------------------------------------------------------

    def parse_file(self) -> Body:
        return self.body(None)

    def body(self, open_brace: int | None) -> Body:
        """Attributes and blocks up to the closing brace at open_brace (or the end of the file)."""
        kinds = self.kinds
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        end_kind = EOF if open_brace is None else "}"
        while True:
            kind = kinds[self.pos]
            if kind is NEWLINE:
                self.pos += 1
                continue
            if kind == end_kind:
                return Body(attributes, blocks)
            if kind is not IDENT:
                raise self.unexpected_in_body(open_brace)
            following = kinds[self.pos + 1]
            if following == "=":
                attribute = self.attribute(single_line=False)
                self.add_attribute(attributes, attribute)
            elif following is STRING or following is IDENT or following == "{" or following is OPEN_QUOTE:
                blocks.append(self.block())
            else:
                raise self.error(
                    f"expected '=' or a block after '{self.values[self.pos]}', found {self.describe(self.pos + 1)}",
                    self.pos + 1,
                )

    def unexpected_in_body(self, open_brace: int | None) -> HclSyntaxError:
        kind = self.kinds[self.pos]
        if kind is EOF:
            assert open_brace is not None
            return self.error(f"expected '}}' to close block opened at line {self.opened_at(open_brace)}", self.pos)
        if kind == "}":
            return self.error("unexpected '}': no block is open here", self.pos)
        if kind is STRING or kind is OPEN_QUOTE:
            return self.error("attribute names and block types must not be quoted", self.pos)
        return self.error(f"expected an attribute or a block, found {self.describe(self.pos)}", self.pos)

    def add_attribute(self, attributes: dict[str, Attribute], attribute: Attribute) -> None:
        first = attributes.get(attribute.name)
        if first is not None:
            raise self.error_at(
                f"duplicate attribute '{attribute.name}': already set at line {first.line}", attribute.start
            )
        attributes[attribute.name] = attribute

    def attribute(self, single_line: bool) -> Attribute:
        name_index = self.pos
        self.pos += 2  # the name and "="
        expr = self.expression()
        end = self.ends[self.pos - 1]
        if not single_line:
            kind = self.kinds[self.pos]
            if kind is NEWLINE:
                self.pos += 1
            elif kind is not EOF:
                raise self.missing_newline_after_attribute(name_index)
        start = self.starts[name_index]
        return Attribute(self.values[name_index], expr, self.line_of(start), self.line_of(end - 1), start, end)

    def missing_newline_after_attribute(self, name_index: int) -> HclSyntaxError:
        name = self.values[name_index]
        if self.kinds[self.pos] == ",":
            return self.error(
                f"unexpected ',' after attribute '{name}': attributes are separated by newlines", self.pos
            )
        return self.error(f"expected a newline after the value of '{name}', found {self.describe(self.pos)}", self.pos)

    def block(self) -> Block:
        kinds = self.kinds
        values = self.values
        type_index = self.pos
        self.pos += 1
        labels: list[str] = []
        while True:
            kind = kinds[self.pos]
            if kind is STRING or kind is IDENT:
                labels.append(values[self.pos])
                self.pos += 1
            elif kind is OPEN_QUOTE:
                labels.append(self.quoted_label())
            elif kind == "{":
                break
            else:
                raise self.bad_block_header(type_index)
        open_brace = self.pos
        self.pos += 1
        self.nest()
        if kinds[self.pos] is NEWLINE or kinds[self.pos] is EOF or kinds[self.pos] == "}":
            body = self.body(open_brace)
        else:
            body = self.one_line_body(open_brace)
        self.depth -= 1
        close_brace = self.pos
        self.pos += 1
        kind = kinds[self.pos]
        if kind is NEWLINE:
            self.pos += 1
        elif kind is not EOF:
            raise self.error(
                f"expected a newline after the '}}' closing block '{values[type_index]}', "
                f"found {self.describe(self.pos)}",
                self.pos,
            )
        start = self.starts[type_index]
        end = self.ends[close_brace]
        return Block(values[type_index], labels, body, self.line_of(start), self.line_of(end - 1), start, end)

    def bad_block_header(self, type_index: int) -> HclSyntaxError:
        kind = self.kinds[self.pos]
        block_type = self.values[type_index]
        if kind is NEWLINE:
            return self.error(
                f"the '{{' of block '{block_type}' must be on the same line as its type and labels",
                self.pos,
            )
        return self.error(
            f"expected a block label or '{{' after '{block_type}', found {self.describe(self.pos)}", self.pos
        )

    def quoted_label(self) -> str:
        """A block label written with escapes; template sequences are not allowed in labels."""
        open_quote = self.pos
        self.pos += 1
        text: list[str] = []
        while self.kinds[self.pos] is TEMPLATE_TEXT:
            text.append(self.values[self.pos])
            self.pos += 1
        if self.kinds[self.pos] is not CLOSE_QUOTE:
            raise self.error(
                "block labels must be plain strings: '${' and '%{' are not allowed (write $${ or %%{)",
                self.pos if self.pos > open_quote else open_quote,
            )
        self.pos += 1
        return "".join(text)

    def one_line_body(self, open_brace: int) -> Body:
        """``label { name = value }``: a single attribute and the closing brace on the same line."""
        kinds = self.kinds
        if kinds[self.pos] is not IDENT or kinds[self.pos + 1] != "=":
            raise self.error(
                "a block written on one line can only contain a single attribute; "
                "put nested blocks and further attributes on lines of their own",
                self.pos,
            )
        attribute = self.attribute(single_line=True)
        kind = kinds[self.pos]
        if kind == "}":
            return Body({attribute.name: attribute}, [])
        if kind == ",":
            message = "a block written on one line can only contain a single attribute"
        elif kind is NEWLINE:
            message = "a block with an attribute on its first line must be closed on that line"
        elif kind is EOF:
            message = f"expected '}}' to close block opened at line {self.opened_at(open_brace)}"
        else:
            message = f"expected '}}' after the value of '{attribute.name}', found {self.describe(self.pos)}"
        raise self.error(message, self.pos)

    # -- expressions -------------------------------------------------------------------------

    def expression(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"expression nested more than {MAX_NESTING} levels deep", self.pos)
        condition = self.binary(1)
        if self.peek() == "?":
            self.pos += 1
            if_true = self.expression()
            self.expect(":", "expected ':' after the true result of the conditional expression")
            if_false = self.expression()
            condition = ("cond", condition, if_true, if_false)
        self.depth -= 1
        return condition

    def binary(self, min_precedence: int) -> Expr:
        left = self.operand()
        while True:
            operator = self.peek()
            precedence = BINARY_PRECEDENCE.get(operator)
            if precedence is None or precedence < min_precedence:
                return left
            self.pos += 1
            right = self.binary(precedence + 1)
            left = ("binop", operator, left, right)

    def operand(self) -> Expr:
        """A term with its attribute/index/splat traversals, or a unary operator applied to one."""
        kind = self.peek()
        if kind == "-" or kind == "!":
            self.pos += 1
            self.nest()
            operand = self.operand()
            self.depth -= 1
            return ("unop", kind, operand)
        return self.traversals(self.term(kind))

    def term(self, kind: str) -> Expr:
        index = self.pos
        if kind is IDENT:
            self.pos += 1
            following = self.peek()
            if following == "(" or following == "::":
                return self.call(index)
            name = self.values[index]
            keyword = _KEYWORD_LITERALS.get(name)
            return keyword if keyword is not None else ("var", name)
        if kind is STRING:
            self.pos += 1
            return ("lit", self.values[index])
        if kind is NUMBER:
            self.pos += 1
            return ("lit", self.number(index))
        if kind is OPEN_QUOTE:
            return self.quoted_template()
        if kind == "{":
            return self.object_or_for()
        if kind == "[":
            return self.tuple_or_for()
        if kind == "(":
            return self.parenthesised()
        if kind is OPEN_HEREDOC:
            self.pos += 1
            return self.template(CLOSE_HEREDOC, flush=self.values[index][1])
        raise self.error(f"expected an expression, found {self.describe(index)}", index)

    def number(self, index: int) -> int | float:
        text = self.values[index]
        if text.isdigit():
            return int(text)
        try:
            return float(text)
        except ValueError:
            raise self.error(f"invalid number {text}", index) from None

    def parenthesised(self) -> Expr:
        open_paren = self.pos
        self.pos += 1
        outer, self.skip_newlines = self.skip_newlines, True
        inner = self.expression()
        self.close(")", open_paren, "parenthesis")
        self.skip_newlines = outer
        return ("paren", inner)

    def close(self, kind: str, opener: int, what: str) -> None:
        """Consume the closing token of a bracketed construct, or explain what went wrong."""
        if self.peek() == kind:
            self.pos += 1
            return
        raise self.error(
            f"expected '{kind}' to close the {what} opened at line {self.opened_at(opener)}, "
            f"found {self.describe(self.pos)}",
            self.pos,
        )

    def traversals(self, expr: Expr) -> Expr:
        """Apply .name, .0, [key], [*] and .* steps following a term."""
        while True:
            kind = self.peek()
            if kind == ".":
                self.pos += 1
                kind = self.peek()
                if kind is IDENT:
                    expr = ("attr", expr, self.values[self.pos])
                    self.pos += 1
                elif kind is NUMBER:
                    expr = ("index", expr, ("lit", self.legacy_index()))
                elif kind == "*":
                    self.pos += 1
                    expr = ("splat", expr, self.attribute_splat_ops())
                else:
                    raise self.error(f"expected an attribute name after '.', found {self.describe(self.pos)}", self.pos)
            elif kind == "[":
                splat_ops = self.bracket_step()
                if isinstance(splat_ops, list):
                    return ("splat", expr, splat_ops)
                expr = ("index", expr, splat_ops)
            else:
                return expr

    def bracket_step(self) -> Expr | list[Expr]:
        """After '[': the key of an index step, or the ops of a [*] splat (which take the rest)."""
        open_bracket = self.pos
        self.pos += 1
        outer, self.skip_newlines = self.skip_newlines, True
        if self.peek() == "*":
            self.pos += 1
            self.close("]", open_bracket, "splat '[*'")
            self.skip_newlines = outer
            self.nest()
            ops = self.splat_ops()
            self.depth -= 1
            return ops
        key = self.expression()
        self.close("]", open_bracket, "index")
        self.skip_newlines = outer
        return key

    def splat_ops(self) -> list[Expr]:
        """The steps applied to each element after [*]; a nested splat is a ("splat", ops) step."""
        ops: list[Expr] = []
        while True:
            kind = self.peek()
            if kind == ".":
                self.pos += 1
                kind = self.peek()
                if kind is IDENT:
                    ops.append(("attr", self.values[self.pos]))
                    self.pos += 1
                elif kind is NUMBER:
                    ops.append(("index", ("lit", self.legacy_index())))
                elif kind == "*":
                    self.pos += 1
                    ops.append(("splat", self.attribute_splat_ops()))
                else:
                    raise self.error(f"expected an attribute name after '.', found {self.describe(self.pos)}", self.pos)
            elif kind == "[":
                step = self.bracket_step()
                if isinstance(step, list):
                    ops.append(("splat", step))
                    return ops
                ops.append(("index", step))
            else:
                return ops

    def attribute_splat_ops(self) -> list[Expr]:
        """The .name / .0 steps after a legacy ``.*`` splat (it cannot take [ ] steps)."""
        ops: list[Expr] = []
        while self.peek() == ".":
            self.pos += 1
            kind = self.peek()
            if kind is IDENT:
                ops.append(("attr", self.values[self.pos]))
                self.pos += 1
            elif kind is NUMBER:
                ops.append(("index", ("lit", self.legacy_index())))
            elif kind == "*":
                raise self.error("a '.*' splat cannot contain another splat; use [*] instead", self.pos)
            else:
                raise self.error(f"expected an attribute name after '.', found {self.describe(self.pos)}", self.pos)
        return ops

    def legacy_index(self) -> int:
        """``list.0``: the old index syntax; ``list.0.1`` lexes as the number 0.1 and is rejected."""
        index = self.pos
        text = self.values[index]
        if not text.isdigit():
            raise self.error(f"invalid index '.{text}': write [{text.replace('.', '][')}] instead", index)
        self.pos += 1
        return int(text)

    def call(self, name_index: int) -> Expr:
        values = self.values
        name = values[name_index]
        while self.peek() == "::":
            self.pos += 1
            if self.peek() is not IDENT:
                raise self.error(
                    f"expected a function name after '{name}::', found {self.describe(self.pos)}", self.pos
                )
            name = f"{name}::{values[self.pos]}"
            self.pos += 1
        open_paren = self.expect("(", f"expected '(' after the function name '{name}'")
        outer, self.skip_newlines = self.skip_newlines, True
        args: list[Expr] = []
        expand = False
        while self.peek() != ")":
            args.append(self.expression())
            kind = self.peek()
            if kind == ",":
                self.pos += 1
            elif kind == "...":
                self.pos += 1
                expand = True
                if self.peek() != ")":
                    raise self.error(f"'...' must be followed by ')' in the call to {name}", self.pos)
            elif kind != ")":
                raise self.error(
                    f"expected ',' or ')' to close the call to {name} opened at line "
                    f"{self.opened_at(open_paren)}, found {self.describe(self.pos)}",
                    self.pos,
                )
        self.pos += 1
        self.skip_newlines = outer
        return ("call", name, args, expand)

    def tuple_or_for(self) -> Expr:
        open_bracket = self.pos
        self.pos += 1
        outer, self.skip_newlines = self.skip_newlines, True
        if self.peek_keyword("for"):
            result = self.for_expression(open_bracket, "]")
        else:
            items: list[Expr] = []
            while self.peek() != "]":
                items.append(self.expression())
                kind = self.peek()
                if kind == ",":
                    self.pos += 1
                elif kind != "]":
                    raise self.error(
                        f"expected ',' or ']' to close the list opened at line {self.opened_at(open_bracket)}, "
                        f"found {self.describe(self.pos)}",
                        self.pos,
                    )
            self.pos += 1
            result = ("tuple", items)
        self.skip_newlines = outer
        return result

    def object_or_for(self) -> Expr:
        open_brace = self.pos
        self.pos += 1
        outer, self.skip_newlines = self.skip_newlines, True
        if self.peek_keyword("for"):
            result = self.for_expression(open_brace, "}")
        else:
            self.skip_newlines = False
            result = self.object_items(open_brace)
        self.skip_newlines = outer
        return result

    def object_items(self, open_brace: int) -> Expr:
        """``{ key = value, ... }``: items end at a comma or a newline."""
        kinds = self.kinds
        items: list[tuple[Expr, Expr]] = []
        while True:
            kind = kinds[self.pos]
            if kind is NEWLINE:
                self.pos += 1
                continue
            if kind == "}":
                self.pos += 1
                return ("object", items)
            if kind is EOF:
                raise self.unclosed_object(open_brace)
            key = self.object_key()
            kind = kinds[self.pos]
            if kind != "=" and kind != ":":
                raise self.error(f"expected '=' after the object key, found {self.describe(self.pos)}", self.pos)
            self.pos += 1
            items.append((key, self.expression()))
            kind = kinds[self.pos]
            if kind == "," or kind is NEWLINE:
                self.pos += 1
            elif kind != "}":
                if kind is EOF:
                    raise self.unclosed_object(open_brace)
                raise self.error(
                    f"expected ',' or a newline between object items, found {self.describe(self.pos)}", self.pos
                )

    def unclosed_object(self, open_brace: int) -> HclSyntaxError:
        return self.error(f"expected '}}' to close the object opened at line {self.opened_at(open_brace)}", self.pos)

    def object_key(self) -> Expr:
        """A bare name (or true/false/null) is the key itself; anything else is evaluated."""
        key = self.expression()
        if key[0] == "var":
            return ("lit", key[1])
        if key is _TRUE or key is _FALSE or key is _NULL:
            return _KEYWORD_KEYS[key[1]]
        return key

    def for_expression(self, opener: int, close_kind: str) -> Expr:
        """``[for k, v in coll : value if cond]`` or ``{for k, v in coll : key => value... if cond}``."""
        self.pos += 1  # "for"
        key_var, value_var = self.for_variables("'for'")
        collection = self.expression()
        self.expect(":", "expected ':' after the collection of the 'for' expression")
        value = self.expression()
        key = None
        if self.peek() == "=>":
            self.pos += 1
            key, value = value, self.expression()
        grouping = False
        grouping_at = 0
        if self.peek() == "...":
            grouping = True
            grouping_at = self.pos
            self.pos += 1
        condition = None
        if self.peek_keyword("if"):
            self.pos += 1
            condition = self.expression()
        if self.peek() != close_kind:
            what = "object" if close_kind == "}" else "list"
            raise self.error(
                f"expected '{close_kind}' to close the 'for' {what} opened at line {self.opened_at(opener)}, "
                f"found {self.describe(self.pos)}",
                self.pos,
            )
        self.pos += 1
        if close_kind == "]":
            if key is not None:
                raise self.error("a '[for ...]' list cannot have a key ('=>'); use '{for ...}'", opener)
            if grouping:
                raise self.error("'...' grouping is only allowed in a '{for ...}' object", grouping_at)
            return ("for_tuple", key_var, value_var, collection, value, condition)
        if key is None:
            raise self.error("a '{for ...}' object needs a key: '{for k, v in m : k => v}'", opener)
        return ("for_object", key_var, value_var, collection, key, value, grouping, condition)

    def for_variables(self, what: str) -> tuple[str | None, str]:
        """``k, v in`` or ``v in``; returns (key variable or None, value variable)."""
        first = self.expect(IDENT, f"expected a variable name after {what}")
        key_var = None
        value_var = self.values[first]
        if self.peek() == ",":
            self.pos += 1
            key_var = value_var
            value_var = self.values[self.expect(IDENT, "expected a second variable name after ','")]
        if not self.peek_keyword("in"):
            raise self.error(f"expected 'in' after the variable names, found {self.describe(self.pos)}", self.pos)
        self.pos += 1
        return key_var, value_var

    # -- templates ---------------------------------------------------------------------------

    def quoted_template(self) -> Expr:
        kinds = self.kinds
        pos = self.pos
        if kinds[pos + 1] is TEMPLATE_TEXT and kinds[pos + 2] is CLOSE_QUOTE:
            self.pos = pos + 3
            return ("lit", self.values[pos + 1])
        self.pos = pos + 1
        return self.template(CLOSE_QUOTE, flush=False)

    def template(self, close_kind: str, flush: bool) -> Expr:
        """A quoted string or heredoc, its opener consumed, up to close_kind (see templates.py).

        ~ strip markers act here on the raw text piece next to the marker, as in hclsyntax.
        """
        kinds = self.kinds
        values = self.values
        pieces: list[Any] = []  # text, or (directive, ...) tuples with the token index last
        strip_next = False
        can_strip_previous = False
        while True:
            index = self.pos
            kind = kinds[index]
            if kind is close_kind:
                self.pos += 1
                break
            strip, strip_next = strip_next, False
            can_strip, can_strip_previous = can_strip_previous, False
            if kind is TEMPLATE_TEXT:
                text = values[index]
                pieces.append(text.lstrip() if strip else text)
                can_strip_previous = True
                self.pos += 1
                continue
            if kind is not INTERP and kind is not DIRECTIVE:
                raise self.error(f"unexpected {self.describe(index)} in a string", index)
            if values[index] and can_strip:
                pieces[-1] = pieces[-1].rstrip()
            self.pos += 1
            outer, self.skip_newlines = self.skip_newlines, True
            pieces.append(("interp", self.expression(), index) if kind is INTERP else self.directive(index))
            if self.peek() is not SEQUENCE_END:
                raise self.error(
                    f"expected '}}' to close the '{kind}' opened at line {self.opened_at(index)}, "
                    f"found {self.describe(self.pos)}",
                    self.pos,
                )
            strip_next = values[self.pos]
            self.pos += 1
            self.skip_newlines = outer
        return template_expression(pieces, flush, MAX_NESTING, self)

    def directive(self, open_index: int) -> tuple[Any, ...]:
        """The inside of ``%{ ... }``: if COND, else, endif, for K, V in COLL, endfor."""
        keyword_index = self.expect(IDENT, "expected 'if', 'for', 'else', 'endif' or 'endfor' after '%{'")
        keyword = self.values[keyword_index]
        if keyword == "if":
            return ("if", self.expression(), open_index)
        if keyword == "for":
            key_var, value_var = self.for_variables("'%{ for'")
            return ("for", key_var, value_var, self.expression(), open_index)
        if keyword in ("else", "endif", "endfor"):
            return (keyword, open_index)
        raise self.error(
            f"unknown template directive '{keyword}': expected if, for, else, endif or endfor", keyword_index
        )
