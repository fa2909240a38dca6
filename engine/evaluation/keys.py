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
    expected = expected_spelling(key, spec, provider)
    if expected in tags.known:
        return KeyMatch("exact", expected, tags.known[expected])
    variant = _variant_spelling(tags, expected, key, spec)
    if variant is not None:
        return KeyMatch("variant", variant, tags.known[variant])
    if tags.open_deps:
        return KeyMatch("open", depends_on=tags.open_deps)
    return KeyMatch("missing")


def _variant_spelling(tags: TagSet, expected: str, canonical: str, spec: KeySpec | None) -> str | None:
    """Another capitalisation of the key, the canonical name where GCP wants another, or an alias."""
    wanted = {expected.casefold(), canonical.casefold()}
    wanted.update(alias.casefold() for alias in (spec.aliases if spec else ()))
    found = sorted(key for key in tags.known if key.casefold() in wanted or key.strip().casefold() in wanted)
    return found[0] if found else None
