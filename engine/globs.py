"""Glob matching for policy fields: paths (`**` crosses folders) and ids/types (`*` matches anything)."""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def _path_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def path_matches(pattern: str, path: str) -> bool:
    """``envs/prod/**`` matches every file below envs/prod; ``*`` stays within one folder."""
    return _path_regex(pattern.strip("/")).match(path.replace("\\", "/").removeprefix("./")) is not None


@lru_cache(maxsize=4096)
def _name_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.IGNORECASE if ignore_case else 0)


def name_matches(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """Globs on ids, addresses, types and tag keys: ``*`` and ``?`` match any character."""
    return _name_regex(pattern, ignore_case).match(text) is not None


@lru_cache(maxsize=1024)
def globs_regex(patterns: tuple[str, ...], ignore_case: bool) -> re.Pattern[str]:
    """One regex for a whole list of globs: a single match call instead of one per pattern."""
    alternatives = "|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns) or "(?!)"
    return re.compile(alternatives, re.IGNORECASE if ignore_case else 0)
