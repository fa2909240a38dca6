"""A live scan: resources stream in, are evaluated in batches, and land in the store batch by batch.

Only non-passing results are kept in memory (for the output) and in the store; passes are
counted. A scan that stops half-way leaves whole batches behind and is marked incomplete.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, Protocol

from tagwarden.engine.evaluation import Evaluator, rule_infos
from tagwarden.engine.evaluation.builtin_rules import parse_error_result
from tagwarden.engine.evaluation.shadow import ManagedInventory, shadow_results
from tagwarden.engine.policy.model import Policy
from tagwarden.engine.resources import Resource, SourceProblem
from tagwarden.engine.results import PolicyRef, Report, Result, Status, Summary, UnknownMode
from tagwarden.engine.scoring import ScoreCounter

BATCH_SIZE = 2000


class ScanStore(Protocol):
    def begin_scan(self, source: str, policy: PolicyRef, parameters: Mapping[str, Any]) -> int: ...

    def add_batch(self, scan_id: int, resources: Sequence[Resource], results: Sequence[Result]) -> None: ...

    def finish_scan(self, scan_id: int, summary: Summary, stats: Mapping[str, Any]) -> None: ...

    def fail_scan(self, scan_id: int, reason: str) -> None: ...

    def discard_scan(self, scan_id: int, reason: str) -> None: ...


@dataclass
class EvaluatedBatch:
    resources: list[Resource]
    findings: list[Result]  # every result that is not a pass
    passes: list[Result]  # kept only when asked (--all)
    statuses: list[list[Status]]  # per resource, for the score
    problems: list[SourceProblem]


@dataclass
class ScanOutcome:
    report: Report
    scan_id: int | None
    problems: list[SourceProblem] = field(default_factory=list)


def evaluate_batch(
    evaluator: Evaluator,
    items: Sequence[Resource | SourceProblem],
    keep_passes: bool,
    managed: ManagedInventory | None = None,
) -> EvaluatedBatch:
    batch = EvaluatedBatch([], [], [], [], [])
    for item in items:
        if isinstance(item, SourceProblem):
            batch.problems.append(item)
            continue
        results = evaluator.evaluate_resource(item, include_passes=keep_passes)
        if managed is not None:
            results.extend(shadow_results(item, managed))
        batch.resources.append(item)
        batch.statuses.append([r.status for r in results if r.reason not in ("unclassified", "parse_error")])
        for result in results:
            if result.status is not Status.PASS:
                batch.findings.append(result)
            elif keep_passes:
                batch.passes.append(result)
    return batch


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ScanRunner:
    def __init__(
        self,
        policy: Policy,
        *,
        as_of: date,
        unknown_mode: UnknownMode,
        expand_type: Any,
        store: ScanStore | None,
        keep_passes: bool = False,
        managed: ManagedInventory | None = None,
    ) -> None:
        self.managed = managed
        self.policy = policy
        self.evaluator = Evaluator(policy, as_of, expand_type)
        self.unknown_mode = unknown_mode
        self.store = store
        self.keep_passes = keep_passes

    def run(
        self,
        source: str,
        batches: Iterable[EvaluatedBatch],
        parameters: Mapping[str, Any],
        stats: Any = None,
        discard_on_problems: bool = False,
    ) -> ScanOutcome:
        """Consume evaluated batches; ``stats()`` is read at the end (the collector fills it as it goes).

        ``discard_on_problems``: input that did not parse removes the whole scan from the store.
        """
        policy_ref = PolicyRef(self.policy.name, self.policy.digest)
        scan_id = self.store.begin_scan(source, policy_ref, parameters) if self.store else None
        counter = ScoreCounter(self.unknown_mode)
        findings: list[Result] = []
        problems: list[SourceProblem] = []
        try:
            for batch in batches:
                for resource, statuses in zip(batch.resources, batch.statuses, strict=True):
                    counter.add(resource, statuses)
                findings.extend(batch.findings)
                findings.extend(batch.passes)
                problems.extend(batch.problems)
                if self.store is not None and scan_id is not None:
                    self.store.add_batch(scan_id, batch.resources, batch.findings)
        except BaseException as error:
            if self.store is not None and scan_id is not None:
                self.store.fail_scan(scan_id, f"stopped: {error!r}")
            raise
        summary = counter.summary()
        if problems and discard_on_problems:
            if self.store is not None and scan_id is not None:
                self.store.discard_scan(scan_id, f"{len(problems)} input problems")
            scan_id = None
        elif self.store is not None and scan_id is not None:
            self.store.finish_scan(scan_id, summary, stats() if callable(stats) else dict(stats or {}))
        findings.extend(parse_error_result(problem) for problem in problems if problem.rule == "parse-error")
        findings.sort(key=lambda result: result.sort_key)
        report = Report(
            policy=policy_ref,
            summary=summary,
            results=findings,
            rules=rule_infos(self.policy),
            unknown_mode=self.unknown_mode,
        )
        return ScanOutcome(report, scan_id, problems)

    def evaluate_stream(self, items: Iterable[Resource | SourceProblem]) -> Iterator[EvaluatedBatch]:
        for chunk in batched(items, BATCH_SIZE):
            yield evaluate_batch(self.evaluator, chunk, self.keep_passes, self.managed)


# -- inventory files, evaluated in worker processes --------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(evaluation: tuple[Evaluator, bool, ManagedInventory | None], registry: Any, name: str) -> None:
    _WORKER.update(evaluation=evaluation, registry=registry, name=name)


def _evaluate_lines(lines: list[tuple[int, str]]) -> EvaluatedBatch:
    from tagwarden.engine.collectors.inventory_file import InventoryLine, parse_line

    (evaluator, keep_passes, managed), registry, name = _WORKER["evaluation"], _WORKER["registry"], _WORKER["name"]
    items = [parse_line(InventoryLine(number, text), name, registry) for number, text in lines]
    return evaluate_batch(evaluator, items, keep_passes, managed)


def evaluate_inventory_lines(
    runner: ScanRunner, lines: Iterable[tuple[int, str]], registry: Any, name: str, workers: int | None = None
) -> Iterator[EvaluatedBatch]:
    """Parse and evaluate an inventory file's lines on every core, in file order."""
    # One process by default: with repeated tag sets evaluation is cheap, and shipping results
    # back from worker processes then costs more than it saves (measured: 5.5 s vs 6.9 s, 100k).
    workers = workers or 1
    chunks = batched(lines, BATCH_SIZE)
    if workers < 2:
        _init_worker((runner.evaluator, runner.keep_passes, runner.managed), registry, name)
        yield from map(_evaluate_lines, chunks)
        return
    # Only what evaluation needs crosses into the workers: never the store and its connections.
    initargs = ((runner.evaluator, runner.keep_passes, runner.managed), registry, name)
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=initargs) as pool:
        # A bounded window of chunks in flight: Executor.map would read the whole file at once.
        window: deque[Future[EvaluatedBatch]] = deque()
        for chunk in chunks:
            window.append(pool.submit(_evaluate_lines, chunk))
            if len(window) >= workers * 2:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
