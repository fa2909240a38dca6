"""Two scans written at once, by two processes (opening a fresh store together) or two threads."""

from __future__ import annotations

import itertools
import multiprocessing
import threading

from sqlalchemy import create_engine, select
from store_workers import write_scan

from tagwarden.engine.store import ScanStatus, Store
from tagwarden.engine.store.tables import RESOURCE

WRITERS = ("writer-a", "writer-b")
BATCHES = 20
BATCH_SIZE = 40  # resources; each with two results


def _check_both_scans_whole(url: str) -> None:
    assert _turns_taken(url) > 2, "the writers did not overlap: the test proved nothing"
    with Store.open(url) as store:
        scans = store.scans()
        assert sorted(scan.source for scan in scans) == sorted(WRITERS)
        for scan in scans:
            assert scan.status is ScanStatus.COMPLETE
            addresses = [r.resource.address for r in store.resources_of(scan.id)]
            assert len(addresses) == len(set(addresses)) == BATCHES * BATCH_SIZE
            assert all(address.startswith(scan.source + "-") for address in addresses)
            assert sum(1 for _ in store.results_of(scan.id)) == 2 * BATCHES * BATCH_SIZE


def _turns_taken(url: str) -> int:
    """How often consecutive resource rows (in insertion order) belong to different scans."""
    engine = create_engine(url)
    with engine.connect() as conn:
        owners = conn.execute(select(RESOURCE.c.scan_id).order_by(RESOURCE.c.id)).scalars().all()
    engine.dispose()
    return sum(1 for before, after in itertools.pairwise(owners) if before != after)


def test_two_processes_write_scans_at_once(store_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start, together = context.Event(), context.Barrier(len(WRITERS))
    writers = [
        context.Process(target=write_scan, args=(store_url, source, BATCHES, BATCH_SIZE, start, together))
        for source in WRITERS
    ]
    for writer in writers:
        writer.start()
    start.set()  # both open the empty store at once: one migrates, the other waits for it
    for writer in writers:
        writer.join(120)
    assert [writer.exitcode for writer in writers] == [0, 0]
    _check_both_scans_whole(store_url)


def test_two_threads_with_their_own_store_write_at_once(store_url: str) -> None:
    Store.open(store_url).close()
    start, together = threading.Event(), threading.Barrier(len(WRITERS))
    errors: list[BaseException] = []

    def run(source: str) -> None:
        try:
            write_scan(store_url, source, BATCHES, BATCH_SIZE, start, together)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(source,)) for source in WRITERS]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(120)
    assert errors == []
    _check_both_scans_whole(store_url)
