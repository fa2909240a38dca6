"""Run tasks on worker threads and hand what they yield to the caller's thread, as a stream.

The queue between them is bounded, so that workers wait for a slow consumer instead of filling
memory; when the consumer stops early, the workers stop at their next item.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

BUFFERED_ITEMS = 2000
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Task(Generic[T]):
    label: str
    run: Callable[[], Iterator[T]]


@dataclass(frozen=True)
class TaskDone:
    label: str
    error: BaseException | None = None


class _Cancelled(Exception):
    pass


def stream(tasks: Sequence[Task[T]], workers: int) -> Iterator[T | TaskDone]:
    """Every item of every task, and a ``TaskDone`` as each task ends. An exception that escapes a
    task is raised here, in the caller's thread."""
    if not tasks:
        return
    items: queue.Queue[T | TaskDone] = queue.Queue(maxsize=BUFFERED_ITEMS)
    stop = threading.Event()

    def put(item: T | TaskDone) -> None:
        while not stop.is_set():
            try:
                items.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue
        raise _Cancelled

    def work(task: Task[T]) -> None:
        error: BaseException | None = None
        try:
            for item in task.run():
                put(item)
        except _Cancelled:
            return
        except BaseException as exc:  # handed to the caller's thread, which decides
            error = exc
        try:
            put(TaskDone(task.label, error))
        except _Cancelled:
            return

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="tagwarden-aws")
    try:
        for task in tasks:
            pool.submit(work, task)
        remaining = len(tasks)
        while remaining:
            item = items.get()
            if isinstance(item, TaskDone):
                remaining -= 1
                if item.error is not None:
                    raise item.error
            yield item
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
