"""Turn resources and input problems into the Report that every output renders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from tagwarden.engine.baseline import apply_baseline
from tagwarden.engine.evaluation import Evaluator, rule_infos
from tagwarden.engine.evaluation.builtin_rules import parse_error_result
from tagwarden.engine.policy.model import Policy
from tagwarden.engine.resources import Resource, SourceProblem
from tagwarden.engine.results import PolicyRef, Report, UnknownMode
from tagwarden.engine.scoring import summarize


def build_report(
    policy: Policy,
    resources: Sequence[Resource],
    problems: Sequence[SourceProblem] = (),
    *,
    as_of: date,
    unknown_mode: UnknownMode = UnknownMode.WARN,
    expand_type: Callable[[str], frozenset[str]] | None = None,
    baseline: frozenset[str] = frozenset(),
    notes: Sequence[str] = (),
    include_passes: bool = True,
) -> Report:
    """``include_passes=False`` when no output lists passes: the score does not need them."""
    evaluator = Evaluator(policy, as_of, expand_type) if expand_type else Evaluator(policy, as_of)
    results = [
        result
        for resource in resources
        for result in evaluator.evaluate_resource(resource, include_passes=include_passes)
    ]
    results.extend(parse_error_result(problem) for problem in problems if problem.rule == "parse-error")
    if baseline:
        results = apply_baseline(results, baseline)
    results.sort(key=lambda result: result.sort_key)
    extra_notes = [f"{p.file}: {p.message}" for p in problems if p.rule != "parse-error"]
    return Report(
        policy=PolicyRef(policy.name, policy.digest),
        summary=summarize(resources, results, unknown_mode),
        results=results,
        rules=rule_infos(policy),
        notes=(*notes, *extra_notes),
        unknown_mode=unknown_mode,
    )

