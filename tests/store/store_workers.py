"""Functions the store tests run in other processes (spawned, so they must be importable)."""

from __future__ import annotations

import os
import time
from typing import Any

from store_samples import POLICY, batch, summary

from tagwarden.engine.store import Store

CRASH_BATCH = 25
# a collector spends most of its time on cloud APIs between batches; SQLite's busy handler is not
# fair, so writers that never pause would take turns scan by scan rather than batch by batch
BETWEEN_BATCHES = 0.01


def begin_scan_and_die(url: str) -> None:
    """Begin a scan, commit one batch, then die without a word (no finally, no atexit)."""
    store = Store.open(url)
    scan_id = store.begin_scan("aws", POLICY, {"crash": True})
    resources, results = batch("crashed", CRASH_BATCH)
    store.add_batch(scan_id, resources, results)
    os._exit(1)


def write_scan(url: str, source: str, batches: int, batch_size: int, start: Any, together: Any) -> None:
    """Open the store (perhaps still empty) once ``start`` is set, then write one whole scan.

    ``together`` is a barrier that every writer passes after beginning its scan, so that all write
    their batches at the same time rather than one after the other (opening takes uneven time).
    """
    start.wait(60)
    with Store.open(url) as store:
        scan_id = store.begin_scan(source, POLICY, {"writer": source})
        together.wait(60)
        for number in range(batches):
            resources, results = batch(f"{source}-{number}", batch_size)
            store.add_batch(scan_id, resources, results)
            time.sleep(BETWEEN_BATCHES)
        store.finish_scan(scan_id, summary(batches * batch_size, batches * batch_size), {})
