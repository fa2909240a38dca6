"""What each cloud accepts as a tag: a plan never proposes a write the cloud is bound to refuse.

AWS: keys of 1-128 characters, never ``aws:`` (in any case), values up to 256, at most 50 tags a
resource (``aws:`` system tags do not count). Azure: names up to 512 characters without ``<>%&\\?/``,
values up to 256, at most 50 tags. GCP labels: keys of 1-63 lowercase letters, digits, ``_`` and
``-`` starting with a letter, values up to 63 of the same characters, at most 64 labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TagLimits:
    max_key: int
    max_value: int
    max_tags: int
    forbidden_in_key: str = ""
    labels: bool = False  # GCP: only lowercase letters, digits, _ and -


LIMITS: Mapping[str, TagLimits] = {
    "aws": TagLimits(max_key=128, max_value=256, max_tags=50),
    "azure": TagLimits(max_key=512, max_value=256, max_tags=50, forbidden_in_key="<>%&\\?/"),
    "gcp": TagLimits(max_key=63, max_value=63, max_tags=64, labels=True),
}


def is_system_key(provider: str, key: str) -> bool:
    return provider == "aws" and key[:4].casefold() == "aws:"


def _label_text(text: str) -> bool:
    return all(char in "_-" or char.isdigit() or (char.isalpha() and not char.isupper()) for char in text)


def write_problem(provider: str, key: str, value: str) -> str | None:
    """Why the cloud would refuse to write ``key=value``, or None."""
    limits = LIMITS.get(provider)
    if limits is None:
        return None
    if is_system_key(provider, key):
        return f"'{key}' is an AWS system key, which no one may write"
    if not key or len(key) > limits.max_key:
        return f"{provider} allows tag keys of 1 to {limits.max_key} characters, not {len(key)} ('{key[:40]}')"
    if len(value) > limits.max_value:
        return f"{provider} allows at most {limits.max_value} characters in a tag value, not {len(value)} ({key})"
    bad = sorted({char for char in key if char in limits.forbidden_in_key})
    if bad:
        return f"{provider} allows no {' '.join(bad)} in a tag name ('{key}')"
    if limits.labels and not (key[0].isalpha() and not key[0].isupper() and _label_text(key) and _label_text(value)):
        return f"gcp labels take lowercase letters, digits, _ and - only (a key starts with a letter): {key}={value}"
    return None


def count_problem(provider: str, tags: Mapping[str, str]) -> str | None:
    """Why the cloud would refuse a resource carrying ``tags``, or None."""
    limits = LIMITS.get(provider)
    count = sum(1 for key in tags if not is_system_key(provider, key))
    if limits is None or count <= limits.max_tags:
        return None
    return f"it would carry {count} tags; {provider} allows at most {limits.max_tags} a resource"
