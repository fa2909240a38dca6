"""replace, regex and regexall, with RE2 (Go) patterns translated to Python's re."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from tagwarden.iac_checks.terraform.functions.values import EvaluationError, to_string

# ----------------------------------------------------------------------------------------------
# Regular expressions


def fn_replace(text: Any, search: Any, replacement: Any) -> Any:
    whole, pattern, new = to_string(text, "string"), to_string(search, "substr"), to_string(replacement, "replace")
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        compiled = compile_regex(pattern[1:-1])
        pieces, position = [], 0
        for match in go_finditer(compiled, whole):
            pieces.append(whole[position : match.start()])
            pieces.append(_expand_go_template(new, match))
            position = match.end()
        pieces.append(whole[position:])
        return "".join(pieces)
    return whole.replace(pattern, new)


def fn_regex(pattern: Any, text: Any) -> Any:
    compiled = compile_regex(to_string(pattern, "pattern"))
    match = next(go_finditer(compiled, to_string(text, "string")), None)
    if match is None:
        raise EvaluationError("pattern did not match any part of the given string")
    return _match_result(compiled, match)


def fn_regexall(pattern: Any, text: Any) -> Any:
    compiled = compile_regex(to_string(pattern, "pattern"))
    return [_match_result(compiled, match) for match in go_finditer(compiled, to_string(text, "string"))]


# RE2 (Go) syntax that Python's re reads differently, or not at all.
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}


class UnsupportedPattern(Exception):
    """Valid RE2 that Python's re cannot run the same way; the result is then Unknown, not an error."""


@lru_cache(maxsize=512)
def compile_regex(pattern: str) -> re.Pattern[str]:
    translated = _translate_re2(pattern)
    try:
        return re.compile(translated, re.ASCII)
    except re.error as error:
        if "global flags" in str(error):
            raise UnsupportedPattern(pattern) from error
        raise EvaluationError(f"invalid regexp pattern: {error}") from error
    except (OverflowError, RecursionError) as error:
        raise EvaluationError("invalid regexp pattern: too complex") from error


def _translate_re2(pattern: str) -> str:
    if re.search(r"\(\?[a-zA-Z]*U", pattern):
        raise UnsupportedPattern(pattern)  # RE2's ungreedy flag has no Python equivalent
    multiline = bool(re.search(r"\(\?[a-zA-Z]*m", pattern))
    out: list[str] = []
    position, in_class = 0, False
    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            escape = pattern[position : position + 2]
            if escape in ("\\Q", "\\p", "\\P", "\\C"):
                raise UnsupportedPattern(pattern)
            if escape == "\\Z" or (len(escape) == 2 and escape[1] in "123456789" and not in_class):
                raise EvaluationError(f"invalid regexp pattern: invalid escape sequence {escape}")
            out.append("\\Z" if escape == "\\z" else escape)
            position += len(escape)
            continue
        if in_class:
            posix = re.match(r"\[:(\^?)(\w+):\]", pattern[position:])
            if posix:
                if posix[1] or posix[2] not in _POSIX_CLASSES:
                    raise UnsupportedPattern(pattern)
                out.append(_POSIX_CLASSES[posix[2]])
                position += posix.end()
                continue
            if char in "[&~|":  # literal in RE2; Python warns of future set operations
                out.append("\\" + char)
                position += 1
                continue
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            # a "]" right after "[" or "[^" is a literal in both dialects
            opening = re.match(r"\[\^?\]?", pattern[position:])
            assert opening is not None
            out.append(opening[0])
            position += opening.end()
            continue
        elif char == "(" and pattern.startswith("(?", position):
            rest = pattern[position + 2 :]
            if rest[:1] in ("=", "!") or rest[:2] in ("<=", "<!") or rest[:2] == "P=" or rest[:1] == "#":
                raise EvaluationError("invalid regexp pattern: lookaround, back references and comments are not RE2")
            if rest[:1] == "<":
                out.append("(?P<")
                position += 3
                continue
        elif char == "$" and not multiline:
            out.append("\\Z")  # RE2's $ does not match before a final newline
            position += 1
            continue
        out.append(char)
        position += 1
    return "".join(out)


def go_finditer(compiled: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches as Go finds them: an empty match right after the previous match is skipped."""
    previous_end = -1
    for match in compiled.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        yield match


def _match_result(compiled: re.Pattern[str], match: re.Match[str]) -> Any:
    names = compiled.groupindex
    if compiled.groups == 0:
        return match.group(0)
    if names and len(names) != compiled.groups:
        raise EvaluationError("invalid regexp pattern: cannot mix both named and unnamed capture groups")
    if names:
        return {name: match.group(name) for name in names}
    return list(match.groups())


def _expand_go_template(template: str, match: re.Match[str]) -> str:
    """Go's Regexp.Expand: $1, ${1}, $name, ${name} and $$."""
    pieces: list[str] = []
    position = 0
    pattern = re.compile(r"\$(?:\$|\{(\w+)\}|(\w+))")
    for found in pattern.finditer(template):
        pieces.append(template[position : found.start()])
        position = found.end()
        if found.group(0) == "$$":
            pieces.append("$")
            continue
        name = found.group(1) or found.group(2)
        pieces.append(_group_text(match, name))
    pieces.append(template[position:])
    return "".join(pieces)


def _group_text(match: re.Match[str], name: str) -> str:
    if name.isdigit():
        number = int(name)
        return (match.group(number) or "") if number <= (match.re.groups) else ""
    return (match.group(name) or "") if name in match.re.groupindex else ""
