"""Progress on long scans: a bar on a terminal (stderr), nothing at all otherwise."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class Progress:
    def __init__(self, *, enabled: bool, label: str) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.label = label
        self.count = 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console  # rich only when a person is watching
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed} resources"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=None)
        return self

    def update(self, what: str, count: int) -> None:
        """A collector's report: what it reads now, and how many resources so far."""
        self.count = count
        if self._progress is not None:
            self._progress.update(self._task, description=f"{self.label}: {what}", completed=count)

    def advance(self, resources: int) -> None:
        self.count += resources
        if self._progress is not None:
            self._progress.update(self._task, completed=self.count)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
