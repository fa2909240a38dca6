"""Three scans of one estate, and what changed between them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from store_samples import POLICY, resource, result, summary

from tagwarden.engine.resources import Resource, Unknown
from tagwarden.engine.results import Result, Status
from tagwarden.engine.store import ScanChanges, Store, StoredResult, StoreError, TagChange


def _scan(store: Store, resources: list[Resource], results: list[Result], source: str = "aws") -> int:
    scan_id = store.begin_scan(source, POLICY, {})
    store.add_batch(scan_id, resources, results)
    store.finish_scan(scan_id, summary(len(resources), sum(r.status is Status.FAIL for r in results)), {})
    return scan_id


def _estate(store: Store) -> tuple[int, int, int]:
    # scan 1: a complete, b lacks CostCenter, c lacks both tags
    a1 = resource("a", {"Owner": "x", "CostCenter": "cc-1"})
    b1 = resource("b", {"Owner": "y"})
    c1 = resource("c", {})
    first = _scan(
        store,
        [a1, b1, c1],
        [
            result(a1, status=Status.PASS),
            result(b1, key="CostCenter"),
            result(c1, key="Owner"),
            result(c1, key="CostCenter"),
        ],
    )
    # scan 2: a's CostCenter changed, b fixed, c gone, d new and failing (Owner not known yet)
    a2 = resource("a", {"Owner": "x", "CostCenter": "cc-2"})
    b2 = resource("b", {"Owner": "y", "CostCenter": "cc-1"})
    d2 = resource("d", {"Owner": Unknown(("var.owner",))})
    second = _scan(
        store,
        [a2, b2, d2],
        [result(a2, status=Status.PASS), result(b2, status=Status.PASS), result(d2, key="CostCenter")],
    )
    # scan 3: a lost its CostCenter, d still failing the same way
    a3 = resource("a", {"Owner": "x"})
    third = _scan(
        store,
        [a3, b2, d2],
        [result(a3, key="CostCenter"), result(b2, status=Status.PASS), result(d2, key="CostCenter")],
    )
    return first, second, third


def _failures(items: Sequence[StoredResult]) -> list[tuple[str, str | None]]:
    return [(item.address, item.key) for item in items]


def test_history_keeps_every_scan_newest_first(store_url: str) -> None:
    with Store.open(store_url) as store:
        first, second, third = _estate(store)
        running = store.begin_scan("aws", POLICY, {})
        other_source = _scan(store, [resource("z")], [], source="azure")

        assert [scan.id for scan in store.scans()] == [other_source, running, third, second, first]
        assert [scan.id for scan in store.scans("aws")] == [running, third, second, first]
        assert store.latest_complete_scan("aws").id == third  # type: ignore[union-attr]
        assert store.latest_complete_scan().id == other_source  # type: ignore[union-attr]
        assert [r.resource.address for r in store.resources_of(first)] == ["a", "b", "c"]
        assert [r.resource.address for r in store.resources_of(third)] == ["a", "b", "d"]


def test_changes_between_consecutive_scans(store_url: str) -> None:
    with Store.open(store_url) as store:
        first, second, third = _estate(store)

        one_two = store.changes(first, second)
        assert [r.resource.address for r in one_two.appeared] == ["d"]
        assert one_two.appeared[0].resource.tags.known == {"Owner": Unknown(("var.owner",))}
        assert [r.resource.address for r in one_two.disappeared] == ["c"]
        assert _failures(one_two.newly_failing) == [("d", "CostCenter")]
        assert _failures(one_two.fixed) == [("b", "CostCenter")]  # c's failures left with c: not fixed
        assert one_two.tag_changes == [
            TagChange("a", None, added={}, removed={}, changed={"CostCenter": ("cc-1", "cc-2")}),
            TagChange("b", None, added={"CostCenter": "cc-1"}, removed={}, changed={}),
        ]

        two_three = store.changes(second, third)
        assert (two_three.appeared, two_three.disappeared, two_three.fixed) == ([], [], [])
        assert _failures(two_three.newly_failing) == [("a", "CostCenter")]  # d fails as before: not new
        assert two_three.tag_changes == [TagChange("a", None, added={}, removed={"CostCenter": "cc-2"}, changed={})]
        assert all(item.scan_id == third for item in two_three.newly_failing)


def test_changes_over_two_scans_and_backwards(store_url: str) -> None:
    with Store.open(store_url) as store:
        first, _second, third = _estate(store)

        one_three = store.changes(first, third)
        assert _failures(one_three.newly_failing) == [("a", "CostCenter"), ("d", "CostCenter")]
        assert _failures(one_three.fixed) == [("b", "CostCenter")]
        assert [change.address for change in one_three.tag_changes] == ["a", "b"]

        backwards = store.changes(third, first)
        assert [r.resource.address for r in backwards.appeared] == ["c"]
        assert [r.resource.address for r in backwards.disappeared] == ["d"]
        assert store.changes(third, third) == ScanChanges(third, third, [], [], [], [], [])
        assert store.changes(third, third).is_empty


def test_a_rule_failing_on_another_key_is_a_new_failure(store_url: str) -> None:
    before = resource("a", {"CostCenter": "cc-1"})
    after = resource("a", {"Owner": "x"})
    with Store.open(store_url) as store:
        first = _scan(store, [before], [result(before, key="Owner")])
        second = _scan(store, [after], [result(after, key="CostCenter")])
        found = store.changes(first, second)
        assert _failures(found.newly_failing) == [("a", "CostCenter")]
        assert _failures(found.fixed) == [("a", "Owner")]


def test_changes_of_a_scan_that_does_not_exist(store_url: str) -> None:
    with Store.open(store_url) as store:
        first = _scan(store, [resource("a")], [])
        with pytest.raises(StoreError, match=f"there is no scan {first + 1}"):
            store.changes(first, first + 1)
