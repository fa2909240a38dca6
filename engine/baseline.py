"""Baselines: findings accepted once (``--write-baseline``) are not failures on later runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from tagwarden.engine.results import Result, Status


class BaselineError(ValueError):
    pass


def fingerprint(result: Result) -> str:
    """Stable across line moves and reformatting: what failed, where, and why."""
    resource = result.resource
    parts = [
        result.rule,
        resource.file or "",
        resource.address,
        resource.instance or "",
        result.reason or "",
        result.key or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def write_baseline(path: Path, results: Iterable[Result]) -> int:
    entries = sorted(
        {
            fingerprint(result): {"rule": result.rule, "address": result.resource.address, "reason": result.reason}
            for result in results
            if result.status in (Status.FAIL, Status.UNKNOWN)
        }.items()
    )
    document = {"tagwarden_baseline": 1, "findings": [{"fingerprint": key, **value} for key, value in entries]}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> frozenset[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"baseline {path} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise BaselineError(f"baseline {path} line {error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise BaselineError(f"baseline {path} has no 'findings' list (write one with --write-baseline)")
    return frozenset(str(entry.get("fingerprint")) for entry in document["findings"] if isinstance(entry, dict))


def apply_baseline(results: Sequence[Result], baseline: frozenset[str]) -> list[Result]:
    return [
        replace(result, status=Status.EXEMPT, note="accepted in the baseline")
        if result.status in (Status.FAIL, Status.UNKNOWN) and fingerprint(result) in baseline
        else result
        for result in results
    ]
