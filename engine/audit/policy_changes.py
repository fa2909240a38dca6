"""Change control: each new policy version is recorded in the audit trail with a diff summary.

The canonical policy JSON is kept beside the record (``policy_record``) so that the next change can be
diffed against it; verify checks that kept JSON against the digest its chained record carries.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, insert, select

from tagwarden.engine.audit.trail import (
    append_event,
    canonical_json,
    engine_of,
    failing_as,
    lock_trail,
    record_at,
    sha256_digest,
)
from tagwarden.engine.store.audit_tables import POLICY_RECORD
from tagwarden.engine.store.connection import writing

if TYPE_CHECKING:
    from tagwarden.engine.policy.model import Policy, Rule
    from tagwarden.engine.store import Store

POLICY_CHANGE = "policy.change"
_LISTED = 20  # value-set additions/removals listed by name in a diff; more are only counted


def record_policy(store: Store | Engine, policy: Policy, actor: str) -> None:
    """Record ``policy`` as a change when its digest differs from the last recorded one."""
    engine = engine_of(store)
    with failing_as(engine, "write to"), writing(engine) as conn:
        record_policy_in(conn, policy, actor)


def record_policy_in(conn: Connection, policy: Policy, actor: str) -> int | None:
    """Inside the caller's write transaction; the new record's sequence number, None when unchanged."""
    lock_trail(conn)  # before reading the last version: two recorders of the same change record it once
    last = conn.execute(select(POLICY_RECORD).order_by(POLICY_RECORD.c.id.desc()).limit(1)).first()
    if last is not None and last.digest == policy.digest:
        return None
    canonical = canonical_policy(policy)
    canonical_text = canonical_json(canonical)
    previous = json.loads(last.canonical) if last is not None else None
    payload = {
        "digest": policy.digest,
        "name": policy.name,
        "previous_digest": None if last is None else last.digest,
        "canonical_digest": sha256_digest(canonical_text),
        "diff": policy_diff(previous, canonical),
    }
    record = append_event(conn, POLICY_CHANGE, actor, payload)
    conn.execute(
        insert(POLICY_RECORD).values(
            digest=policy.digest,
            name=policy.name,
            recorded_at=datetime.now(UTC),
            actor=actor,
            canonical=canonical_text,
            audit_seq=record.seq,
        )
    )
    return record.seq


def canonical_policy(policy: Policy) -> dict[str, Any]:
    """What a diff compares: rules by id, value sets, keys, exemptions, allocation (no file lines)."""
    return {
        "name": policy.name,
        "description": policy.description,
        "owner": policy.owner,
        "rules": {rule.id: _rule_fields(rule) for rule in policy.rules},
        "value_sets": {name: sorted(value_set.values) for name, value_set in policy.value_sets.items()},
        "keys": {name: _plain(spec) for name, spec in policy.keys.items()},
        "exemptions": sorted((_plain(exemption) for exemption in policy.exemptions), key=canonical_json),
        "allocation": _plain(policy.allocation),
        "owner_map": _plain(policy.owner_map),
    }


def _rule_fields(rule: Rule) -> dict[str, Any]:
    fields = {field.name: _plain(getattr(rule, field.name)) for field in dataclasses.fields(rule)}
    fields.pop("line", None)
    fields.pop("id", None)
    if rule.allowed_label:  # a value-set reference: its values changing is a value-set change, not a rule change
        fields["allowed"] = rule.allowed_label
    return fields


def _plain(value: Any) -> Any:
    """A JSON value for a policy model value (patterns as their source text)."""
    if isinstance(value, re.Pattern):
        return value.pattern
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def policy_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """Rules added/removed/changed (with the fields that changed), value sets changed, and the rest."""
    if old is None:
        return {"first": True, "rules": len(new["rules"]), "value_sets": len(new["value_sets"])}
    old_rules, new_rules = old.get("rules", {}), new["rules"]
    changed_rules = [
        {"id": rule_id, "fields": sorted(k for k in new_rules[rule_id] if new_rules[rule_id][k] != fields.get(k))}
        for rule_id, fields in sorted(old_rules.items())
        if rule_id in new_rules and new_rules[rule_id] != fields
    ]
    return {
        "first": False,
        "rules_added": sorted(set(new_rules) - set(old_rules)),
        "rules_removed": sorted(set(old_rules) - set(new_rules)),
        "rules_changed": changed_rules,
        "value_sets_changed": _value_set_changes(old.get("value_sets", {}), new["value_sets"]),
        "other_changed": sorted(
            key for key in new if key not in ("rules", "value_sets") and new.get(key) != old.get(key)
        ),
    }


def _value_set_changes(old: Mapping[str, list[str]], new: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    changes = []
    for name in sorted(set(old) | set(new)):
        before, after = set(old.get(name, [])), set(new.get(name, []))
        if before == after and name in old and name in new:
            continue
        added, removed = sorted(after - before), sorted(before - after)
        changes.append(
            {
                "name": name,
                "status": "added" if name not in old else "removed" if name not in new else "changed",
                "added": len(added),
                "removed": len(removed),
                "added_values": added[:_LISTED],
                "removed_values": removed[:_LISTED],
            }
        )
    return changes


def verify_policy_records(conn: Connection) -> tuple[str | None, int | None, str] | None:
    """The kept canonical JSON of each recorded policy still matches its chained record."""
    for row in conn.execute(select(POLICY_RECORD).order_by(POLICY_RECORD.c.id)):
        record = record_at(conn, int(row.audit_seq))
        if record is None or record.kind != POLICY_CHANGE:
            return None, int(row.audit_seq), f"policy {row.digest} names record {row.audit_seq}, no policy change"
        if record.payload.get("digest") != row.digest:
            return None, record.seq, f"the recorded policy digest {row.digest} differs from its chained record"
        if sha256_digest(row.canonical) != record.payload.get("canonical_digest"):
            return None, record.seq, f"the kept policy JSON of {row.digest} was altered"
    return None
