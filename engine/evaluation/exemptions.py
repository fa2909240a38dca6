"""Policy exemptions (with expiry) and inline suppression comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tagwarden.engine.globs import name_matches
from tagwarden.engine.policy.model import Exemption
from tagwarden.engine.resources import Resource


@dataclass(frozen=True, slots=True)
class Waiver:
    """Why a failure is exempt, or why an exemption that matched no longer applies."""

    applies: bool
    note: str


def _matches(exemption: Exemption, rule_id: str, resource: Resource) -> bool:
    if exemption.rule not in ("*", rule_id):
        return False
    names = [name for name in (resource.address, resource.id) if name]
    return any(name_matches(pattern, name) for pattern in exemption.resources for name in names)


def find_waiver(exemptions: tuple[Exemption, ...], rule_id: str, resource: Resource, as_of: date) -> Waiver | None:
    expired: Exemption | None = None
    for exemption in exemptions:
        if not _matches(exemption, rule_id, resource):
            continue
        if exemption.expires is not None and exemption.expires < as_of:
            expired = expired or exemption
            continue
        until = f" until {exemption.expires.isoformat()}" if exemption.expires else ""
        return Waiver(True, f"exempt{until}: {exemption.reason}")
    if expired is not None and expired.expires is not None:
        return Waiver(False, f"exemption expired on {expired.expires.isoformat()}: {expired.reason}")
    for suppression in resource.suppressions:
        if rule_id in suppression.rules and suppression.reason:
            return Waiver(True, f"suppressed at line {suppression.line}: {suppression.reason}")
    return None
