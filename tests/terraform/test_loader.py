"""Terraform folders -> resources: what each construct contributes to a resource's tags."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tagwarden.engine.resources import Resource, Taggability, TagSet, Unknown
from tagwarden.engine.taggability.registry import default_registry
from tagwarden.iac_checks.collect import collect
from tagwarden.iac_checks.interface import LoadOptions, LoadResult


def load(root: Path, *, var_files=(), environ=None, cache_dir=None) -> LoadResult:
    options = LoadOptions(
        registry=default_registry(), var_files=tuple(var_files), environ=environ or {}, cache_dir=cache_dir
    )
    return collect([root], options)


def tf(write, name: str, text: str) -> Path:
    return write(name, textwrap.dedent(text))


def by_address(result: LoadResult) -> dict[str, Resource]:
    return {r.address + (r.instance or ""): r for r in result.resources}


def tags(resource: Resource) -> TagSet:
    return resource.tags


def test_locals_merge_interpolation_conditional_lookup(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        locals {
          env    = "prod"
          common = { Owner = "a@example.org", Environment = local.env }
          cc     = { prod = "cc-1", dev = "cc-2" }
        }
        resource "aws_s3_bucket" "merge_of_locals" {
          tags = merge(local.common, {
            CostCenter = lookup(local.cc, local.env, "cc-0")
            Name       = "bucket-${local.env}"
            Tier       = local.env == "prod" ? "gold" : "bronze"
            Count      = tomap({ a = 1 })["a"]
          })
        }
        """,
    )
    (bucket,) = load(tmp_path).resources
    assert dict(bucket.tags.known) == {
        "Owner": "a@example.org",
        "Environment": "prod",
        "CostCenter": "cc-1",
        "Name": "bucket-prod",
        "Tier": "gold",
        "Count": "1",
    }
    assert (bucket.file, bucket.line, bucket.address) == ("main.tf", 7, "aws_s3_bucket.merge_of_locals")


def test_variable_sources_in_precedence_order(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        variable "a" { default = "from-default" }
        variable "b" { default = "from-default" }
        variable "c" { default = "from-default" }
        variable "d" { default = "from-default" }
        variable "e" {}
        variable "tags" { type = map(string) }
        resource "aws_instance" "variables_everywhere" {
          tags = merge(var.tags, { A = var.a, B = var.b, C = var.c, D = var.d, E = var.e })
        }
        """,
    )
    write("terraform.tfvars", 'b = "from-tfvars"\nc = "from-tfvars"\n')
    write("x.auto.tfvars", 'c = "from-auto"\n')
    extra = write("extra.tfvars", 'd = "from-var-file"\n')
    environ = {"TF_VAR_a": "from-env", "TF_VAR_b": "env-loses-to-tfvars", "TF_VAR_tags": '{ Owner = "o" }'}
    (instance,) = load(tmp_path, var_files=[extra], environ=environ).resources
    assert dict(instance.tags.known) == {
        "Owner": "o",
        "A": "from-env",
        "B": "from-tfvars",
        "C": "from-auto",
        "D": "from-var-file",
        "E": Unknown(("var.e",)),
    }


def test_unset_variable_map_leaves_tags_open_and_names_it(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        variable "tags" { type = map(string) }
        resource "aws_sqs_queue" "tags_from_unset_variable" {
          tags = merge(var.tags, { Owner = "a@example.org" })
        }
        resource "aws_sqs_queue" "tags_from_resource_attribute" {
          tags = { Owner = aws_iam_role.r.name }
        }
        """,
    )
    resources = by_address(load(tmp_path))
    open_queue = resources["aws_sqs_queue.tags_from_unset_variable"].tags
    assert open_queue.known == {"Owner": "a@example.org"} and open_queue.open_deps == ("var.tags",)
    attribute = resources["aws_sqs_queue.tags_from_resource_attribute"].tags.known["Owner"]
    assert attribute == Unknown(("aws_iam_role.r.name",))


def test_default_tags_per_provider_alias(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        provider "aws" {
          default_tags { tags = { CostCenter = "cc-1", Owner = "default@example.org" } }
        }
        provider "aws" {
          alias = "west"
          default_tags { tags = { CostCenter = "cc-west" } }
        }
        provider "aws" { alias = "bare" }
        resource "aws_s3_bucket" "default_provider_own_tag_wins" { tags = { Owner = "own@example.org" } }
        resource "aws_s3_bucket" "west_alias" {
          provider = aws.west
        }
        resource "aws_s3_bucket" "bare_alias_has_no_defaults" { provider = aws.bare }
        resource "aws_autoscaling_group" "asg_ignores_default_tags" {
          tag {
            key                 = "Owner"
            value               = "asg@example.org"
            propagate_at_launch = true
          }
          dynamic "tag" {
            for_each = { Team = "t1" }
            content {
              key   = tag.key
              value = tag.value
            }
          }
        }
        """,
    )
    resources = by_address(load(tmp_path))
    assert dict(resources["aws_s3_bucket.default_provider_own_tag_wins"].tags.known) == {
        "CostCenter": "cc-1",
        "Owner": "own@example.org",
    }
    assert dict(resources["aws_s3_bucket.west_alias"].tags.known) == {"CostCenter": "cc-west"}
    assert dict(resources["aws_s3_bucket.bare_alias_has_no_defaults"].tags.known) == {}
    assert dict(resources["aws_autoscaling_group.asg_ignores_default_tags"].tags.known) == {
        "Owner": "asg@example.org",
        "Team": "t1",
    }


def test_google_default_labels_and_nested_label_fields(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        provider "google" { default_labels = { team = "data" } }
        resource "google_storage_bucket" "default_labels_merged" { labels = { env = "dev" } }
        resource "google_container_cluster" "gke_resource_labels" { resource_labels = { env = "prod" } }
        resource "google_sql_database_instance" "sql_user_labels" {
          settings {
            tier        = "db-f1-micro"
            user_labels = { env = "stage" }
          }
        }
        resource "google_compute_firewall" "firewall_untaggable" { name = "x" }
        """,
    )
    resources = by_address(load(tmp_path))
    assert dict(resources["google_storage_bucket.default_labels_merged"].tags.known) == {"team": "data", "env": "dev"}
    assert resources["google_container_cluster.gke_resource_labels"].tags.known["env"] == "prod"
    assert resources["google_sql_database_instance.sql_user_labels"].tags.known["env"] == "stage"
    assert "google_compute_firewall.firewall_untaggable" not in resources
    assert resources["google_storage_bucket.default_labels_merged"].provider == "gcp"


def test_count_and_for_each(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        variable "unset" {}
        resource "aws_sqs_queue" "count_same_tags_is_one_resource" {
          count = 3
          tags  = { Owner = "o" }
        }
        resource "aws_sqs_queue" "count_index_in_tags" {
          count = 2
          tags  = { Name = "q-${count.index}" }
        }
        resource "aws_sqs_queue" "count_zero_is_nothing" {
          count = 0
        }
        resource "aws_s3_bucket" "for_each_map" {
          for_each = { a = "cc-1", b = "cc-2" }
          tags     = { CostCenter = each.value, Name = each.key }
        }
        resource "aws_s3_bucket" "for_each_unknown" {
          for_each = var.unset
          tags     = { CostCenter = each.value }
        }
        """,
    )
    resources = by_address(load(tmp_path))
    assert resources["aws_sqs_queue.count_same_tags_is_one_resource"].instance is None
    assert resources["aws_sqs_queue.count_index_in_tags[1]"].tags.known == {"Name": "q-1"}
    assert not any(key.startswith("aws_sqs_queue.count_zero") for key in resources)
    assert resources['aws_s3_bucket.for_each_map["b"]'].tags.known == {"CostCenter": "cc-2", "Name": "b"}
    assert resources["aws_s3_bucket.for_each_unknown"].tags.known == {"CostCenter": Unknown(("var.unset",))}


def test_local_module_followed_with_values_passed_in(write, tmp_path) -> None:
    tf(
        write,
        "modules/bucket/main.tf",
        """
        variable "cost_center" {}
        variable "extra" { default = { Team = "default-team" } }
        resource "aws_s3_bucket" "this" { tags = merge(var.extra, { CostCenter = var.cost_center }) }
        output "tags" { value = { Owner = "module@example.org" } }
        """,
    )
    tf(
        write,
        "envs/prod/main.tf",
        """
        variable "cc" {}
        provider "aws" {
          default_tags { tags = { Environment = "prod" } }
        }
        module "known" {
          source      = "../../modules/bucket"
          cost_center = "cc-1"
        }
        module "unknown" {
          source      = "../../modules/bucket"
          cost_center = var.cc
          extra       = module.known.tags
        }
        """,
    )
    resources = by_address(load(tmp_path))
    assert set(resources) == {"module.known.aws_s3_bucket.this", "module.unknown.aws_s3_bucket.this"}
    known = resources["module.known.aws_s3_bucket.this"]
    assert dict(known.tags.known) == {"Environment": "prod", "Team": "default-team", "CostCenter": "cc-1"}
    assert known.file == "modules/bucket/main.tf"
    unknown = resources["module.unknown.aws_s3_bucket.this"]
    assert unknown.tags.known["CostCenter"] == Unknown(("var.cc",))
    assert unknown.tags.known["Owner"] == "module@example.org"


def test_remote_module_from_terraform_init_or_reported_once(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        module "vpc" {
          source = "terraform-aws-modules/vpc/aws"
          name   = "main"
        }
        module "missing" {
          source = "git::https://example.org/mod.git"
        }
        """,
    )
    tf(
        write,
        ".terraform/modules/vpc/main.tf",
        """
        variable "name" {}
        resource "aws_vpc" "this" { tags = { Name = var.name } }
        """,
    )
    write(
        ".terraform/modules/modules.json",
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {
                        "Key": "vpc",
                        "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                        "Dir": ".terraform/modules/vpc",
                    },
                ]
            }
        ),
    )
    result = load(tmp_path)
    (vpc,) = result.resources
    assert vpc.address == "module.vpc.aws_vpc.this" and vpc.tags.known == {"Name": "main"}
    assert vpc.file == ".terraform/modules/vpc/main.tf"
    (note,) = result.notes
    assert "module.missing" in note and "not followed" in note and "terraform init" in note


def test_parse_error_is_reported_and_the_rest_of_the_folder_checked(write, tmp_path) -> None:
    write("broken.tf", 'resource "aws_s3_bucket" "x" {\n  tags = {\n')
    tf(write, "ok.tf", 'resource "aws_s3_bucket" "still_checked" { tags = { A = "b" } }\n')
    write("latin1.tf", "# caf\xe9\n".encode("latin-1"))
    write("binary.tf", b"\x00\x01\x02")
    write("empty.tf", "")
    result = load(tmp_path)
    assert [r.address for r in result.resources] == ["aws_s3_bucket.still_checked"]
    problems = {p.file: p for p in result.problems}
    assert problems["broken.tf"].line >= 2 and "HCL syntax error" in problems["broken.tf"].message
    assert problems["latin1.tf"].line == 1 and "not UTF-8" in problems["latin1.tf"].message
    assert "binary file" in problems["binary.tf"].message
    assert "empty.tf" not in problems


def test_symlink_loop_does_not_hang(write, tmp_path) -> None:
    tf(write, "a/main.tf", 'resource "aws_s3_bucket" "in_a" {}\n')
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    result = load(tmp_path)
    assert [r.address for r in result.resources] == ["aws_s3_bucket.in_a"]
    assert any("loop" in p.message for p in result.problems)


def test_suppression_comments_are_attached(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        # tagwarden:ignore owner,cost-center migrated next quarter (FIN-9)
        resource "aws_s3_bucket" "suppressed_above" {}
        resource "aws_s3_bucket" "suppressed_inline" { # tagwarden:ignore owner
        }
        """,
    )
    resources = by_address(load(tmp_path))
    (above,) = resources["aws_s3_bucket.suppressed_above"].suppressions
    assert (above.rules, above.reason, above.line) == (("owner", "cost-center"), "migrated next quarter (FIN-9)", 2)
    (inline,) = resources["aws_s3_bucket.suppressed_inline"].suppressions
    assert (inline.rules, inline.reason) == (("owner",), "")


def test_unclassified_type_is_kept_untaggable_dropped(write, tmp_path) -> None:
    tf(
        write,
        "main.tf",
        """
        resource "acme_widget" "unclassified" {}
        resource "random_id" "untaggable_utility" { byte_length = 4 }
        resource "aws_s3_bucket_policy" "untaggable" { bucket = "b" }
        """,
    )
    (widget,) = load(tmp_path).resources
    assert (widget.address, widget.taggability) == ("acme_widget.unclassified", Taggability.UNCLASSIFIED)


def test_parse_cache_gives_the_same_resources(write, tmp_path) -> None:
    tf(write, "repo/main.tf", 'locals { t = { A = "b" } }\nresource "aws_s3_bucket" "cached" { tags = local.t }\n')
    cache = tmp_path / "cache"
    cold = load(tmp_path / "repo", cache_dir=cache).resources
    assert list(cache.rglob("*.json"))
    warm = load(tmp_path / "repo", cache_dir=cache).resources
    assert cold == warm


@pytest.mark.parametrize(
    "construct",
    [
        'tags = merge\n(local.t, { B = "c" })',
        "tags = local\n  .t",
        "tags = { for k, v in local.t : k\n  => v }",
        'tags = merge(local.t, # comment inside\n { B = "c" })',
        "tags = true\n  ? local.t\n  : {}",
    ],
)
def test_constructs_python_hcl2_rejects_are_read(write, tmp_path, construct) -> None:
    write("main.tf", f'locals {{ t = {{ A = "b" }} }}\nresource "aws_s3_bucket" "x" {{\n  {construct}\n}}\n')
    result = load(tmp_path)
    assert not result.problems
    assert result.resources[0].tags.known["A"] == "b"


def test_tag_values_that_are_not_text(write, tmp_path) -> None:
    tf(write, "main.tf", """
        variable "x" {}
        resource "aws_s3_bucket" "odd_values" {
          tags = { Small = 0.0000001, Flag = true, Nothing = null, Listy = [var.x], Whole = 2.0 }
        }
        """)
    (bucket,) = load(tmp_path).resources
    assert dict(bucket.tags.known) == {"Small": "0.0000001", "Flag": "true", "Listy": Unknown(("var.x",)),
                                       "Whole": "2"}


def test_module_instances_keep_their_keys_and_odd_inputs_do_not_crash(write, tmp_path) -> None:
    tf(write, "modules/b/main.tf", """
        variable "team" {}
        resource "aws_s3_bucket" "this" { tags = { Team = var.team } }
        """)
    write("modules/empty/README.md", "no terraform here\n")
    tf(write, "main.tf", """
        module "per_team" {
          for_each = { a = "team-a", b = "team-b" }
          source   = "./modules/b"
          team     = each.value
        }
        module "hollow" { source = "./modules/empty" }
        resource "aws_autoscaling_group" "dynamic_over_a_number" {
          dynamic "tag" {
            for_each = 1
            content {
              key   = "k"
              value = "v"
            }
          }
        }
        resource "aws_sqs_queue" "legacy_map_function" { tags = merge({ A = "1" }, map("B", "2")) }
        """)
    result = load(tmp_path)
    resources = by_address(result)
    assert resources['module.per_team.aws_s3_bucket.thismodule.per_team["a"]'].tags.known == {"Team": "team-a"}
    assert resources['module.per_team.aws_s3_bucket.thismodule.per_team["b"]'].tags.known == {"Team": "team-b"}
    assert resources["aws_autoscaling_group.dynamic_over_a_number"].tags.open_deps == (
        "dynamic tag for_each is a int, not a collection",)
    assert resources["aws_sqs_queue.legacy_map_function"].tags.known == {"A": "1", "B": "2"}
    assert any("has no .tf files" in problem.message for problem in result.problems)


def test_optional_attribute_defaults_and_non_nullable_variables(write, tmp_path) -> None:
    tf(write, "modules/app/main.tf", """
        variable "settings" {
          type = object({
            name = string
            tags = optional(map(string), { Owner = "module-default@example.org" })
            extra = optional(object({ team = optional(string, "core") }), {})
          })
        }
        variable "labels" {
          type     = map(string)
          default  = { CostCenter = "cc-default" }
          nullable = false
        }
        resource "aws_s3_bucket" "this" {
          tags = merge(var.settings.tags, var.labels, { Team = var.settings.extra.team })
        }
        """)
    tf(write, "main.tf", """
        module "app" {
          source   = "./modules/app"
          settings = { name = "x" }
          labels   = null
        }
        """)
    (bucket,) = load(tmp_path).resources
    assert dict(bucket.tags.known) == {"Owner": "module-default@example.org", "CostCenter": "cc-default",
                                       "Team": "core"}
