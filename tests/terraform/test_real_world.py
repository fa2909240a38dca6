"""The hardest shapes of public Terraform, written anew, loaded end to end with their tags.

Each test mirrors a pattern from a widely used module collection (a label module chained through a
``context`` object, wrapper modules over ``for_each`` with ``try()`` fallbacks, generated tracing
tags, tagging-bot escapes, ASG tag blocks, ``moved``/``import``/``removed``/``check`` blocks, nested
for expressions flattened with ``merge(...)``) and asserts the tags Terraform would apply.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tagwarden.engine.resources import Resource, Unknown
from tagwarden.engine.taggability.registry import default_registry
from tagwarden.iac_checks.collect import collect
from tagwarden.iac_checks.interface import LoadOptions, LoadResult


def load(root: Path) -> LoadResult:
    return collect([root], LoadOptions(registry=default_registry()))


def write_all(write, files: dict[str, str]) -> None:
    for name, text in files.items():
        write(name, textwrap.dedent(text))


def by_address(result: LoadResult) -> dict[str, Resource]:
    return {r.address + (r.instance or ""): r for r in result.resources}


LABEL_MODULE = """
    variable "context" {
      type = any
      default = {
        enabled        = true
        namespace      = null
        environment    = null
        stage          = null
        name           = null
        attributes     = []
        tags           = {}
        labels_as_tags = ["unset"]
      }
    }
    variable "enabled" {
      type    = bool
      default = null
    }
    variable "namespace" {
      type    = string
      default = null
    }
    variable "environment" {
      type    = string
      default = null
    }
    variable "stage" {
      type    = string
      default = null
    }
    variable "name" {
      type    = string
      default = null
    }
    variable "attributes" {
      type    = list(string)
      default = []
    }
    variable "tags" {
      type    = map(string)
      default = {}
    }
    variable "labels_as_tags" {
      type    = set(string)
      default = ["default"]
    }

    locals {
      labels_unset = try(contains(var.context.labels_as_tags, "unset"), true)
      input = {
        enabled        = var.enabled == null ? var.context.enabled : var.enabled
        namespace      = var.namespace == null ? var.context.namespace : var.namespace
        environment    = var.environment == null ? lookup(var.context, "environment", null) : var.environment
        stage          = var.stage == null ? var.context.stage : var.stage
        name           = var.name == null ? var.context.name : var.name
        attributes     = compact(distinct(concat(coalesce(var.context.attributes, []), coalesce(var.attributes, []))))
        tags           = merge(var.context.tags, var.tags)
        labels_as_tags = local.labels_unset ? var.labels_as_tags : var.context.labels_as_tags
      }
      label_names = ["namespace", "environment", "stage", "name"]
      labels = { for k in local.label_names : k =>
        local.input[k] == null ? "" : lower(replace(local.input[k], "/[^-a-zA-Z0-9]/", ""))
      }
      id = join("-", [
        for v in concat([for k in local.label_names : local.labels[k]], local.input.attributes) : v
        if length(v) > 0
      ])
      tag_sources = merge(local.labels, {
        name       = local.id
        attributes = join("-", local.input.attributes)
      })
      wanted = contains(local.input.labels_as_tags, "default") ? keys(local.tag_sources) : local.input.labels_as_tags
      generated = {
        for l in setintersection(keys(local.tag_sources), local.wanted) :
        title(l) => local.tag_sources[l] if length(local.tag_sources[l]) > 0
      }
    }

    output "id" {
      value = local.input.enabled ? local.id : ""
    }
    output "enabled" {
      value = local.input.enabled
    }
    output "tags" {
      value = local.input.enabled ? merge(local.generated, local.input.tags) : {}
    }
    output "context" {
      value = local.input
    }
"""

LABEL_CONTEXT = """
    module "this" {
      source = "./modules/label"

      enabled     = var.enabled
      namespace   = var.namespace
      environment = var.environment
      stage       = var.stage
      name        = var.name
      tags        = var.tags

      context = var.context
    }

    variable "context" {
      type = any
      default = {
        enabled        = true
        namespace      = null
        environment    = null
        stage          = null
        name           = null
        attributes     = []
        tags           = {}
        labels_as_tags = ["unset"]
      }
    }
    variable "enabled" {
      type    = bool
      default = null
    }
    variable "namespace" {
      type    = string
      default = null
    }
    variable "environment" {
      type    = string
      default = null
    }
    variable "stage" {
      type    = string
      default = null
    }
    variable "name" {
      type    = string
      default = null
    }
    variable "tags" {
      type    = map(string)
      default = {}
    }
"""


def test_label_module_chained_through_its_context_object(write, tmp_path) -> None:
    """A local label module gives ``module.this.tags``; a second label inherits its context."""
    write_all(
        write,
        {
            "modules/label/main.tf": LABEL_MODULE,
            "context.tf": LABEL_CONTEXT,
            "main.tf": """
                module "logs_label" {
                  source     = "./modules/label"
                  context    = module.this.context
                  attributes = ["logs"]
                  tags       = { CostCenter = "cc-1234" }
                }

                resource "aws_s3_bucket" "this" {
                  count  = module.this.enabled ? 1 : 0
                  bucket = module.this.id
                  tags   = module.this.tags
                }

                resource "aws_s3_bucket" "logs" {
                  count  = module.logs_label.enabled ? 1 : 0
                  bucket = module.logs_label.id
                  tags   = module.logs_label.tags
                }
            """,
            "terraform.tfvars": """
                namespace   = "eg"
                environment = "prod"
                stage       = "blue"
                name        = "App_1"
                tags = {
                  Owner = "ops@example.org"
                }
            """,
        },
    )
    result = load(tmp_path)
    assert not result.problems
    resources = by_address(result)
    assert dict(resources["aws_s3_bucket.this"].tags.known) == {
        "Namespace": "eg",
        "Environment": "prod",
        "Stage": "blue",
        "Name": "eg-prod-blue-app1",
        "Owner": "ops@example.org",
    }
    logs = resources["aws_s3_bucket.logs"].tags
    assert not logs.is_open
    assert dict(logs.known) == {
        "Namespace": "eg",
        "Environment": "prod",
        "Stage": "blue",
        "Name": "eg-prod-blue-app1-logs",
        "Attributes": "logs",
        "Owner": "ops@example.org",
        "CostCenter": "cc-1234",
    }


def test_label_module_disabled_through_the_context_creates_nothing(write, tmp_path) -> None:
    write_all(
        write,
        {
            "modules/label/main.tf": LABEL_MODULE,
            "context.tf": LABEL_CONTEXT,
            "main.tf": """
                resource "aws_s3_bucket" "this" {
                  count = module.this.enabled ? 1 : 0
                  tags  = module.this.tags
                }
            """,
            "terraform.tfvars": "enabled = false\n",
        },
    )
    assert load(tmp_path).resources == []


def test_wrapper_module_over_items_with_try_fallbacks(write, tmp_path) -> None:
    write_all(
        write,
        {
            "modules/bucket/main.tf": """
                variable "create" {
                  type    = bool
                  default = true
                }
                variable "bucket" {
                  type    = string
                  default = null
                }
                variable "name" {
                  type    = string
                  default = ""
                }
                variable "tags" {
                  type    = map(string)
                  default = {}
                }

                resource "aws_s3_bucket" "this" {
                  count = var.create ? 1 : 0

                  bucket = var.bucket

                  tags = merge(
                    var.tags,
                    { for k, v in { Name = var.name } : k => v if v != "" },
                  )
                }
            """,
            "wrappers/main.tf": """
                module "wrapper" {
                  source = "../modules/bucket"

                  for_each = var.items

                  create = try(each.value.create, var.defaults.create, true)
                  bucket = try(each.value.bucket, var.defaults.bucket, null)
                  name   = try(each.value.name, var.defaults.name, "")
                  tags   = try(each.value.tags, var.defaults.tags, {})
                }

                variable "defaults" {
                  type = any
                  default = {
                    tags = { Owner = "platform@example.org" }
                  }
                }

                variable "items" {
                  type = any
                  default = {
                    logs = { bucket = "logs", name = "logs" }
                    data = {
                      bucket = "data"
                      tags   = { Owner = "data@example.org", CostCenter = "cc-9" }
                    }
                    off = { create = false }
                  }
                }
            """,
        },
    )
    result = load(tmp_path)
    assert not result.problems
    assert {r.address for r in result.resources} == {"module.wrapper.aws_s3_bucket.this"}
    assert sorted((dict(r.tags.known) for r in result.resources), key=str) == [
        {"Owner": "data@example.org", "CostCenter": "cc-9"},
        {"Owner": "platform@example.org", "Name": "logs"},
    ]


def test_generated_tracing_tags_in_a_for_expression_with_comments(write, tmp_path) -> None:
    write_all(
        write,
        {
            "main.tf": """
                variable "tracing_tags_enabled" {
                  type    = bool
                  default = true
                }
                variable "tracing_tags_prefix" {
                  type    = string
                  default = "trace_"
                }
                variable "pools" {
                  type = any
                  default = {
                    gpu = { tags = { Owner = "ml@example.org" } }
                    web = { tags = {} }
                  }
                }

                resource "azurerm_kubernetes_cluster_node_pool" "pool" {
                  for_each = var.pools

                  name = "${each.key}${substr(md5(each.key), 0, 4)}"
                  tags = merge(each.value.tags, (/*<box>*/ (var.tracing_tags_enabled ? { for k, v in /*</box>*/ {
                    avm_yor_name = "pool"
                    avm_git_file = "pool.tf"
                  } /*<box>*/ : replace(k, "avm_", var.tracing_tags_prefix) => v } : {}) /*</box>*/))
                }
            """,
        },
    )
    resources = by_address(load(tmp_path))
    tracing = {"trace_yor_name": "pool", "trace_git_file": "pool.tf"}
    assert dict(resources['azurerm_kubernetes_cluster_node_pool.pool["gpu"]'].tags.known) == {
        "Owner": "ml@example.org",
        **tracing,
    }
    assert dict(resources['azurerm_kubernetes_cluster_node_pool.pool["web"]'].tags.known) == tracing


def test_tagging_bot_escapes_and_a_key_from_a_data_source(write, tmp_path) -> None:
    write_all(
        write,
        {
            "main.tf": """
                data "aws_caller_identity" "current" {}

                locals {
                  cluster = {
                    value = "${data.aws_caller_identity.current.account_id}-eks"
                  }
                }

                resource aws_subnet "escaped" {
                  vpc_id = "vpc-1"
                  tags = merge({
                    Name = "subnet"
                    }, {
                    "kubernetes.io/cluster/$${local.cluster.value}"   = "shared"
                    "kubernetes.io/cluster/$$$${local.cluster.value}" = "owned"
                  })
                }

                resource aws_subnet "computed_key" {
                  vpc_id = "vpc-1"
                  tags = {
                    Name                                           = "subnet"
                    "kubernetes.io/cluster/${local.cluster.value}" = "shared"
                  }
                }
            """,
        },
    )
    resources = by_address(load(tmp_path))
    assert dict(resources["aws_subnet.escaped"].tags.known) == {
        "Name": "subnet",
        "kubernetes.io/cluster/${local.cluster.value}": "shared",
        "kubernetes.io/cluster/$$${local.cluster.value}": "owned",
    }
    computed = resources["aws_subnet.computed_key"].tags
    # the key is not known before deploy: it may be any tag, Name included
    assert computed.open_deps == ("data.aws_caller_identity.current.account_id",)
    assert computed.known == {"Name": Unknown(("data.aws_caller_identity.current.account_id",))}


def test_autoscaling_group_tag_blocks_static_and_dynamic(write, tmp_path) -> None:
    write_all(
        write,
        {
            "main.tf": """
                provider "aws" {
                  default_tags {
                    tags = { Owner = "ops@example.org" }
                  }
                }

                locals {
                  standard_tags = {
                    Component   = "api"
                    Environment = "prod"
                  }
                }

                resource "aws_autoscaling_group" "asg" {
                  max_size = 1
                  min_size = 1

                  tag {
                    key                 = "Name"
                    value               = "asg"
                    propagate_at_launch = false
                  }

                  dynamic tag {
                    for_each = local.standard_tags
                    content {
                      key                 = tag.key
                      value               = tag.value
                      propagate_at_launch = true
                    }
                  }
                }
            """,
        },
    )
    (asg,) = load(tmp_path).resources
    # provider default_tags do not reach an autoscaling group
    assert dict(asg.tags.known) == {"Name": "asg", "Component": "api", "Environment": "prod"}


def test_moved_import_removed_and_check_blocks_beside_resources(write, tmp_path) -> None:
    write_all(
        write,
        {
            "main.tf": """
                moved {
                  from = aws_s3_bucket.old
                  to   = aws_s3_bucket.new
                }

                import {
                  to = aws_s3_bucket.new
                  id = "bucket-new"
                }

                removed {
                  from = aws_s3_bucket.gone
                  lifecycle {
                    destroy = false
                  }
                }

                check "site" {
                  data "http" "site" {
                    url = "https://example.org"
                  }
                  assert {
                    condition     = data.http.site.status_code == 200
                    error_message = "${data.http.site.url} is down"
                  }
                }

                resource "aws_s3_bucket" "new" {
                  bucket = "bucket-new"
                  tags = tomap({
                    "Owner": "web@example.org"
                    "Environment": "prod"
                  })
                }
            """,
        },
    )
    result = load(tmp_path)
    assert not result.problems
    (bucket,) = result.resources
    assert bucket.address == "aws_s3_bucket.new"
    assert dict(bucket.tags.known) == {"Owner": "web@example.org", "Environment": "prod"}


def test_nested_for_expressions_flattened_with_an_expanded_merge(write, tmp_path) -> None:
    write_all(
        write,
        {
            "main.tf": """
                variable "vnets" {
                  type = any
                  default = {
                    hub = {
                      subnets = {
                        a = { owner = "net@example.org" }
                        b = { owner = "sec@example.org" }
                      }
                    }
                  }
                }

                locals {
                  subnets = merge([for vnet_key, vnet in var.vnets :
                    {
                      for subnet_key, subnet in vnet.subnets :
                        "${vnet_key}-${subnet_key}" => merge(subnet, { vnet = vnet_key })
                    }
                  ]...)
                  zones = { for key, value in local.subnets : key => [for z in(["1", "2"]) : "zone-${z}"] }
                }

                resource "azurerm_network_security_group" "this" {
                  for_each = local.subnets
                  name     = each.key
                  tags = {
                    Owner = each.value.owner
                    Vnet  = each.value.vnet
                    Zones = join(",", local.zones[each.key])
                  }
                }
            """,
        },
    )
    resources = by_address(load(tmp_path))
    assert dict(resources['azurerm_network_security_group.this["hub-b"]'].tags.known) == {
        "Owner": "sec@example.org",
        "Vnet": "hub",
        "Zones": "zone-1,zone-2",
    }
    assert set(resources) == {
        'azurerm_network_security_group.this["hub-a"]',
        'azurerm_network_security_group.this["hub-b"]',
    }


def test_labels_built_from_a_list_of_key_value_strings(write, tmp_path) -> None:
    write_all(
        write,
        {
            "main.tf": """
                variable "labels" {
                  type    = list(string)
                  default = ["team:data", "cost-center:cc-7"]
                }

                resource "google_storage_bucket" "labelled" {
                  name     = "b"
                  location = "EU"
                  labels = {
                    for label in var.labels :
                    split(":", label)[0] => split(":", label)[1]
                  }
                }
            """,
        },
    )
    (bucket,) = load(tmp_path).resources
    assert dict(bucket.tags.known) == {"team": "data", "cost-center": "cc-7"}


def test_interpolation_only_strings_of_terraform_0_11(write, tmp_path) -> None:
    write_all(
        write,
        {
            "main.tf": """
                variable "create" {
                  default = true
                }
                variable "tags" {
                  type = "map"
                  default = {
                    Owner = "legacy@example.org"
                  }
                }
                locals {
                  extra = {
                    Name = "${var.create ? "made" : "skipped"}-${length(var.tags)}"
                  }
                }
                resource "aws_security_group" "legacy" {
                  count = "${var.create ? 1 : 0}"
                  name  = "${lookup(var.tags, "Owner")}"
                  tags  = "${merge(var.tags, local.extra)}"
                }
            """,
        },
    )
    (group,) = load(tmp_path).resources
    assert dict(group.tags.known) == {"Owner": "legacy@example.org", "Name": "made-1"}
