"""Rules every policy has: parse errors, unclassified types, the clouds' own tag limits."""

from __future__ import annotations

from tagwarden.engine.evaluation.provider_rules import tag_set_problems
from tagwarden.engine.resources import Resource, SourceProblem, TagSet
from tagwarden.engine.results import Result, RuleInfo, Status

PARSE_ERROR = RuleInfo(
    "parse-error",
    "An IaC file could not be read",
    "high",
    "The file is reported and the rest of the folder is still checked.",
)
UNCLASSIFIED = RuleInfo(
    "unclassified",
    "Resource type tagwarden cannot classify",
    "info",
    "tagwarden does not know whether this type carries tags; pass --provider-schema to classify every type exactly.",
)
PROVIDER_LIMITS = RuleInfo(
    "provider-limits",
    "Tags the cloud itself would reject",
    "medium",
    "GCP label charset, the AWS aws: prefix, key and value lengths, tag count limits.",
)
SUPPRESSION_REASON = RuleInfo(
    "suppression-reason",
    "A suppression comment without a reason",
    "low",
    "`# tagwarden:ignore rule reason` needs a reason; without one it does not apply.",
)

UNMANAGED = RuleInfo(
    "unmanaged",
    "Resource that no IaC declares (shadow IT)",
    "low",
    "Reported by live scans given Terraform state (--state): nobody declared this resource in IaC.",
)
DRIFT = RuleInfo(
    "drift",
    "Live tags differ from the tags IaC declares",
    "medium",
    "Reported by live scans given Terraform state (--state) for the resources it declares.",
)

BUILTIN_RULES: dict[str, RuleInfo] = {
    info.id: info for info in (PARSE_ERROR, UNCLASSIFIED, PROVIDER_LIMITS, SUPPRESSION_REASON, UNMANAGED, DRIFT)
}
CLOUD_PROVIDERS = frozenset({"aws", "azure", "gcp"})


def _builtin(info: RuleInfo, resource: Resource, status: Status, **fields: object) -> Result:
    return Result(rule=info.id, severity=info.severity, status=status, resource=resource, **fields)  # type: ignore[arg-type]


def builtin_results(resource: Resource, *, unclassified: bool) -> list[Result]:
    if unclassified:
        return [
            _builtin(
                UNCLASSIFIED,
                resource,
                Status.UNKNOWN,
                reason="unclassified",
                message=f"type {resource.type} is not known to carry tags or not; it was not evaluated",
            )
        ]
    results = [
        _suppression_result(resource, suppression.line)
        for suppression in resource.suppressions
        if not suppression.reason
    ]
    if resource.provider in CLOUD_PROVIDERS:
        results.append(_provider_limits(resource))
    return results


def _suppression_result(resource: Resource, line: int) -> Result:
    return _builtin(
        SUPPRESSION_REASON,
        resource,
        Status.FAIL,
        reason="suppression_reason",
        message=f"the tagwarden:ignore comment at line {line} gives no reason, so it is not applied",
    )


def _provider_limits(resource: Resource) -> Result:
    problems = tag_set_problems(resource.provider, resource.tags.known)
    if not problems:
        return _builtin(PROVIDER_LIMITS, resource, Status.PASS, message="within the cloud's tag limits")
    return _builtin(PROVIDER_LIMITS, resource, Status.FAIL, reason="invalid_for_provider", message="; ".join(problems))


def parse_error_result(problem: SourceProblem) -> Result:
    """A file that could not be read becomes a finding at its own location."""
    resource = Resource(
        provider="", type="file", address=problem.file, tags=TagSet(), file=problem.file, line=problem.line
    )
    return _builtin(PARSE_ERROR, resource, Status.FAIL, reason="parse_error", message=problem.message)
