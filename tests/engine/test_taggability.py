"""The taggability registry: built-in tables, kinds across namespaces, provider schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagwarden.engine.resources import Taggability
from tagwarden.engine.taggability import aws, aws_cloudformation, azure, gcp, utility
from tagwarden.engine.taggability.groups import (
    AWS_TAG_BLOCKS,
    CFN_LIST,
    KEY_VALUE_LIST,
    MAP,
    TAG_STYLES,
    TypeGroup,
)
from tagwarden.engine.taggability.provider_schema import ProviderSchemaError
from tagwarden.engine.taggability.registry import (
    TaggabilityRegistry,
    TypeInfo,
    build_registry,
    default_registry,
)

TAGGABLE = Taggability.TAGGABLE
UNTAGGABLE = Taggability.UNTAGGABLE
UNCLASSIFIED = Taggability.UNCLASSIFIED

SCHEMA_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "provider_schema" / "mixed_providers.json"


@pytest.fixture(scope="module")
def registry() -> TaggabilityRegistry:
    return default_registry()


@pytest.fixture(scope="module")
def schema_registry(registry: TaggabilityRegistry) -> TaggabilityRegistry:
    return registry.with_provider_schema(json.loads(SCHEMA_FIXTURE.read_text(encoding="utf-8")))


def test_default_registry_is_built_once() -> None:
    assert default_registry() is default_registry()


@pytest.mark.parametrize(
    ("resource_type", "expected"),
    [
        # Terraform AWS
        ("aws_instance", TypeInfo("aws_instance", "aws", TAGGABLE, (("tags",),), True, MAP, "aws/ec2/instance")),
        ("aws_s3_bucket", TypeInfo("aws_s3_bucket", "aws", TAGGABLE, (("tags",),), True, MAP, "aws/s3/bucket")),
        (
            "aws_autoscaling_group",
            TypeInfo(
                "aws_autoscaling_group", "aws", TAGGABLE, (("tag",),), False, AWS_TAG_BLOCKS, "aws/autoscaling/group"
            ),
        ),
        (
            "aws_s3_bucket_policy",
            TypeInfo("aws_s3_bucket_policy", "aws", UNTAGGABLE, kind="aws/s3/bucket-policy"),
        ),
        # Terraform Azure: tags, but no provider default tags
        (
            "azurerm_storage_account",
            TypeInfo("azurerm_storage_account", "azure", TAGGABLE, (("tags",),), False, MAP, "azure/storage/account"),
        ),
        ("azurerm_subnet", TypeInfo("azurerm_subnet", "azure", UNTAGGABLE, kind="azure/network/subnet")),
        # Terraform Google: labels, some of them nested
        (
            "google_storage_bucket",
            TypeInfo("google_storage_bucket", "gcp", TAGGABLE, (("labels",),), True, MAP, "gcp/storage/bucket"),
        ),
        (
            "google_container_cluster",
            TypeInfo(
                "google_container_cluster", "gcp", TAGGABLE, (("resource_labels",),), True, MAP, "gcp/container/cluster"
            ),
        ),
        (
            "google_container_node_pool",
            TypeInfo(
                "google_container_node_pool",
                "gcp",
                TAGGABLE,
                (("node_config", "resource_labels"),),
                False,
                MAP,
                "gcp/container/node-pool",
            ),
        ),
        (
            "google_sql_database_instance",
            TypeInfo(
                "google_sql_database_instance",
                "gcp",
                TAGGABLE,
                (("settings", "user_labels"),),
                False,
                MAP,
                "gcp/sql/instance",
            ),
        ),
        (
            "google_compute_firewall",
            TypeInfo("google_compute_firewall", "gcp", UNTAGGABLE, kind="gcp/compute/firewall"),
        ),
        ("google_project_iam_member", TypeInfo("google_project_iam_member", "gcp", UNTAGGABLE)),
        # CloudFormation
        (
            "AWS::EC2::Instance",
            TypeInfo("AWS::EC2::Instance", "aws", TAGGABLE, (("Tags",),), False, CFN_LIST, "aws/ec2/instance"),
        ),
        (
            "AWS::SSM::Parameter",
            TypeInfo("AWS::SSM::Parameter", "aws", TAGGABLE, (("Tags",),), False, MAP, "aws/ssm/parameter"),
        ),
        (
            "AWS::Serverless::Function",
            TypeInfo("AWS::Serverless::Function", "aws", TAGGABLE, (("Tags",),), False, MAP, "aws/lambda/function"),
        ),
        (
            "AWS::Route53::HostedZone",
            TypeInfo(
                "AWS::Route53::HostedZone",
                "aws",
                TAGGABLE,
                (("HostedZoneTags",),),
                False,
                CFN_LIST,
                "aws/route53/hostedzone",
            ),
        ),
        ("AWS::S3::BucketPolicy", TypeInfo("AWS::S3::BucketPolicy", "aws", UNTAGGABLE, kind="aws/s3/bucket-policy")),
        ("AWS::IAM::Policy", TypeInfo("AWS::IAM::Policy", "aws", UNTAGGABLE, kind="aws/iam/inline-policy")),
        # Live
        ("ec2:instance", TypeInfo("ec2:instance", "aws", TAGGABLE, kind="aws/ec2/instance")),
        ("iam:group", TypeInfo("iam:group", "aws", UNTAGGABLE, kind="aws/iam/group")),
        (
            "Microsoft.Storage/storageAccounts",
            TypeInfo("Microsoft.Storage/storageAccounts", "azure", TAGGABLE, kind="azure/storage/account"),
        ),
        (
            "storage.googleapis.com/Bucket",
            TypeInfo("storage.googleapis.com/Bucket", "gcp", TAGGABLE, kind="gcp/storage/bucket"),
        ),
        (
            "compute.googleapis.com/Firewall",
            TypeInfo("compute.googleapis.com/Firewall", "gcp", UNTAGGABLE, kind="gcp/compute/firewall"),
        ),
    ],
)
def test_info_of_listed_types(registry: TaggabilityRegistry, resource_type: str, expected: TypeInfo) -> None:
    assert registry.info(resource_type) == expected


@pytest.mark.parametrize(
    "resource_type",
    [
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_iam_role_policy_attachment",
        "aws_route",
        "aws_security_group_rule",
        "aws_route_table_association",
        "aws_iam_policy_document",
        "aws_autoscaling_group_tag",
        "aws_inspector_resource_group",
    ],
)
def test_common_aws_sub_resources_are_untaggable(registry: TaggabilityRegistry, resource_type: str) -> None:
    assert registry.info(resource_type).taggability is UNTAGGABLE


@pytest.mark.parametrize(
    ("resource_type", "provider"),
    [
        ("random_pet", "random"),
        ("random_string", "random"),
        ("null_resource", "null"),
        ("terraform_data", "terraform"),
        ("time_sleep", "time"),
        ("tls_private_key", "tls"),
        ("local_file", "local"),
        ("archive_file", "archive"),
        ("external", "external"),
        ("http", "http"),
        ("random_some_future_type", "random"),
    ],
)
def test_utility_provider_types_are_untaggable(
    registry: TaggabilityRegistry, resource_type: str, provider: str
) -> None:
    info = registry.info(resource_type)
    assert (info.taggability, info.provider) == (UNTAGGABLE, provider)


@pytest.mark.parametrize(
    ("resource_type", "provider"),
    [
        ("aws_not_a_real_type", "aws"),
        ("awscc_s3_bucket", "aws"),
        ("azurerm_not_a_real_type", "azure"),
        ("google_not_a_real_type", "gcp"),
        ("kubernetes_namespace", "kubernetes"),
        ("AWS::New::Thing", "aws"),
        ("newservice:widget", "aws"),
        ("Microsoft.New/widgets", "azure"),
        ("new.googleapis.com/Widget", "gcp"),
        ("", ""),
    ],
)
def test_unknown_types_are_unclassified_never_raise(
    registry: TaggabilityRegistry, resource_type: str, provider: str
) -> None:
    info = registry.info(resource_type)
    assert info == TypeInfo(resource_type, provider, UNCLASSIFIED)
    assert registry.provider_of(resource_type) == provider
    assert registry.equivalent_types(resource_type) == frozenset({resource_type})


def test_equivalent_types_link_namespaces(registry: TaggabilityRegistry) -> None:
    assert registry.equivalent_types("aws_instance") == {"aws_instance", "AWS::EC2::Instance", "ec2:instance"}
    assert registry.equivalent_types("ec2:instance") == registry.equivalent_types("AWS::EC2::Instance")
    assert registry.equivalent_types("AWS::Serverless::Function") == {
        "aws_lambda_function",
        "AWS::Lambda::Function",
        "AWS::Serverless::Function",
        "lambda:function",
    }
    assert {"aws_lb", "aws_alb", "elasticloadbalancing:loadbalancer/app"} <= registry.equivalent_types("aws_lb")
    assert registry.equivalent_types("azurerm_linux_virtual_machine") == {
        "azurerm_linux_virtual_machine",
        "azurerm_windows_virtual_machine",
        "azurerm_virtual_machine",
        "Microsoft.Compute/virtualMachines",
    }
    assert registry.equivalent_types("google_compute_instance") >= {
        "google_compute_instance",
        "compute.googleapis.com/Instance",
    }


def test_arm_types_are_case_insensitive(registry: TaggabilityRegistry) -> None:
    info = registry.info("microsoft.compute/virtualmachines")
    assert (info.type, info.taggability) == ("Microsoft.Compute/virtualMachines", TAGGABLE)
    equivalent = registry.equivalent_types("microsoft.compute/virtualmachines")
    assert {"microsoft.compute/virtualmachines", "azurerm_linux_virtual_machine"} <= equivalent


def test_default_tags_follow_the_provider(registry: TaggabilityRegistry) -> None:
    for name in aws.TERRAFORM_TAGGABLE:
        assert registry.info(name).default_tags, name
    for name in azure.TERRAFORM_TAGGABLE:
        assert not registry.info(name).default_tags, name
    for name in gcp.TERRAFORM_LABELS:
        assert registry.info(name).default_tags, name
    assert not registry.info("aws_autoscaling_group").default_tags


def test_tables_cover_the_common_types_of_each_cloud(registry: TaggabilityRegistry) -> None:
    def classified(prefix: str) -> int:
        return sum(
            1
            for name in registry.known_types()
            if name.startswith(prefix) and registry.info(name).taggability is not UNCLASSIFIED
        )

    assert classified("aws_") >= 1500
    assert classified("AWS::") >= 1800
    assert classified("azurerm_") >= 250
    assert classified("google_") >= 150


def test_every_group_is_well_formed() -> None:
    groups: list[TypeGroup] = [
        *aws.GROUPS,
        *aws_cloudformation.GROUPS,
        *azure.GROUPS,
        *gcp.GROUPS,
        *utility.GROUPS,
    ]
    for group in groups:
        assert group.tag_style in TAG_STYLES
        if group.taggability is TAGGABLE and not _is_live_group(group):
            assert group.tag_paths, group.types[:3]
        if group.taggability is UNTAGGABLE:
            assert not group.tag_paths and not group.default_tags


def _is_live_group(group: TypeGroup) -> bool:
    return any(":" in name or "/" in name for name in group.types) and not group.types[0].startswith("AWS::")


def test_kind_members_are_classified_except_known_gaps(registry: TaggabilityRegistry) -> None:
    # Types linked for scope matching whose Terraform schema tagwarden does not assert.
    known_gaps = {"google_compute_global_address"}
    for table in (aws.KINDS, azure.KINDS, gcp.KINDS):
        for kind, members in table.items():
            for member in members:
                info = registry.info(member)
                assert info.kind == kind
                assert info.taggability is not UNCLASSIFIED or member in known_gaps, member


def test_build_registry_rejects_a_type_listed_twice() -> None:
    group = TypeGroup("aws", TAGGABLE, ("aws_x",), (("tags",),))
    with pytest.raises(ValueError, match="aws_x is listed twice"):
        build_registry([group, group], {})


def test_build_registry_rejects_a_type_in_two_kinds() -> None:
    with pytest.raises(ValueError, match="aws_x is in kinds"):
        build_registry([], {"a": ("aws_x",), "b": ("aws_x",)})


# --- provider schema -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "taggability", "tag_paths", "default_tags", "tag_style"),
    [
        ("aws_instance", TAGGABLE, (("tags",),), True, MAP),
        ("aws_sqs_queue", TAGGABLE, (("tags",),), True, MAP),
        ("aws_example_widget", TAGGABLE, (("tags",),), True, MAP),
        ("aws_autoscaling_group", TAGGABLE, (("tag",),), False, AWS_TAG_BLOCKS),
        ("aws_autoscaling_group_tag", UNTAGGABLE, (), False, MAP),
        ("aws_inspector_resource_group", UNTAGGABLE, (), False, MAP),
        ("aws_s3_bucket_policy", UNTAGGABLE, (), False, MAP),
        ("aws_s3_bucket_versioning", UNTAGGABLE, (), False, MAP),
        ("aws_iam_role_policy_attachment", UNTAGGABLE, (), False, MAP),
        ("google_storage_bucket", TAGGABLE, (("labels",),), True, MAP),
        ("google_compute_firewall", UNTAGGABLE, (), False, MAP),
        ("google_container_cluster", TAGGABLE, (("resource_labels",),), True, MAP),
        ("google_container_node_pool", TAGGABLE, (("node_config", "resource_labels"),), False, MAP),
        ("google_sql_database_instance", TAGGABLE, (("settings", "user_labels"),), False, MAP),
        ("google_monitoring_notification_channel", TAGGABLE, (("user_labels",),), False, MAP),
        ("google_project_iam_member", UNTAGGABLE, (), False, MAP),
        ("azurerm_resource_group", TAGGABLE, (("tags",),), False, MAP),
        ("azurerm_subnet", UNTAGGABLE, (), False, MAP),
        ("awscc_s3_bucket", TAGGABLE, (("tags",),), False, KEY_VALUE_LIST),
        ("kubernetes_namespace", UNTAGGABLE, (), False, MAP),
    ],
)
def test_provider_schema_classifies_every_type_exactly(
    schema_registry: TaggabilityRegistry,
    resource_type: str,
    taggability: Taggability,
    tag_paths: tuple[tuple[str, ...], ...],
    default_tags: bool,
    tag_style: str,
) -> None:
    info = schema_registry.info(resource_type)
    assert (info.taggability, info.tag_paths, info.default_tags, info.tag_style) == (
        taggability,
        tag_paths,
        default_tags,
        tag_style,
    )


def test_provider_schema_keeps_kinds_and_other_types(
    registry: TaggabilityRegistry, schema_registry: TaggabilityRegistry
) -> None:
    assert schema_registry.info("aws_instance").kind == "aws/ec2/instance"
    assert schema_registry.info("aws_example_widget").provider == "aws"
    assert schema_registry.info("awscc_s3_bucket").provider == "aws"
    assert schema_registry.info("AWS::EC2::Instance") == registry.info("AWS::EC2::Instance")
    assert schema_registry.equivalent_types("aws_instance") == registry.equivalent_types("aws_instance")
    # the original registry is unchanged
    assert registry.info("aws_example_widget").taggability is UNCLASSIFIED


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({}, "provider_schemas"),
        ({"provider_schemas": []}, "provider_schemas"),
        ({"provider_schemas": {"registry.terraform.io/hashicorp/aws": {"resource_schemas": []}}}, "resource_schemas"),
        ({"provider_schemas": {"p": {"resource_schemas": {"aws_x": {"version": 0}}}}}, "aws_x has no 'block'"),
    ],
)
def test_provider_schema_of_the_wrong_shape_is_an_error(
    registry: TaggabilityRegistry, schema: dict[str, object], message: str
) -> None:
    with pytest.raises(ProviderSchemaError, match=message):
        registry.with_provider_schema(schema)


def test_provider_without_resources_is_accepted(registry: TaggabilityRegistry) -> None:
    derived = registry.with_provider_schema({"format_version": "1.0", "provider_schemas": {"p": {"provider": {}}}})
    assert derived.info("aws_instance") == registry.info("aws_instance")
