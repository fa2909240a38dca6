"""Finding a rule's key among a resource's tags: exact, another capitalisation, an alias."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tagwarden.engine.policy.model import KeySpec
from tagwarden.engine.resources import TagSet, TagValue

_GCP_UNSAFE = re.compile(r"[^a-z0-9_-]")


def gcp_spelling(key: str, spec: KeySpec | None) -> str:
    """GCP labels are lowercase: ``keys.K.gcp``, else K lowercased with other characters as ``_``."""
    if spec is not None and spec.gcp:
        return spec.gcp
    return _GCP_UNSAFE.sub("_", key.lower())


def expected_spelling(key: str, spec: KeySpec | None, provider: str) -> str:
    return gcp_spelling(key, spec) if provider == "gcp" else key


@dataclass(frozen=True, slots=True)
class KeyMatch:
    """How the key was found. ``kind`` is exact | variant | missing | open."""

    kind: str
    spelling: str | None = None
    value: TagValue | None = None
    depends_on: tuple[str, ...] = ()


def find_key(tags: TagSet, key: str, spec: KeySpec | None, provider: str) -> KeyMatch:
    """Exact spelling, else another capitalisation, the canonical name where GCP wants another,
    or an alias (the first in sorted order), else missing, or open when more keys may come."""
    return KeyIndex(tags).find(key, spec, provider)


class KeyIndex:
    """A resource's tag keys indexed by case-folded spelling, built once for all of its rules."""

    __slots__ = ("_folded", "tags")

    def __init__(self, tags: TagSet) -> None:
        self.tags = tags
        self._folded: dict[str, list[str]] | None = None

    def find(self, key: str, spec: KeySpec | None, provider: str) -> KeyMatch:
        tags = self.tags
        expected = expected_spelling(key, spec, provider)
        if expected in tags.known:
            return KeyMatch("exact", expected, tags.known[expected])
        variant = self._variant(expected, key, spec)
        if variant is not None:
            return KeyMatch("variant", variant, tags.known[variant])
        if tags.open_deps:
            return KeyMatch("open", depends_on=tags.open_deps)
        return KeyMatch("missing")

    def _variant(self, expected: str, canonical: str, spec: KeySpec | None) -> str | None:
        if self._folded is None:
            self._folded = {}
            for name in self.tags.known:
                for spelling in {name.casefold(), name.strip().casefold()}:
                    self._folded.setdefault(spelling, []).append(name)
        wanted = {expected.casefold(), canonical.casefold()}
        wanted.update(alias.casefold() for alias in (spec.aliases if spec else ()))
        found = sorted({name for spelling in wanted for name in self._folded.get(spelling, ())})
        return found[0] if found else None
