"""CloudFormation loader: the fixtures' logical ids say what must be read from each resource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagwarden.engine.resources import Resource, SourceProblem, Suppression, Taggability, TagSet, Unknown
from tagwarden.engine.taggability.registry import default_registry
from tagwarden.iac_checks.cloudformation import CloudFormationLoader
from tagwarden.iac_checks.interface import LoadOptions, LoadResult

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cloudformation"


def load(*names: str, root: Path = FIXTURES) -> LoadResult:
    return CloudFormationLoader().load([root / name for name in names], root, LoadOptions(default_registry()))


def by_address(result: LoadResult) -> dict[str, Resource]:
    return {resource.address: resource for resource in result.resources}


def line_of(name: str, text: str) -> int:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.fixture(scope="module")
def yaml_resources() -> dict[str, Resource]:
    result = load("tagging_cases.yaml")
    assert result.problems == []
    return by_address(result)


YAML_EXPECTED_TAGS = {
    "InstanceFullyTagged": TagSet({"Owner": "web@example.org", "CostCenter": "cc-1000", "Environment": "prod"}),
    "BucketMissingOwner": TagSet({"CostCenter": "cc-1000"}),
    "BucketWithoutTags": TagSet(),
    "QueueTagsFromParameterDefault": TagSet({"Owner": "team-a@example.org", "CostCenter": "cc-1000"}),
    "TopicTagFromImportValueUnknown": TagSet(
        {"Owner": Unknown(("ImportValue:shared-owner-email",)), "CostCenter": "cc-1000"}
    ),
    "ParameterStoreTagsAsMap": TagSet({"Owner": "params@example.org", "CostCenter": "cc-2000"}),
    "TableTagsFromPseudoParameterAndMissingDefaultUnknown": TagSet(
        {"Account": Unknown(("Ref:AWS::AccountId",)), "Owner": Unknown(("Ref:OwnerNoDefault",))}
    ),
    "LogGroupTagFromGetAttUnknown": TagSet({"Source": Unknown(("GetAtt:BucketMissingOwner.Arn",))}),
    "FunctionTagsWholeValueFromParameterOpen": TagSet({}, open_deps=("Ref:TagListParam",)),
    "RoleTagsFromMappingAndDecidedConditions": TagSet({"Environment": "production", "Tier": "gold", "Backup": "daily"}),
    "KeyTagUnderUndecidableConditionUnknown": TagSet(
        {"Owner": "keys@example.org", "DataResidency": Unknown(("Ref:RegionNoDefault",))}
    ),
    "SecretTagsWholeValueUnderUndecidableConditionOpen": TagSet({}, open_deps=("Ref:RegionNoDefault",)),
    "VolumeTagValuesStayStrings": TagSet({"Encrypted": "yes", "Code": "0123", "Since": "2024-01-01", "Empty": ""}),
    "AlarmTagsFromJoinSelectAndEscapedSub": TagSet(
        {"Name": "alarm-prod", "Second": "y", "Literal": "${NotAVariable}-prod"}
    ),
    "HostedZoneTagsUnderOtherProperty": TagSet({"Owner": "dns@example.org"}),
    "BucketSuppressedWithReason": TagSet(),
    "BucketPolicyUntaggable": TagSet(),
    "CustomResourceUnclassified": TagSet(),
    "ProdOnlyBucketWithCondition": TagSet({"Owner": "data@example.org"}),
}


def test_yaml_loads_every_resource(yaml_resources: dict[str, Resource]) -> None:
    assert set(yaml_resources) == set(YAML_EXPECTED_TAGS)


@pytest.mark.parametrize("logical_id", sorted(YAML_EXPECTED_TAGS))
def test_yaml_tags_are_exact(yaml_resources: dict[str, Resource], logical_id: str) -> None:
    assert yaml_resources[logical_id].tags == YAML_EXPECTED_TAGS[logical_id]


@pytest.mark.parametrize("logical_id", sorted(YAML_EXPECTED_TAGS))
def test_yaml_resource_points_at_its_logical_id_line(yaml_resources: dict[str, Resource], logical_id: str) -> None:
    resource = yaml_resources[logical_id]
    assert (resource.file, resource.line) == ("tagging_cases.yaml", line_of("tagging_cases.yaml", f"  {logical_id}:"))
    assert resource.address == logical_id
    assert resource.provider == "aws"


def test_yaml_types_and_taggability(yaml_resources: dict[str, Resource]) -> None:
    assert yaml_resources["InstanceFullyTagged"].type == "AWS::EC2::Instance"
    assert yaml_resources["InstanceFullyTagged"].taggability is Taggability.TAGGABLE
    assert yaml_resources["BucketPolicyUntaggable"].taggability is Taggability.UNTAGGABLE
    assert yaml_resources["CustomResourceUnclassified"].taggability is Taggability.UNCLASSIFIED


def test_suppression_comment_above_the_logical_id(yaml_resources: dict[str, Resource]) -> None:
    line = line_of("tagging_cases.yaml", "tagwarden:ignore")
    assert yaml_resources["BucketSuppressedWithReason"].suppressions == (
        Suppression(("owner",), "legacy bucket, migration tracked in FIN-123", line),
    )
    assert yaml_resources["BucketMissingOwner"].suppressions == ()


def test_resource_condition_is_kept_in_context(yaml_resources: dict[str, Resource]) -> None:
    assert yaml_resources["ProdOnlyBucketWithCondition"].context == {"condition": "IsProd"}
    assert yaml_resources["InstanceFullyTagged"].context == {}


def test_json_template() -> None:
    result = load("tagging_cases.json")
    assert result.problems == []
    resources = by_address(result)
    assert {address: resource.tags for address, resource in resources.items()} == {
        "InstanceFullyTagged": TagSet({"Owner": "web@example.org", "CostCenter": "cc-1000"}),
        "QueueTagsFromParameterDefault": TagSet({"Owner": "team-b@example.org"}),
        "TopicTagFromImportValueUnknown": TagSet({"Owner": Unknown(("ImportValue", "Ref:AWS::StackName"))}),
        "ParameterStoreTagsAsMap": TagSet({"Owner": "params@example.org", "Replicas": "3", "Enabled": "true"}),
        "BucketMissingOwner": TagSet({"Resources": "a key named like the section"}),
    }
    for address, resource in resources.items():
        assert (resource.file, resource.line) == ("tagging_cases.json", line_of("tagging_cases.json", f'"{address}"'))


def test_sam_globals_tags_are_inherited_and_overridden() -> None:
    result = load("sam_globals.yaml")
    assert result.problems == []
    assert {address: resource.tags for address, resource in by_address(result).items()} == {
        "FunctionInheritsGlobalTags": TagSet({"Owner": "platform@example.org", "CostCenter": "cc-3000"}),
        "FunctionOverridesGlobalOwner": TagSet({"Owner": "payments@example.org", "CostCenter": "cc-3000"}),
        "HttpApiWithoutGlobalTags": TagSet(),
    }


def test_file_is_named_relative_to_the_root(tmp_path: Path) -> None:
    target = tmp_path / "stacks" / "prod" / "app.yaml"
    target.parent.mkdir(parents=True)
    target.write_text((FIXTURES / "sam_globals.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = CloudFormationLoader().load([target], tmp_path, LoadOptions(default_registry()))
    assert {resource.file for resource in result.resources} == {"stacks/prod/app.yaml"}


# --- claims ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "claimed"),
    [
        ("a.yaml", b'AWSTemplateFormatVersion: "2010-09-09"\n', True),
        ("a.yml", b"Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n", True),
        ("a.template", b'{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}', True),
        ("a.json", b'{\n  "Resources": {\n    "B": {\n      "Type": "AWS::SNS::Topic"\n    }\n  }\n}', True),
        (
            "a.yaml",
            b"Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n",
            True,
        ),
        ("a.yaml", b"apiVersion: apps/v1\nkind: Deployment\n", False),
        ("serverless.yml", b"service: x\nresources:\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n", False),
        ("a.json", b'{"format_version": "1.2", "planned_values": {}}', False),
        ("a.json", b'{"Resources": {"x": {"Type": "Custom::Thing"}}}', False),
        ("a.tf", b'AWSTemplateFormatVersion = "x"', False),
        ("a.yaml", b"\xff\xfe garbage", False),
    ],
)
def test_claims(name: str, head: bytes, claimed: bool) -> None:
    assert CloudFormationLoader().claims(Path(name), head) is claimed


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        (
            "bad_indent.yaml",
            'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n   Oops: [\n',
            5,
            "invalid YAML",
        ),
        ("bad.json", '{\n  "Resources": {\n    "Bucket": {"Type": "AWS::S3::Bucket",}\n  }\n}\n', 3, "invalid JSON"),
        ("binary.yaml", b"AWSTemplateFormatVersion: x\nResources:\x00\x01\x02", 1, "binary"),
        ("empty.yaml", "", 1, "empty file"),
        ("comments_only.yaml", "# nothing here\n", 1, "empty file"),
        ("latin1.yaml", "AWSTemplateFormatVersion: x\nDescription: caf\xe9\n".encode("latin-1"), 2, "not UTF-8"),
        ("list.yaml", "- a\n- b\n", 1, "not a mapping"),
        ("no_resources.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\n', 1, "no Resources"),
        ("unknown_tag.yaml", "Resources:\n  B:\n    Type: !Nope AWS::S3::Bucket\n", 3, "invalid YAML"),
        ("python_tag.yaml", "Resources: !!python/object/apply:os.system ['true']\n", 1, "invalid YAML"),
    ],
)
def test_bad_input_becomes_a_source_problem(
    write: object, tmp_path: Path, name: str, content: str | bytes, line: int, message: str
) -> None:
    path = write(name, content)  # type: ignore[operator]
    result = CloudFormationLoader().load([path], tmp_path, LoadOptions(default_registry()))
    assert result.resources == []
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.line, problem.rule) == (name, line, "parse-error")
    assert message in problem.message


def test_resource_without_type_is_a_problem_and_the_rest_still_loads(write: object, tmp_path: Path) -> None:
    text = "Resources:\n  NoType:\n    Properties: {}\n  Fine:\n    Type: AWS::SQS::Queue\n"
    path = write("partial.yaml", text)  # type: ignore[operator]
    result = CloudFormationLoader().load([path], tmp_path, LoadOptions(default_registry()))
    assert result.problems == [SourceProblem("partial.yaml", 2, "resource NoType has no Type")]
    assert [resource.address for resource in result.resources] == ["Fine"]


def test_a_bad_file_does_not_stop_the_others(write: object, tmp_path: Path) -> None:
    bad = write("a_bad.yaml", "Resources: [\n")  # type: ignore[operator]
    good = write("b_good.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")  # type: ignore[operator]
    result = CloudFormationLoader().load([bad, good], tmp_path, LoadOptions(default_registry()))
    assert [problem.file for problem in result.problems] == ["a_bad.yaml"]
    assert [resource.address for resource in result.resources] == ["Q"]


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    result = CloudFormationLoader().load([tmp_path / "gone.yaml"], tmp_path, LoadOptions(default_registry()))
    assert [problem.file for problem in result.problems] == ["gone.yaml"]


# --- robustness --------------------------------------------------------------------------------

_INTRINSIC_KEYS = ["Ref", "Condition", "Fn::If", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::GetAtt",
                   "Fn::FindInMap", "Fn::ImportValue", "Fn::Base64", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or",
                   "Key", "Value", "Tags", "Default", "AWS::NoValue"]  # fmt: skip
_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(["", "x", "${x}", "${!y}", "a.b"]))
_values = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(_INTRINSIC_KEYS), children, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tags=_values, parameters=_values, conditions=_values)
def test_any_template_shape_loads_without_an_internal_error(
    tmp_path: Path, tags: object, parameters: object, conditions: object
) -> None:
    template = {
        "Parameters": {"P": parameters},
        "Conditions": {"C": conditions, "x": conditions},
        "Mappings": {"M": {"x": parameters}},
        "Resources": {"R": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": tags}}},
    }
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    result = CloudFormationLoader().load([path], tmp_path, LoadOptions(default_registry()))
    assert result.problems == []
    assert len(result.resources) == 1
