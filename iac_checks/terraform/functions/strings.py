"""String functions; the regex and format ones live in :mod:`.regex` and :mod:`.formatting`."""

from __future__ import annotations

import re
from typing import Any

from tagwarden.iac_checks.terraform.functions.formatting import fn_format, fn_formatlist
from tagwarden.iac_checks.terraform.functions.regex import fn_regex, fn_regexall, fn_replace
from tagwarden.iac_checks.terraform.functions.spec import Builtin
from tagwarden.iac_checks.terraform.functions.values import EvaluationError, _list_arg, to_integer, to_string

# ----------------------------------------------------------------------------------------------
# Strings


def fn_join(separator: Any, *lists: Any) -> Any:
    glue = to_string(separator, "separator")
    if not lists:
        raise EvaluationError("at least one list is required")
    items = [item for position, found in enumerate(lists, start=1) for item in _list_arg(found, f"list {position}")]
    if any(item is None for item in items):
        raise EvaluationError("cannot concatenate null values")
    return glue.join(to_string(item, "element") for item in items)


def fn_split(separator: Any, text: Any) -> Any:
    glue, whole = to_string(separator, "separator"), to_string(text, "string")
    if glue == "":
        return list(whole)
    return whole.split(glue)


def fn_lower(text: Any) -> Any:
    return to_string(text, "argument").lower()


def fn_upper(text: Any) -> Any:
    return to_string(text, "argument").upper()


def _is_word_separator(char: str) -> bool:
    # Go's strings.Title rule
    if char.isascii():
        return not (char.isalnum() or char == "_")
    if char.isalpha() or char.isdigit():
        return False
    return char.isspace()


def fn_title(text: Any) -> Any:
    # upper-case the first letter of each word and leave the rest alone (Python's str.title lowers it)
    result = []
    previous = " "
    for char in to_string(text, "argument"):
        result.append(char.title() if _is_word_separator(previous) else char)
        previous = char
    return "".join(result)


def fn_trimspace(text: Any) -> Any:
    return to_string(text, "argument").strip()


def fn_trim(text: Any, cutset: Any) -> Any:
    return to_string(text, "string").strip(to_string(cutset, "cutset"))


def fn_trimprefix(text: Any, prefix: Any) -> Any:
    return to_string(text, "string").removeprefix(to_string(prefix, "prefix"))


def fn_trimsuffix(text: Any, suffix: Any) -> Any:
    return to_string(text, "string").removesuffix(to_string(suffix, "suffix"))


def fn_chomp(text: Any) -> Any:
    return re.sub(r"(?:\r\n?|\n)*\Z", "", to_string(text, "argument"), count=1)


def fn_indent(spaces: Any, text: Any) -> Any:
    return to_string(text, "string").replace("\n", "\n" + " " * to_integer(spaces, "spaces"))


def fn_strrev(text: Any) -> Any:
    return to_string(text, "argument")[::-1]


def fn_startswith(text: Any, prefix: Any) -> Any:
    return to_string(text, "string").startswith(to_string(prefix, "prefix"))


def fn_endswith(text: Any, suffix: Any) -> Any:
    return to_string(text, "string").endswith(to_string(suffix, "suffix"))


def fn_strcontains(text: Any, part: Any) -> Any:
    return to_string(part, "substr") in to_string(text, "string")


def fn_substr(text: Any, offset: Any, length: Any) -> Any:
    whole = to_string(text, "string")
    start, count = to_integer(offset, "offset"), to_integer(length, "length")
    if start < 0:
        start = max(len(whole) + start, 0)
    if start >= len(whole):
        return ""
    return whole[start:] if count < 0 else whole[start : start + count]


STRING_FUNCTIONS: tuple[Builtin, ...] = (
    Builtin("format", fn_format),
    Builtin("formatlist", fn_formatlist),
    Builtin("join", fn_join),
    Builtin("split", fn_split),
    Builtin("lower", fn_lower),
    Builtin("upper", fn_upper),
    Builtin("title", fn_title),
    Builtin("trimspace", fn_trimspace),
    Builtin("trim", fn_trim),
    Builtin("trimprefix", fn_trimprefix),
    Builtin("trimsuffix", fn_trimsuffix),
    Builtin("chomp", fn_chomp),
    Builtin("indent", fn_indent),
    Builtin("strrev", fn_strrev),
    Builtin("startswith", fn_startswith),
    Builtin("endswith", fn_endswith),
    Builtin("strcontains", fn_strcontains),
    Builtin("substr", fn_substr),
    Builtin("replace", fn_replace),
    Builtin("regex", fn_regex),
    Builtin("regexall", fn_regexall),
)
