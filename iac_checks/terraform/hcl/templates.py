"""Turn the flat pieces of a quoted string or heredoc into its expression tree.

The parser reads a template as a flat list of pieces: text, or a tuple whose first item names it
and whose last item is the index of its ``${`` / ``%{`` token (for error positions):

    ("interp", expr, token)   ("if", cond, token)   ("else", token)   ("endif", token)
    ("for", key_var, value_var, coll, token)        ("endfor", token)

The order of the steps follows hclsyntax: ``~`` strip markers act on the raw text pieces while
reading (in the parser), then ``<<-`` indentation is removed from line-leading text, then adjacent
text is joined and the directives are nested.
"""

from __future__ import annotations

from typing import Any, Protocol

from .ir import Expr, HclSyntaxError

_CLOSERS = {"if": ("else", "endif"), "else": ("endif",), "for": ("endfor",)}


class ErrorReporter(Protocol):
    def error(self, message: str, index: int) -> HclSyntaxError: ...

    def opened_at(self, index: int) -> int: ...


def template_expression(pieces: list[Any], flush: bool, max_nesting: int, report: ErrorReporter) -> Expr:
    """("lit", text) for a template without sequences, else ("tpl", parts)."""
    if flush:
        strip_heredoc_indent(pieces)
    parts = nest_directives(join_text(pieces), max_nesting, report)
    if not parts:
        return ("lit", "")
    if len(parts) == 1 and isinstance(parts[0], str):
        return ("lit", parts[0])
    return ("tpl", parts)


def strip_heredoc_indent(pieces: list[Any]) -> None:
    """``<<-``: remove the smallest indentation of the non-blank lines from every line.

    Each line's text arrives as its own piece. A line that starts with an interpolation or a
    directive counts as not indented; lines holding only whitespace do not count.
    """
    smallest: int | None = None
    line_starts: list[int] = []
    at_line_start = True
    for index, piece in enumerate(pieces):
        is_text = isinstance(piece, str)
        if at_line_start:
            at_line_start = False
            if not is_text:
                smallest = 0
            else:
                content = piece.lstrip()
                if content or not piece.endswith("\n"):
                    indent = len(piece) - len(content)
                    smallest = indent if smallest is None else min(smallest, indent)
                    line_starts.append(index)
        if is_text and piece.endswith("\n"):
            at_line_start = True
    if smallest:
        for index in line_starts:
            pieces[index] = pieces[index][smallest:]


def join_text(pieces: list[Any]) -> list[Any]:
    """Join adjacent text pieces and drop empty ones."""
    joined: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str):
            if not piece:
                continue
            if joined and isinstance(joined[-1], str):
                joined[-1] += piece
                continue
        joined.append(piece)
    return joined


class _OpenDirective:
    """An %{ if } or %{ for } whose end has not been reached yet."""

    __slots__ = ("node", "opener", "outer_parts")

    def __init__(self, opener: tuple[Any, ...], node: list[Any], outer_parts: list[Any]) -> None:
        self.opener = opener  # the piece that opened it, or the %{ else } once reached
        self.node = node  # ["tpl_if", cond, then_parts, else_parts] or ["tpl_for", k, v, coll, parts]
        self.outer_parts = outer_parts


def nest_directives(pieces: list[Any], max_nesting: int, report: ErrorReporter) -> list[Any]:
    """Build tpl_if / tpl_for nodes from the flat pieces (iteratively: nesting is unbounded)."""
    parts: list[Any] = []
    open_directives: list[_OpenDirective] = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(piece)
            continue
        name = piece[0]
        if name == "interp":
            parts.append(piece[1])
        elif name == "if" or name == "for":
            if len(open_directives) >= max_nesting:
                raise report.error(f"template directives nested more than {max_nesting} levels deep", piece[-1])
            node = ["tpl_if", piece[1], [], []] if name == "if" else ["tpl_for", piece[1], piece[2], piece[3], []]
            open_directives.append(_OpenDirective(piece, node, parts))
            parts = node[2] if name == "if" else node[4]
        else:
            innermost = open_directives[-1] if open_directives else None
            _check_closes(piece, innermost.opener if innermost else None, report)
            assert innermost is not None
            if name == "else":
                innermost.opener = piece
                parts = innermost.node[3]
                continue
            open_directives.pop()
            parts = innermost.outer_parts
            parts.append(tuple(innermost.node))
    if open_directives:
        opener = open_directives[-1].opener
        expected = "endif" if opener[0] in ("if", "else") else "endfor"
        raise report.error(
            f"'%{{ {opener[0]} }}' at line {report.opened_at(opener[-1])} has no matching '%{{ {expected} }}'",
            opener[-1],
        )
    return parts


def _check_closes(closer: tuple[Any, ...], opener: tuple[Any, ...] | None, report: ErrorReporter) -> None:
    name = closer[0]
    if opener is None or name not in _CLOSERS[opener[0]]:
        context = "" if opener is None else f" inside the '%{{ {opener[0]} }}' at line {report.opened_at(opener[-1])}"
        raise report.error(f"unexpected '%{{ {name} }}'{context}", closer[-1])
