"""Change control: a new policy digest is a "policy.change" record with a diff against the last one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tagwarden.engine.audit.policy_changes import record_policy
from tagwarden.engine.audit.trail import events, verify
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.store import Store
from tagwarden.engine.store.connection import create_store_engine

POLICY_V1 = """
tagwarden: 1
name: change-test
value_sets:
  environments: [prod, dev]
rules:
  - id: owner
    severity: high
    require: Owner
  - id: environment
    severity: medium
    require: Environment
    allowed: $environments
  - id: legacy
    require: Legacy
"""

POLICY_V2 = """
tagwarden: 1
name: change-test
value_sets:
  environments: [prod, dev, staging]
rules:
  - id: owner
    severity: critical
    require: Owner
  - id: environment
    severity: medium
    require: Environment
    allowed: $environments
  - id: cost-center
    severity: high
    require: CostCenter
"""


def _policy(tmp_path: Path, name: str, body: str):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return load_policy(path)


def test_a_policy_is_recorded_once_per_version_with_a_diff(store: Store, tmp_path: Path) -> None:
    first, second = _policy(tmp_path, "v1.yaml", POLICY_V1), _policy(tmp_path, "v2.yaml", POLICY_V2)
    record_policy(store, first, "alice")
    record_policy(store, first, "bob")  # unchanged: nothing recorded
    record_policy(store, second, "carol")
    initial, change = events(store, "policy.change")
    assert (initial.actor, initial.payload["digest"], initial.payload["previous_digest"]) == (
        "alice",
        first.digest,
        None,
    )
    assert initial.payload["diff"] == {"first": True, "rules": 3, "value_sets": 1}
    assert (change.actor, change.payload["name"], change.payload["previous_digest"]) == (
        "carol",
        "change-test",
        first.digest,
    )
    diff = change.payload["diff"]
    assert diff["rules_added"] == ["cost-center"] and diff["rules_removed"] == ["legacy"]
    assert diff["rules_changed"] == [{"id": "owner", "fields": ["severity"]}]
    (environments,) = diff["value_sets_changed"]
    assert environments["name"] == "environments" and environments["added_values"] == ["staging"]
    assert (environments["status"], environments["added"], environments["removed"]) == ("changed", 1, 0)
    record_policy(store, first, "alice")  # going back is a change too
    assert len(events(store, "policy.change")) == 3
    assert verify(store).ok


def test_an_altered_kept_policy_is_noticed(store: Store, store_url: str, tmp_path: Path) -> None:
    record_policy(store, _policy(tmp_path, "v1.yaml", POLICY_V1), "alice")
    engine = create_store_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE policy_record SET canonical = replace(canonical, 'prod', 'qa')"))
    engine.dispose()
    result = verify(store)
    assert not result.ok and result.broken_seq == 1 and "policy JSON" in (result.reason or "")
