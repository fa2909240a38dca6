"""Pure evaluation: each fixture resource's name says the outcome it must get."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from tagwarden.engine.evaluation import evaluate
from tagwarden.engine.policy.loader import load_policy
from tagwarden.engine.resources import Resource, Suppression, Taggability, TagSet, Unknown
from tagwarden.engine.results import Status, UnknownMode
from tagwarden.engine.scoring import summarize

TODAY = date(2026, 11, 25)

POLICY = textwrap.dedent("""\
    tagwarden: 1
    name: test
    value_sets:
      envs: [prod, staging, dev]
      ccs: {file: ccs.csv, column: code}
    keys:
      CostCenter: {aliases: [cost_center, "Cost Center"], gcp: cost_center}
      Environment: {aliases: [env]}
    rules:
      - {id: cost-center, severity: high, require: CostCenter, allowed: $ccs}
      - {id: environment, require: Environment, allowed: $envs}
      - {id: owner, require: Owner, pattern: '^[a-z]+@example\\.org$'}
      - {id: team, require: Team, allowed: ["team-*"], value_case: insensitive, key_case: insensitive}
      - id: prod-class
        when: {key: Environment, in: [prod]}
        require: DataClass
      - {id: bu, require: CostCenter, parent: {key: BusinessUnit, set: $ccs, column: bu}}
      - {id: no-temp, severity: low, forbid: ["temp*", "Password"]}
      - id: s3-retention
        scope: {providers: [aws], resource_types: ["s3:bucket", "!aws_s3_bucket_legacy"], regions: ["eu-*"]}
        require: Retention
      - id: prod-paths
        scope: {paths: ["envs/prod/**"]}
        require: Backup
    exemptions:
      - {rule: owner, resources: ["aws_s3_bucket.exempt_*"], reason: legacy, expires: 2027-01-31}
      - {rule: owner, resources: ["aws_s3_bucket.expired_*"], reason: gone, expires: 2026-01-31}
    """)

GOOD = {"CostCenter": "cc-1", "Environment": "dev", "Owner": "a@example.org", "Team": "team-x", "BusinessUnit": "web"}


@pytest.fixture
def policy(write):
    write("ccs.csv", "code,bu\ncc-1,web\ncc-2,data\n")
    return load_policy(write("policy.yaml", POLICY))


def resource(
    name: str, tags: dict, *, provider: str = "aws", type_: str = "aws_s3_bucket", open_deps=(), **fields
) -> Resource:
    return Resource(
        provider=provider, type=type_, address=f"{type_}.{name}", tags=TagSet(tags, tuple(open_deps)), **fields
    )


def outcome(policy, res: Resource, rule: str):
    matching = [r for r in evaluate(policy, [res], as_of=TODAY) if r.rule == rule]
    assert len(matching) <= 1
    return (matching[0].status.value, matching[0].reason) if matching else None


@pytest.mark.parametrize(
    ("name", "tags", "rule", "expected"),
    [
        ("fully_tagged", GOOD, "cost-center", ("pass", None)),
        ("missing_cost_center", {}, "cost-center", ("fail", "missing")),
        ("cost_center_lowercase_key", {"costcenter": "cc-1"}, "cost-center", ("fail", "key_case")),
        ("cost_center_alias", {"cost_center": "cc-1"}, "cost-center", ("fail", "key_case")),
        ("cost_center_alias_with_space", {"Cost Center": "cc-1"}, "cost-center", ("fail", "key_case")),
        ("empty_cost_center", {"CostCenter": ""}, "cost-center", ("fail", "empty_value")),
        ("unknown_cost_center_value", {"CostCenter": "cc-99"}, "cost-center", ("fail", "not_allowed")),
        ("cost_center_wrong_case", {"CostCenter": "CC-1"}, "cost-center", ("fail", "value_case")),
        ("bad_owner_pattern", {"Owner": "Bob@elsewhere"}, "owner", ("fail", "pattern")),
        ("team_key_other_case_passes", {"team": "TEAM-a"}, "team", ("pass", None)),
        ("team_glob_mismatch", {"Team": "squad"}, "team", ("fail", "not_allowed")),
        ("prod_without_class", {"Environment": "prod"}, "prod-class", ("fail", "missing")),
        ("prod_alias_key_still_applies", {"env": "PROD"}, "prod-class", ("fail", "missing")),
        ("dev_skips_prod_rule", {"Environment": "dev"}, "prod-class", None),
        ("prod_with_class", {"Environment": "prod", "DataClass": "x"}, "prod-class", ("pass", None)),
        ("wrong_business_unit", {"CostCenter": "cc-1", "BusinessUnit": "data"}, "bu", ("fail", "parent")),
        ("no_business_unit", {"CostCenter": "cc-1"}, "bu", ("fail", "parent")),
        ("right_business_unit", {"CostCenter": "cc-1", "BusinessUnit": "web"}, "bu", ("pass", None)),
        ("temp_key_forbidden", {"TempOwner": "x"}, "no-temp", ("fail", "forbidden")),
        ("password_key_any_case", {"password": "x"}, "no-temp", ("fail", "forbidden")),
        ("clean_keys", GOOD, "no-temp", ("pass", None)),
        ("aws_prefix_key", {"aws:foo": "x"}, "provider-limits", ("fail", "invalid_for_provider")),
        ("too_many_tags", {f"k{i}": "v" for i in range(51)}, "provider-limits", ("fail", "invalid_for_provider")),
    ],
)
def test_outcomes(policy, name, tags, rule, expected) -> None:
    assert outcome(policy, resource(name, tags), rule) == expected


def test_unknown_values_name_what_they_depend_on(policy) -> None:
    open_tags = resource("tags_from_variable", {"Owner": "a@example.org"}, open_deps=["var.tags"])
    (result,) = [r for r in evaluate(policy, [open_tags], as_of=TODAY) if r.rule == "cost-center"]
    assert (result.status, result.depends_on) == (Status.UNKNOWN, ("var.tags",))
    unknown_value = resource("cost_center_from_variable", {"CostCenter": Unknown(("var.cost_center",))})
    (result,) = [r for r in evaluate(policy, [unknown_value], as_of=TODAY) if r.rule == "cost-center"]
    assert (result.status, result.depends_on) == (Status.UNKNOWN, ("var.cost_center",))
    # a known, valid key stays a pass even though other tags are open
    assert outcome(policy, resource("owner_known", {"Owner": "a@example.org"}, open_deps=["var.t"]), "owner") == (
        "pass",
        None,
    )


def test_condition_on_unknown_key_is_unknown_not_pass(policy) -> None:
    res = resource("env_unknown", {"Environment": Unknown(("var.env",))})
    (result,) = [r for r in evaluate(policy, [res], as_of=TODAY) if r.rule == "prod-class"]
    assert result.status is Status.UNKNOWN and result.depends_on == ("var.env",)


def test_gcp_uses_lowercase_spelling_and_label_charset(policy) -> None:
    gcp = dict(provider="gcp", type_="google_storage_bucket")
    assert outcome(policy, resource("gcp_ok", {"cost_center": "cc-1"}, **gcp), "cost-center") == ("pass", None)
    assert outcome(policy, resource("gcp_camel_key", {"CostCenter": "cc-1"}, **gcp), "cost-center") == (
        "fail",
        "key_case",
    )
    assert outcome(policy, resource("gcp_upper_value", {"owner": "a@example.org"}, **gcp), "owner") == (
        "fail",
        "invalid_for_provider",
    )
    assert outcome(policy, resource("gcp_bad_key", {"Bad Key": "x"}, **gcp), "provider-limits") == (
        "fail",
        "invalid_for_provider",
    )


def test_scope_by_provider_type_equivalence_region_and_path(policy) -> None:
    kinds = {"aws_s3_bucket": frozenset({"aws_s3_bucket", "s3:bucket", "AWS::S3::Bucket"})}

    def expand(t: str) -> frozenset[str]:
        return kinds.get(t, frozenset({t}))

    def rules_for(res: Resource) -> set[str]:
        return {r.rule for r in evaluate(policy, [res], as_of=TODAY, expand_type=expand)}

    assert "s3-retention" in rules_for(resource("eu_bucket", {}, region="eu-west-1"))
    assert "s3-retention" not in rules_for(resource("us_bucket", {}, region="us-east-1"))
    assert "s3-retention" not in rules_for(resource("queue", {}, type_="aws_sqs_queue", region="eu-west-1"))
    assert "s3-retention" not in rules_for(resource("azure", {}, provider="azure", region="eu-west-1"))
    assert "prod-paths" in rules_for(resource("prod_file", {}, file="envs/prod/app/main.tf"))
    assert "prod-paths" not in rules_for(resource("dev_file", {}, file="envs/dev/main.tf"))
    assert "prod-paths" not in rules_for(resource("live_resource_has_no_file", {}))


def test_exemptions_apply_until_they_expire(policy) -> None:
    results = evaluate(policy, [resource("exempt_logs", {}), resource("expired_logs", {})], as_of=TODAY)
    owner = {r.resource.address: r for r in results if r.rule == "owner"}
    exempt, expired = owner["aws_s3_bucket.exempt_logs"], owner["aws_s3_bucket.expired_logs"]
    assert exempt.status is Status.EXEMPT and "until 2027-01-31: legacy" in (exempt.note or "")
    assert expired.status is Status.FAIL and "expired on 2026-01-31" in (expired.note or "")
    later = evaluate(policy, [resource("exempt_logs", {})], as_of=date(2027, 2, 1))
    assert next(r for r in later if r.rule == "owner").status is Status.FAIL


def test_suppression_needs_a_reason(policy) -> None:
    with_reason = resource("suppressed", {}, suppressions=(Suppression(("owner",), "tracked in X-1", 3),))
    without = resource("suppressed_no_reason", {}, suppressions=(Suppression(("owner",), "", 3),))
    results = evaluate(policy, [with_reason, without], as_of=TODAY)
    by = {(r.resource.name or r.resource.address, r.rule): r for r in results}
    assert by[("aws_s3_bucket.suppressed", "owner")].status is Status.EXEMPT
    assert by[("aws_s3_bucket.suppressed_no_reason", "owner")].status is Status.FAIL
    assert by[("aws_s3_bucket.suppressed_no_reason", "suppression-reason")].status is Status.FAIL


def test_unclassified_reported_once_and_untaggable_never(policy) -> None:
    unclassified = resource("mystery", {}, type_="acme_widget", taggability=Taggability.UNCLASSIFIED)
    untaggable = resource("policy", {}, type_="aws_s3_bucket_policy", taggability=Taggability.UNTAGGABLE)
    results = evaluate(policy, [unclassified, untaggable], as_of=TODAY)
    assert [(r.rule, r.severity, r.reason) for r in results] == [("unclassified", "info", "unclassified")]


def test_score_counts_resources_not_results(policy) -> None:
    resources = [
        resource("compliant", GOOD),
        resource("failing", {}),
        resource("unknown", GOOD | {"CostCenter": Unknown(("var.cc",))}),
        resource("exempt_owner", {k: v for k, v in GOOD.items() if k != "Owner"}),
        resource("mystery", {}, type_="acme_widget", taggability=Taggability.UNCLASSIFIED),
    ]
    results = evaluate(policy, resources, as_of=TODAY)
    summary = summarize(resources, results, UnknownMode.WARN)
    assert (
        summary.resources,
        summary.evaluated,
        summary.compliant,
        summary.failed,
        summary.unknown,
        summary.exempt,
        summary.unclassified,
        summary.score,
    ) == (5, 4, 2, 1, 1, 1, 1, 50.0)
    assert summarize(resources, results, UnknownMode.PASS).score == 75.0
