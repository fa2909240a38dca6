"""Tokenizer for HCL native syntax.

The lexer turns the whole text into four parallel lists (kind, value, start offset, end offset) so
that the parser can look ahead by index without allocating a token object per token. Kinds are
strings: punctuation is its own text ("{", "==", "..."), everything else is one of the constants
below, whose text doubles as a description in error messages.

Three modes, switched with an explicit stack (no recursion):
- expression mode: one compiled master regex, matched at a position in a loop;
- quoted-template mode, entered at '"';
- heredoc-template mode, entered at ``<<EOF`` / ``<<-EOF``.
``${`` and ``%{`` inside a template switch back to expression mode until the matching ``}``
(brace depth is tracked so that object constructors inside interpolations work).

Newlines: a newline, and a ``#`` or ``//`` comment that ends with one, produce a NEWLINE token;
whether it matters is the parser's decision. ``/* */`` comments vanish.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from .ir import HclSyntaxError

NEWLINE = "newline"
EOF = "end of file"
IDENT = "identifier"
NUMBER = "number"
STRING = "string"  # a quoted string with no template sequences and no escapes: value is the text
OPEN_QUOTE = "opening quote"  # a quoted template; value None
CLOSE_QUOTE = "closing quote"
TEMPLATE_TEXT = "template text"  # literal text inside a template; value is the decoded text
INTERP = "${"  # value: True when written ${~ (strip whitespace before)
DIRECTIVE = "%{"  # value: True when written %{~
OPEN_HEREDOC = "heredoc"  # value: (marker, flush) where flush is True for <<-
CLOSE_HEREDOC = "end of heredoc"

# Closes ${ or %{ ; value: True when written ~} (strip whitespace after). Not the "}" punctuation
# kind, so that the parser never takes it for the end of an object or block.
SEQUENCE_END = "end of template sequence"

_PUNCTUATION = (
    "==", "!=", ">=", "<=", "&&", "||", "::", "...", "=>", "~}",
    "[", "]", "(", ")", ".", ",", "*", "/", "%", "+", "-", "=", "<", ">", "!", "?", ":",
)  # fmt: skip
# Canonical string objects for punctuation kinds, so every token of one kind shares one object.
PUNCTUATION_KINDS: dict[str, str] = {text: text for text in (*_PUNCTUATION, "{", "}")}

_EXPRESSION_TOKEN = re.compile(
    r"""
    [ \t]*
    (?:
        (?P<ident>[^\W\d][\w-]*)
      | <<(?P<heredoc_flush>-?)(?P<heredoc_marker>[^\W\d][\w-]*)\r?\n
      | (?P<punct>==|!=|>=|<=|&&|\|\||::|\.\.\.|=>|~\}|[\[\]().,*%+\-=<>!?:])
      | (?P<newline>\r?\n)
      | "(?P<plain_string>[^"\\$%\r\n]*)"
      | (?P<quote>")
      | (?P<open_brace>\{)
      | (?P<close_brace>\})
      | (?P<number>[0-9]+(?:\.[0-9]+)*(?:[eE][+-]?[0-9]+)?)
      | (?P<line_comment>(?:\#|//)[^\n]*\n?)
      | (?P<block_comment>/\*.*?\*/)
      | (?P<unclosed_comment>/\*)
      | (?P<slash>/)
      | (?P<eof>\Z)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_GROUP_NUMBER = _EXPRESSION_TOKEN.groupindex
_G_IDENT = _GROUP_NUMBER["ident"]
_G_PUNCT = _GROUP_NUMBER["punct"]
_G_NEWLINE = _GROUP_NUMBER["newline"]
_G_PLAIN_STRING = _GROUP_NUMBER["plain_string"]
_G_QUOTE = _GROUP_NUMBER["quote"]
_G_OPEN_BRACE = _GROUP_NUMBER["open_brace"]
_G_CLOSE_BRACE = _GROUP_NUMBER["close_brace"]
_G_NUMBER = _GROUP_NUMBER["number"]
_G_LINE_COMMENT = _GROUP_NUMBER["line_comment"]
_G_BLOCK_COMMENT = _GROUP_NUMBER["block_comment"]
_G_UNCLOSED_COMMENT = _GROUP_NUMBER["unclosed_comment"]
_G_SLASH = _GROUP_NUMBER["slash"]
_G_HEREDOC = _GROUP_NUMBER["heredoc_marker"]
_G_EOF = _GROUP_NUMBER["eof"]

# Inside "...": literal runs stop at the quote, at ${ / %{ and at a line break. $${ and %%{ are
# escapes for a literal ${ / %{ and belong to the run.
_QUOTED_PART = re.compile(
    r"""
    (?P<close>")
  | (?P<interp>\$\{~?)
  | (?P<directive>%\{~?)
  | (?P<text>(?:[^"\\$%\r\n]+|\\[^\r\n]|\$\$\{|%%\{|\$(?!\{)|%(?!\{))+)
    """,
    re.VERBOSE,
)
_Q_CLOSE = _QUOTED_PART.groupindex["close"]
_Q_INTERP = _QUOTED_PART.groupindex["interp"]
_Q_DIRECTIVE = _QUOTED_PART.groupindex["directive"]
_Q_TEXT = _QUOTED_PART.groupindex["text"]

# Inside a heredoc a literal run also ends after each line break, so that the parser sees one
# piece per line (needed for <<- indent stripping and for ~ strip markers, as in hclsyntax).
_HEREDOC_PART = re.compile(
    r"""
    (?P<interp>\$\{~?)
  | (?P<directive>%\{~?)
  | (?P<text>(?:[^$%\n]+|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*\n?)
    """,
    re.VERBOSE,
)
_H_INTERP = _HEREDOC_PART.groupindex["interp"]
_H_DIRECTIVE = _HEREDOC_PART.groupindex["directive"]

_ESCAPE = re.compile(r"\\(?:([ntr\"\\])|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))|\$\$\{|%%\{")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}

_EXPRESSION_MODE, _QUOTED_MODE, _HEREDOC_MODE = 0, 1, 2

DIRECTIVE_MARKER = "tagwarden:"


@dataclass(slots=True)
class Tokens:
    """The token stream, as parallel lists, always ending with an EOF token."""

    text: str
    kinds: list[str] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    # (offset, text) of each comment containing DIRECTIVE_MARKER
    directive_comments: list[tuple[int, str]] = field(default_factory=list)


class LineIndex:
    """Maps character offsets to 1-based line and column numbers (a tab is one column)."""

    __slots__ = ("_first_line_start", "_line_breaks")

    def __init__(self, text: str) -> None:
        self._line_breaks = [match.start() for match in re.finditer("\n", text)]
        # A byte order mark is not a column of its own.
        self._first_line_start = 1 if text.startswith("\ufeff") else 0

    def line(self, offset: int) -> int:
        return bisect_left(self._line_breaks, offset) + 1

    def column(self, offset: int) -> int:
        line = self.line(offset)
        line_start = self._line_breaks[line - 2] + 1 if line > 1 else self._first_line_start
        return max(offset - line_start + 1, 1)

    def error(self, message: str, offset: int) -> HclSyntaxError:
        return HclSyntaxError(message, self.line(offset), self.column(offset))


def tokenize(text: str) -> Tokens:
    """Split ``text`` into tokens; raises HclSyntaxError for text that cannot be tokenized."""
    return _Lexer(text).run()


class _TemplateFrame:
    """Where to resume when a ``${ ... }`` or ``%{ ... }`` sequence ends."""

    __slots__ = ("brace_depth", "heredoc_marker", "mode", "sequence_start", "template_start")

    def __init__(
        self, mode: int, template_start: int, heredoc_marker: str, brace_depth: int, sequence_start: int
    ) -> None:
        self.mode = mode
        self.template_start = template_start
        self.heredoc_marker = heredoc_marker
        self.brace_depth = brace_depth
        self.sequence_start = sequence_start


class _Lexer:
    __slots__ = (
        "_lines",
        "at_line_start",
        "brace_depth",
        "frames",
        "heredoc_marker",
        "mode",
        "pos",
        "template_start",
        "text",
        "tokens",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = Tokens(text)
        self.pos = 1 if text.startswith("\ufeff") else 0
        self.mode = _EXPRESSION_MODE
        self.brace_depth = 0
        self.frames: list[_TemplateFrame] = []
        self.template_start = 0  # offset of the opening quote or <<, for error messages
        self.heredoc_marker = ""
        self.at_line_start = False
        self._lines: LineIndex | None = None

    def error(self, message: str, offset: int) -> HclSyntaxError:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines.error(message, offset)

    def run(self) -> Tokens:
        while True:
            if self.mode == _EXPRESSION_MODE:
                if self._lex_expression():
                    return self.tokens
            elif self.mode == _QUOTED_MODE:
                self._lex_quoted()
            else:
                self._lex_heredoc()

    # -- expression mode ---------------------------------------------------------------------

    def _lex_expression(self) -> bool:
        """Lex until the mode changes; True when the end of the text was reached."""
        text = self.text
        tokens = self.tokens
        add_kind = tokens.kinds.append
        add_value = tokens.values.append
        add_start = tokens.starts.append
        add_end = tokens.ends.append
        match = _EXPRESSION_TOKEN.match
        punctuation_kinds = PUNCTUATION_KINDS
        pos = self.pos
        while True:
            found = match(text, pos)
            if found is None:
                raise self._invalid_character(pos)
            group = found.lastindex
            end = found.end()
            if group == _G_IDENT:
                add_kind(IDENT)
                add_value(found.group(group))
                add_start(found.start(group))
            elif group == _G_PUNCT:
                punct = found.group(group)
                if punct == "~}" and self._closes_sequence():
                    self.pos = end
                    self._end_sequence(end - 2, strip=True)
                    return False
                add_kind(punctuation_kinds[punct])
                add_value(punct)
                add_start(end - len(punct))
            elif group == _G_NEWLINE:
                add_kind(NEWLINE)
                add_value(None)
                add_start(found.start(group))
            elif group == _G_PLAIN_STRING:
                add_kind(STRING)
                add_value(found.group(group))
                add_start(found.start(group) - 1)
            elif group in (_G_OPEN_BRACE, _G_CLOSE_BRACE):
                start = end - 1
                if group == _G_OPEN_BRACE:
                    self.brace_depth += 1
                    kind = "{"
                else:
                    if self._closes_sequence():
                        self.pos = end
                        self._end_sequence(start, strip=False)
                        return False
                    self.brace_depth -= 1
                    kind = "}"
                add_kind(punctuation_kinds[kind])
                add_value(kind)
                add_start(start)
            elif group == _G_NUMBER:
                add_kind(NUMBER)
                add_value(found.group(group))
                add_start(found.start(group))
            elif group == _G_LINE_COMMENT:
                comment = found.group(group)
                start = found.start(group)
                if DIRECTIVE_MARKER in comment:
                    tokens.directive_comments.append((start, comment.rstrip()))
                if not comment.endswith("\n"):
                    pos = end
                    continue
                add_kind(NEWLINE)
                add_value(None)
                add_start(end - 1)
            elif group == _G_QUOTE:
                start = end - 1
                add_kind(OPEN_QUOTE)
                add_value(None)
                add_start(start)
                add_end(end)
                self.pos = end
                self.mode = _QUOTED_MODE
                self.template_start = start
                return False
            elif group == _G_BLOCK_COMMENT:
                comment = found.group(group)
                if DIRECTIVE_MARKER in comment:
                    tokens.directive_comments.append((found.start(group), comment))
                pos = end
                continue
            elif group == _G_SLASH:
                add_kind(punctuation_kinds["/"])
                add_value("/")
                add_start(end - 1)
            elif group == _G_HEREDOC:
                start = found.start(_G_HEREDOC) - 2 - len(found.group("heredoc_flush"))
                marker = found.group(_G_HEREDOC)
                add_kind(OPEN_HEREDOC)
                add_value((marker, found.group("heredoc_flush") == "-"))
                add_start(start)
                add_end(end)
                self.pos = end
                self.mode = _HEREDOC_MODE
                self.template_start = start
                self.heredoc_marker = marker
                self.at_line_start = True
                return False
            elif group == _G_EOF:
                if self.frames:
                    sequence_start = self.frames[-1].sequence_start
                    opener = text[sequence_start : sequence_start + 2]
                    raise self.error(f"'{opener}' is never closed with '}}'", sequence_start)
                add_kind(EOF)
                add_value(None)
                add_start(end)
                add_end(end)
                return True
            else:  # _G_UNCLOSED_COMMENT
                raise self.error("unterminated comment: '/*' has no closing '*/'", found.start(_G_UNCLOSED_COMMENT))
            add_end(end)
            pos = end

    def _invalid_character(self, pos: int) -> HclSyntaxError:
        while self.text[pos] in " \t":
            pos += 1
        character = self.text[pos]
        if character == "\r":
            return self.error("carriage return not followed by a line feed", pos)
        if character == "$" and self.text.startswith("${", pos):
            return self.error("'${' is only allowed inside a quoted string or heredoc", pos)
        if character == "<" and self.text.startswith("<<", pos):
            return self.error("invalid heredoc: expected '<<MARKER' or '<<-MARKER' then a newline", pos)
        return self.error(f"unexpected character {character!r}", pos)

    def _closes_sequence(self) -> bool:
        """Whether a "}" here closes the innermost ${ or %{ rather than an object or block."""
        return bool(self.frames) and self.frames[-1].brace_depth == self.brace_depth

    def _end_sequence(self, start: int, strip: bool) -> None:
        """Emit the end of a ${ } or %{ } sequence and go back to the template around it."""
        frame = self.frames.pop()
        self.brace_depth -= 1
        self._add(SEQUENCE_END, strip, start, self.pos)
        self.mode = frame.mode
        self.template_start = frame.template_start
        self.heredoc_marker = frame.heredoc_marker
        self.at_line_start = False

    def _begin_sequence(self, kind: str, strip: bool, start: int, end: int) -> None:
        """Emit ${ or %{ and switch to expression mode until the matching }."""
        self._add(kind, strip, start, end)
        self.brace_depth += 1
        self.frames.append(_TemplateFrame(self.mode, self.template_start, self.heredoc_marker, self.brace_depth, start))
        self.mode = _EXPRESSION_MODE
        self.pos = end

    def _add(self, kind: str, value: Any, start: int, end: int) -> None:
        tokens = self.tokens
        tokens.kinds.append(kind)
        tokens.values.append(value)
        tokens.starts.append(start)
        tokens.ends.append(end)

    # -- quoted template mode ----------------------------------------------------------------

    def _lex_quoted(self) -> None:
        text = self.text
        match = _QUOTED_PART.match
        pos = self.pos
        while True:
            found = match(text, pos)
            if found is None:
                raise self._unterminated_string(pos)
            group = found.lastindex
            end = found.end()
            if group == _Q_TEXT:
                self._add(TEMPLATE_TEXT, self._decode(found.group(group), pos), pos, end)
                pos = end
            elif group == _Q_CLOSE:
                self._add(CLOSE_QUOTE, None, pos, end)
                self.pos = end
                self.mode = _EXPRESSION_MODE
                return
            else:
                kind = INTERP if group == _Q_INTERP else DIRECTIVE
                self._begin_sequence(kind, end - pos == 3, pos, end)
                return

    def _unterminated_string(self, pos: int) -> HclSyntaxError:
        text = self.text
        if text.startswith("\\", pos) and pos + 1 < len(text):
            return self.error("invalid escape sequence: a backslash cannot end a line", pos)
        where = "on its line" if pos < len(text) else "before the end of the file"
        return self.error(
            f"unterminated string: no closing '\"' {where} (use \\n or a heredoc for multi-line text)",
            self.template_start,
        )

    def _decode(self, raw: str, offset: int) -> str:
        """Resolve backslash escapes and $${ / %%{ in a quoted literal run."""
        if "\\" not in raw and "{" not in raw:
            return raw

        def replace(escape: re.Match[str]) -> str:
            simple, short_code, long_code, invalid = escape.groups()
            if simple is not None:
                return _SIMPLE_ESCAPES[simple]
            code = short_code or long_code
            if code is not None:
                return self._code_point(int(code, 16), offset + escape.start())
            if invalid in ("u", "U"):
                digits = 4 if invalid == "u" else 8
                raise self.error(
                    f"invalid escape sequence: '\\{invalid}' must be followed by {digits} hexadecimal digits",
                    offset + escape.start(),
                )
            if invalid is not None:
                raise self.error(f"invalid escape sequence '\\{invalid}'", offset + escape.start())
            return escape.group()[1:]  # $${ -> ${ and %%{ -> %{

        return _ESCAPE.sub(replace, raw)

    def _code_point(self, code: int, offset: int) -> str:
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise self.error(f"invalid escape sequence: U+{code:04X} is not a character", offset)
        return chr(code)

    # -- heredoc template mode ---------------------------------------------------------------

    def _lex_heredoc(self) -> None:
        text = self.text
        match = _HEREDOC_PART.match
        pos = self.pos
        while True:
            if self.at_line_start and self._at_heredoc_end(pos):
                return
            if pos >= len(text):
                raise self.error(
                    f"unterminated heredoc: no line with only '{self.heredoc_marker}' closes it",
                    self.template_start,
                )
            found = match(text, pos)
            assert found is not None  # the text alternative matches the empty string
            group = found.lastindex
            end = found.end()
            if group in (_H_INTERP, _H_DIRECTIVE):
                kind = INTERP if group == _H_INTERP else DIRECTIVE
                self._begin_sequence(kind, end - pos == 3, pos, end)
                return
            piece = found.group()
            if "{" in piece:
                piece = piece.replace("$${", "${").replace("%%{", "%{")
            self._add(TEMPLATE_TEXT, piece, pos, end)
            self.at_line_start = piece.endswith("\n")
            pos = end

    def _at_heredoc_end(self, pos: int) -> bool:
        """At the start of a line: if it holds only the marker, emit the closing token."""
        text = self.text
        line_end = text.find("\n", pos)
        if line_end < 0:
            line_end = len(text)
        line = text[pos:line_end]
        if line.strip() != self.heredoc_marker:
            return False
        start = pos + len(line) - len(line.lstrip())
        end = start + len(self.heredoc_marker)
        self._add(CLOSE_HEREDOC, None, start, end)
        self.pos = end
        self.mode = _EXPRESSION_MODE
        return True
