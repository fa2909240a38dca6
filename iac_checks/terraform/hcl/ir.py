"""The parsed form of an HCL file: bodies, blocks, attributes and expression trees.

Expressions are nested tuples whose first item names the node, so that the tree is cheap to build,
to compare in tests and to store in the parse cache as JSON (tuples come back as lists; every
consumer indexes, never compares to a tuple):

    ("lit", value)                         str | int | float | bool | None
    ("tpl", parts)                         string template; parts are str or expression nodes
    ("tpl_if", cond, then_parts, else_parts)          a %{ if } directive inside a template
    ("tpl_for", key_var, val_var, coll, parts)        a %{ for } directive (key_var may be None)
    ("var", name)                          a root name: var, local, each, count, module, data, ...
    ("attr", expr, name)                   expr.name
    ("index", expr, key_expr)              expr[key]  (and the legacy expr.0 form)
    ("splat", expr, ops)                   expr[*].a.b / expr.*.a; ops are ("attr", name) or
                                           ("index", key_expr) applied to each element
    ("call", name, args, expand)           name(args...) ; expand is True for a trailing `...`
    ("tuple", items)
    ("object", [(key_expr, value_expr), ...])   a bare identifier key is ("lit", "name")
    ("cond", cond, if_true, if_false)
    ("binop", op, left, right)             op is the HCL operator text: + - * / % == != < > <= >= && ||
    ("unop", op, operand)                  op is "-" or "!"
    ("for_tuple", key_var, val_var, coll, value, cond)
    ("for_object", key_var, val_var, coll, key, value, grouping, cond)
    ("paren", expr)                        parenthesised (kept: an object key in parens is evaluated)

Details the parser (parser.py) guarantees:
- A quoted string or heredoc without interpolations or directives is ("lit", text), escapes
  resolved; anything else is ("tpl", parts). "${x}" alone stays ("tpl", [x]), as in HCL, where a
  lone interpolation is not converted to a string. In parts, adjacent text is joined and empty
  text dropped; then_parts, else_parts and a tpl_for's parts are lists of the same kind (else_parts
  is [] without %{ else }). Numbers are int when written with digits only, else float. -1 is
  ("unop", "-", ("lit", 1)).
- A splat op may also be ("splat", ops): a nested splat (a[*].b[*].c), applied to each element's
  value at that point. After a[*], every later step is an op; after a.*, only .name/.0 steps are
  ops, and a following [key] indexes the splat's result.
- Object keys written as a bare name, including true/false/null, are ("lit", "name"); a quoted
  key is ("lit", text); other keys are the expression as written (("paren", ...), ("call", ...)).
- cond of for_tuple/for_object is None without `if`; grouping is True for `...`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Expr = tuple[Any, ...]


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int
    start: int  # character offset of the name
    end: int  # character offset just past the expression


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: Body
    line: int
    end_line: int
    start: int  # character offset of the block type
    end: int  # character offset just past the closing brace


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, block_type: str) -> list[Block]:
        return [block for block in self.blocks if block.type == block_type]


@dataclass(slots=True)
class HclFile:
    body: Body
    # line number -> text of each comment that mentions "tagwarden:" (suppressions)
    directives: dict[int, str] = field(default_factory=dict)


class HclSyntaxError(ValueError):
    """The text is not valid HCL. ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column
