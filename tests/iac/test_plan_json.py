"""Terraform plan JSON loader: resource names in the fixtures say what must be read from each."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tagwarden.engine.resources import Resource, Taggability, TagSet, Unknown
from tagwarden.engine.taggability.registry import default_registry
from tagwarden.iac_checks.interface import LoadOptions, LoadResult
from tagwarden.iac_checks.plan_json import PlanJsonLoader, split_instance_keys

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "plan_json"
AWS_PLAN = "aws_modules_count_default_tags.json"
GOOGLE_PLAN = "google_azure_labels.json"
DEFAULTS = {"ManagedBy": "terraform", "CostCenter": "cc-1000"}


def load(*names: str, root: Path = FIXTURES) -> LoadResult:
    return PlanJsonLoader().load([root / name for name in names], root, LoadOptions(default_registry()))


def keyed(result: LoadResult) -> dict[tuple[str, str | None], Resource]:
    return {(resource.address, resource.instance): resource for resource in result.resources}


def first_line_with(name: str, text: str) -> int:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.fixture(scope="module")
def aws_plan() -> dict[tuple[str, str | None], Resource]:
    result = load(AWS_PLAN)
    assert result.problems == [] and result.notes == []
    return keyed(result)


AWS_EXPECTED_TAGS = {
    ("aws_instance.instance_fully_tagged", None): TagSet(
        {**DEFAULTS, "Owner": "web@example.org", "Environment": "prod"}
    ),
    ("aws_s3_bucket.bucket_missing_owner", None): TagSet({**DEFAULTS, "Environment": "prod"}),
    ("aws_s3_bucket_policy.bucket_policy_untaggable", None): TagSet(),
    ("aws_sqs_queue.queue_tag_from_bucket_arn_unknown", None): TagSet(
        {}, open_deps=("aws_sqs_queue.queue_tag_from_bucket_arn_unknown.tags",)
    ),
    ("aws_sns_topic.topic_whole_tags_unknown", None): TagSet(
        {}, open_deps=("aws_sns_topic.topic_whole_tags_unknown.tags",)
    ),
    ("aws_sns_topic.topic_count_instances", "[0]"): TagSet({**DEFAULTS, "Owner": "topics@example.org", "Index": "0"}),
    ("aws_sns_topic.topic_count_instances", "[1]"): TagSet({**DEFAULTS, "Owner": "topics@example.org", "Index": "1"}),
    # tag blocks: provider default_tags do not reach them
    ("aws_autoscaling_group.asg_tag_blocks_no_default_tags", None): TagSet(
        {
            "Owner": "asg@example.org",
            "Source": Unknown(("aws_autoscaling_group.asg_tag_blocks_no_default_tags.tag.Source",)),
        }
    ),
    ("module.storage.aws_s3_bucket.for_each_buckets", '["assets"]'): TagSet(
        {**DEFAULTS, "Owner": "storage@example.org", "Name": "assets"}
    ),
    ("module.storage.aws_s3_bucket.for_each_buckets", '["logs"]'): TagSet(
        {**DEFAULTS, "Owner": "storage@example.org", "Name": "logs"}
    ),
    ("module.storage.module.queue.aws_sqs_queue.nested_module_queue_missing_owner", None): TagSet(
        {**DEFAULTS, "Environment": "dev"}
    ),
}


def test_aws_plan_has_every_managed_resource_but_deleted_and_data(
    aws_plan: dict[tuple[str, str | None], Resource],
) -> None:
    assert set(aws_plan) == set(AWS_EXPECTED_TAGS)
    addresses = {address for address, _ in aws_plan}
    assert "aws_cloudwatch_log_group.log_group_removed_deleted" not in addresses
    assert not any(address.startswith("data.") for address in addresses)


@pytest.mark.parametrize("key", sorted(AWS_EXPECTED_TAGS, key=str))
def test_aws_plan_tags_are_exact(aws_plan: dict[tuple[str, str | None], Resource], key: tuple[str, str | None]) -> None:
    assert aws_plan[key].tags == AWS_EXPECTED_TAGS[key]


def test_aws_plan_resource_fields(aws_plan: dict[tuple[str, str | None], Resource]) -> None:
    topic = aws_plan[("aws_sns_topic.topic_count_instances", "[1]")]
    assert (topic.provider, topic.type, topic.name, topic.region, topic.file) == (
        "aws",
        "aws_sns_topic",
        "topic_count_instances",
        "eu-west-1",
        AWS_PLAN,
    )
    assert topic.taggability is Taggability.TAGGABLE
    policy = aws_plan[("aws_s3_bucket_policy.bucket_policy_untaggable", None)]
    assert policy.taggability is Taggability.UNTAGGABLE


@pytest.mark.parametrize(
    ("key", "full_address"),
    [
        (("aws_instance.instance_fully_tagged", None), "aws_instance.instance_fully_tagged"),
        (("aws_sns_topic.topic_count_instances", "[1]"), "aws_sns_topic.topic_count_instances[1]"),
        (
            ("module.storage.aws_s3_bucket.for_each_buckets", '["logs"]'),
            'module.storage.aws_s3_bucket.for_each_buckets[\\"logs\\"]',
        ),
        (
            ("module.storage.module.queue.aws_sqs_queue.nested_module_queue_missing_owner", None),
            "module.storage.module.queue.aws_sqs_queue.nested_module_queue_missing_owner",
        ),
    ],
)
def test_line_is_where_the_address_first_appears(
    aws_plan: dict[tuple[str, str | None], Resource], key: tuple[str, str | None], full_address: str
) -> None:
    assert aws_plan[key].line == first_line_with(AWS_PLAN, f'"address": "{full_address}"')


@pytest.fixture(scope="module")
def google_plan() -> dict[tuple[str, str | None], Resource]:
    result = load(GOOGLE_PLAN)
    assert result.problems == []
    return keyed(result)


GOOGLE_DEFAULTS = {"environment": "prod", "goog-terraform-provisioned": "true"}
GOOGLE_EXPECTED_TAGS = {
    ("google_storage_bucket.bucket_effective_labels_with_default_labels", None): TagSet(
        {"owner": "data-team", **GOOGLE_DEFAULTS}
    ),
    ("google_compute_instance.instance_label_value_unknown", None): TagSet(
        {
            "owner": "web-team",
            **GOOGLE_DEFAULTS,
            "source": Unknown(("google_compute_instance.instance_label_value_unknown.labels.source",)),
        }
    ),
    ("google_container_cluster.cluster_resource_labels_with_default_labels", None): TagSet(
        {"team": "platform", **GOOGLE_DEFAULTS}
    ),
    ("google_container_node_pool.node_pool_resource_labels_not_kubernetes_labels", None): TagSet({"owner": "platform"}),
    ("google_sql_database_instance.sql_user_labels_nested", None): TagSet({"owner": "db-team"}),
    ("google_pubsub_topic.topic_effective_labels_unknown_labels_known", None): TagSet(
        {"owner": "events-team"}, open_deps=("google_pubsub_topic.topic_effective_labels_unknown_labels_known.labels",)
    ),
    ("google_compute_firewall.firewall_untaggable", None): TagSet(),
    ("module.team.azurerm_resource_group.rg_tags_without_tags_all", '["payments"]'): TagSet(
        {"Owner": "payments@example.org"}
    ),
}


def test_google_and_azure_plan_resources(google_plan: dict[tuple[str, str | None], Resource]) -> None:
    assert set(google_plan) == set(GOOGLE_EXPECTED_TAGS)


@pytest.mark.parametrize("key", sorted(GOOGLE_EXPECTED_TAGS, key=str))
def test_google_and_azure_tags_are_exact(
    google_plan: dict[tuple[str, str | None], Resource], key: tuple[str, str | None]
) -> None:
    assert google_plan[key].tags == GOOGLE_EXPECTED_TAGS[key]


def test_google_and_azure_providers(google_plan: dict[tuple[str, str | None], Resource]) -> None:
    assert google_plan[("google_sql_database_instance.sql_user_labels_nested", None)].provider == "gcp"
    assert google_plan[("google_sql_database_instance.sql_user_labels_nested", None)].region == "europe-west1"
    rg = google_plan[("module.team.azurerm_resource_group.rg_tags_without_tags_all", '["payments"]')]
    assert (rg.provider, rg.region) == ("azure", None)
    assert google_plan[("google_compute_firewall.firewall_untaggable", None)].taggability is Taggability.UNTAGGABLE


def test_plan_without_planned_values_reads_resource_changes(write: object, tmp_path: Path) -> None:
    plan = json.loads((FIXTURES / AWS_PLAN).read_text(encoding="utf-8"))
    del plan["planned_values"]
    path = write("changes_only.json", json.dumps(plan))  # type: ignore[operator]
    result = PlanJsonLoader().load([path], tmp_path, LoadOptions(default_registry()))
    assert result.problems == []
    resources = keyed(result)
    assert set(resources) == set(AWS_EXPECTED_TAGS)
    assert (
        resources[("aws_instance.instance_fully_tagged", None)].tags
        == AWS_EXPECTED_TAGS[("aws_instance.instance_fully_tagged", None)]
    )
    assert {resource.line for resource in result.resources} == {1}  # terraform prints the plan on one line


def test_errored_plan_gets_a_note(write: object, tmp_path: Path) -> None:
    path = write("errored.json", json.dumps({"format_version": "1.2", "resource_changes": [], "errored": True}))  # type: ignore[operator]
    result = PlanJsonLoader().load([path], tmp_path, LoadOptions(default_registry()))
    assert result.notes == ["errored.json: the plan errored, so it may not list every resource"]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("aws_s3_bucket.b", ("aws_s3_bucket.b", "")),
        ("aws_s3_bucket.b[0]", ("aws_s3_bucket.b", "[0]")),
        ('module.a["x"].module.b.aws_s3_bucket.c["k"]', ("module.a.module.b.aws_s3_bucket.c", '["x"]["k"]')),
        ('aws_s3_bucket.b["we]ird \\"key\\"."]', ("aws_s3_bucket.b", '["we]ird \\"key\\"."]')),
    ],
)
def test_split_instance_keys(address: str, expected: tuple[str, str]) -> None:
    assert split_instance_keys(address) == expected


# --- claims and bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "claimed"),
    [
        ("plan.json", b'{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{}}', True),
        ("plan.json", b'{"format_version":"1.2","resource_changes":[]}', True),
        ("plan.json", b'{"format_version":"1.2","terraform_version":"1.9.0","variables":{"big":', True),
        ("plan.json", b'{"planned_values": {}}', False),
        ("other.json", b'{"format_version": "2", "variables": {}}', False),
        ("state.json", b'{"format_version":"1.0","terraform_version":"1.11.4","values":{"root_module":{}}}', False),
        ("template.json", b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}', False),
        ("plan.yaml", b'{"format_version":"1.2","planned_values":{}}', False),
    ],
)
def test_claims(name: str, head: bytes, claimed: bool) -> None:
    assert PlanJsonLoader().claims(Path(name), head) is claimed


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("broken.json", '{\n  "format_version": "1.2",\n  "planned_values": {\n}\n', 5, "invalid JSON"),
        ("binary.json", b'{"format_version":"1.2",\n"planned_values":\x00\x01}', 1, "binary"),
        ("empty.json", "", 1, "empty file"),
        ("latin1.json", '{"format_version": "1.2",\n"x": "caf\xe9"}'.encode("latin-1"), 2, "not UTF-8"),
        ("list.json", "[1, 2]", 1, "not a Terraform plan"),
        ("state.json", '{"format_version": "1.0", "values": {}}', 1, "not a Terraform plan"),
    ],
)
def test_bad_input_becomes_a_source_problem(
    write: object, tmp_path: Path, name: str, content: str | bytes, line: int, message: str
) -> None:
    path = write(name, content)  # type: ignore[operator]
    result = PlanJsonLoader().load([path], tmp_path, LoadOptions(default_registry()))
    assert result.resources == []
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.line, problem.rule) == (name, line, "parse-error")
    assert message in problem.message


def test_odd_shapes_never_raise(write: object, tmp_path: Path) -> None:
    odd = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    "not an object",
                    {"address": "aws_s3_bucket.no_values", "mode": "managed", "type": "aws_s3_bucket"},
                    {"address": "aws_s3_bucket.list_tags", "mode": "managed", "type": "aws_s3_bucket",
                     "values": {"tags_all": ["a", "b"]}},
                    {"mode": "managed", "type": "aws_s3_bucket"},
                ],
                "child_modules": [None, {"resources": None}],
            }
        },
        "resource_changes": [{"address": "aws_s3_bucket.no_values", "change": "weird"}, 7],
    }  # fmt: skip
    path = write("odd.json", json.dumps(odd))  # type: ignore[operator]
    result = PlanJsonLoader().load([path], tmp_path, LoadOptions(default_registry()))
    assert result.problems == []
    assert {resource.address: resource.tags for resource in result.resources} == {
        "aws_s3_bucket.no_values": TagSet(),
        "aws_s3_bucket.list_tags": TagSet(),
    }


_KEYS = ["tags", "tags_all", "tag", "key", "value", "labels", "effective_labels", "settings", "user_labels", "Owner"]
_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(["", "x", "Owner"]))
_values = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.sampled_from(_KEYS), children, max_size=3)
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(
    resource_type=st.sampled_from(["aws_s3_bucket", "aws_autoscaling_group", "google_sql_database_instance", "x_y"]),
    values=_values,
    after_unknown=_values,
)
def test_any_value_shape_loads_without_an_internal_error(
    resource_type: str, values: object, after_unknown: object
) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [{"address": "r.x", "mode": "managed", "type": resource_type, "values": values}]
            }
        },
        "resource_changes": [{"address": "r.x", "change": {"actions": ["create"], "after_unknown": after_unknown}}],
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        result = PlanJsonLoader().load([path], Path(folder), LoadOptions(default_registry()))
    assert result.problems == []
    assert [resource.address for resource in result.resources] == ["r.x"]
