"""Processes that open the same new SQLite store at the same moment all get in.

Switching a fresh database to WAL answers "database is locked" at once to the loser of the race,
without waiting for the busy timeout (seen in CI as a failed concurrent-scans test); the store
retries it.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from tagwarden.engine.store.connection import create_store_engine

ROUNDS = 80
OPENERS = 2


def _open(url: str, start: object, results: object) -> None:
    engine = create_store_engine(url)  # no connection yet: the race starts at the first connect
    start.wait()  # type: ignore[attr-defined]
    try:
        with engine.connect():
            pass
        results.put("ok")  # type: ignore[attr-defined]
    except Exception as error:  # the test reports whatever went wrong
        results.put(repr(error))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_processes_opening_a_fresh_store_together_all_get_in(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    outcomes = []
    for round_number in range(ROUNDS):
        url = f"sqlite:///{tmp_path / f'store-{round_number}.db'}"
        start, results = context.Event(), context.Queue()
        openers = [context.Process(target=_open, args=(url, start, results)) for _ in range(OPENERS)]
        for opener in openers:
            opener.start()
        start.set()
        for opener in openers:
            opener.join(60)
        outcomes += [results.get(timeout=5) for _ in openers]
    assert [outcome for outcome in outcomes if outcome != "ok"] == []
