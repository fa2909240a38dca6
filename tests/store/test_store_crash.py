"""A scan whose process dies keeps what it committed, is marked incomplete, and does not block the next."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, update
from store_samples import POLICY, batch, summary
from store_workers import CRASH_BATCH, begin_scan_and_die

from tagwarden.engine.store import ScanStatus, Store, StoreError
from tagwarden.engine.store.tables import SCAN


def test_a_killed_scan_is_incomplete_with_its_batches_kept(store_url: str) -> None:
    process = multiprocessing.get_context("spawn").Process(target=begin_scan_and_die, args=(store_url,))
    process.start()
    process.join(60)
    assert process.exitcode == 1

    with Store.open(store_url) as store:
        (crashed,) = store.scans()
        assert crashed.status is ScanStatus.INCOMPLETE
        assert crashed.failure == f"abandoned: process {process.pid} on {crashed.host} is gone"
        assert len(list(store.resources_of(crashed.id))) == CRASH_BATCH
        assert len(list(store.results_of(crashed.id))) == 2 * CRASH_BATCH
        assert store.latest_complete_scan() is None

        scan_id = store.begin_scan("aws", POLICY, {})
        resources, results = batch("crashed", CRASH_BATCH)  # the same resources again: no clash with the dead scan
        store.add_batch(scan_id, resources, results)
        store.finish_scan(scan_id, summary(CRASH_BATCH, CRASH_BATCH), {})
        assert store.latest_complete_scan().id == scan_id  # type: ignore[union-attr]
        assert store.changes(crashed.id, scan_id).is_empty


def _make_remote(url: str, scan_id: int, silent_for: timedelta) -> None:
    """Pretend the scan runs on another host and last wrote ``silent_for`` ago."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(SCAN)
            .where(SCAN.c.id == scan_id)
            .values(host="elsewhere", pid=1, heartbeat_at=datetime.now(UTC) - silent_for)
        )
    engine.dispose()


def test_a_scan_silent_for_15_minutes_is_incomplete_wherever_it_ran(store_url: str) -> None:
    with Store.open(store_url) as store:
        silent = store.begin_scan("aws", POLICY, {})
        busy = store.begin_scan("azure", POLICY, {})
    _make_remote(store_url, silent, timedelta(minutes=16))
    _make_remote(store_url, busy, timedelta(minutes=14))

    with Store.open(store_url) as store:
        status = {scan.id: (scan.status, scan.failure) for scan in store.scans()}
        assert status[busy] == (ScanStatus.RUNNING, None)
        assert status[silent][0] is ScanStatus.INCOMPLETE
        assert status[silent][1].startswith("abandoned: no write since")  # type: ignore[union-attr]
        with pytest.raises(StoreError, match=f"scan {silent} is no longer running: it is incomplete"):
            store.add_batch(silent, *batch("late", 1))


def test_a_running_scan_of_a_live_process_is_left_alone(store_url: str) -> None:
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("aws", POLICY, {})
        with Store.open(store_url) as second:  # another opener, in the same (live) process
            second.begin_scan("gcp", POLICY, {})
            assert {scan.status for scan in second.scans()} == {ScanStatus.RUNNING}
        store.add_batch(scan_id, *batch("ok", 3))
        store.finish_scan(scan_id, summary(3, 3), {})
        assert store.latest_complete_scan().id == scan_id  # type: ignore[union-attr]


def test_a_discarded_scan_leaves_nothing_and_complete_scans_cannot_be_discarded(store_url: str) -> None:
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("inventory", POLICY, {})
        resources, results = batch("discarded", 5)
        store.add_batch(scan_id, resources, results)
        store.discard_scan(scan_id, "bad input")
        assert store.scans() == []
        kept = store.begin_scan("inventory", POLICY, {})
        store.add_batch(kept, resources, results)
        store.finish_scan(kept, summary(5, 5), {})
        with pytest.raises(StoreError, match="cannot be discarded"):
            store.discard_scan(kept, "too late")
        assert len(list(store.resources_of(kept))) == 5
