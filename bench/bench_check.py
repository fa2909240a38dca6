"""Benchmark: `tagwarden check` on a generated Terraform monorepo, against Checkov.

    python bench/bench_check.py [--files 2000] [--resources 20000] [--runs 3] [--keep]
                                [--checkov PATH | --no-checkov] [--checkov-runs 1] [--out DIR]

Generates a deterministic (seeded) Terraform monorepo: ~100 root folders (envs/<env>/<app>) with
providers, variables, locals, terraform.tfvars, module calls and ~16 resource files each, plus
shared local modules. The resource mix is what a tag-governance scan meets: literal tag maps,
merge() of locals, AWS `default_tags` (with an alias that has none), Azure and Google resources,
count and for_each, values from variable defaults, tfvars and unset variables (unknown), module
calls with for_each, suppressions, and untaggable types (aws_s3_bucket_policy, aws_route...).

The repository is committed to git, then 5 files are changed in one more commit, and the script
times, wall-clock, each run printed and the median kept:

  cold           tagwarden check REPO --format json -o FILE --cache-dir <empty folder>
  warm           the same with the parse cache filled by a previous run
  changed-since  the same, warm, with --changed-since HEAD~1 (the 5-file commit), run in REPO
  --version      start-up: `tagwarden --version` (median of 10)
  checkov        checkov -d REPO --framework terraform with an equivalent custom tag policy

and prints the targets (PASS/MISS), the resources found (from the JSON summary, to show that the
work was done), the peak RSS of each run and the ratio checkov / tagwarden cold. Only the standard
library is used: tagwarden and Checkov run as subprocesses (Checkov in its own virtual
environment, since its `hcl2` fork clashes with python-hcl2).
"""

# ruff: noqa: E501  (the generator writes Terraform text: its lines are kept whole to stay readable)
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_POLICY = REPOSITORY / "policies"
DEFAULT_CHECKOV = Path("/tmp/checkov-venv/bin/checkov")
TARGETS = {"cold": 10.0, "warm": 2.0, "changed-since": 1.0, "--version": 0.3}
VERSION_RUNS = 10
CHANGED_FILES = 5

ENVIRONMENTS = ("prod", "staging", "dev", "sandbox")
APPS = (
    "billing", "checkout", "search", "catalog", "identity", "payments", "ledger", "reports", "mailer",
    "gateway", "inventory", "pricing", "orders", "shipping", "analytics", "media", "chat", "notify",
    "profile", "audit", "export", "import", "scheduler", "metrics", "web",
)
COST_CENTERS = (("cc-1000", "platform"), ("cc-2000", "data"), ("cc-3000", "web"), ("cc-4000", "security"))
OWNERS = ("platform-team@example.org", "data-team@example.org", "web-team@example.org", "security@example.org")

AWS_TAGGABLE = (
    "aws_instance", "aws_s3_bucket", "aws_sqs_queue", "aws_sns_topic", "aws_dynamodb_table",
    "aws_cloudwatch_log_group", "aws_ebs_volume", "aws_kms_key", "aws_security_group", "aws_lambda_function",
    "aws_ecr_repository", "aws_iam_role", "aws_secretsmanager_secret", "aws_ssm_parameter", "aws_lb",
    "aws_lb_target_group", "aws_elasticache_cluster", "aws_cloudwatch_metric_alarm",
)
AWS_UNTAGGABLE = (
    "aws_s3_bucket_policy", "aws_route", "aws_security_group_rule", "aws_iam_role_policy_attachment",
    "aws_s3_bucket_versioning", "aws_route_table_association", "aws_s3_bucket_public_access_block",
    "aws_kms_alias", "random_id", "null_resource",
)
AZURE_TAGGABLE = (
    "azurerm_resource_group", "azurerm_storage_account", "azurerm_linux_virtual_machine", "azurerm_key_vault",
    "azurerm_virtual_network", "azurerm_network_interface",
)
GOOGLE_LABELLED = ("google_storage_bucket", "google_compute_instance", "google_pubsub_topic", "google_bigquery_dataset")

# What one resource block of a root file is, with its weight in the mix.
MIX = (
    ("literal", 28), ("merge", 18), ("default_tags_only", 9), ("untaggable", 10), ("count", 5),
    ("for_each", 5), ("azure", 10), ("google", 7), ("unknown", 3), ("alias", 3), ("bad", 2),
)


# -- the generated repository --------------------------------------------------------------------


@dataclass
class Generated:
    root: Path
    tf_files: int = 0
    resource_blocks: int = 0
    expected_resources: int = 0  # taggable instances tagwarden should report (see _expected)
    kinds: Counter[str] = field(default_factory=Counter)
    types: set[str] = field(default_factory=set)  # taggable types written (for the Checkov policy)
    roots: list[Path] = field(default_factory=list)
    bytes: int = 0

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.bytes += len(text)
        if path.suffix == ".tf":
            self.tf_files += 1


@dataclass(frozen=True)
class SharedModule:
    name: str
    main: str
    variables: str
    outputs: str
    blocks: int  # resource blocks in main.tf
    instances: int  # taggable resources one call of the module yields
    taggable_types: tuple[str, ...]
    arguments: tuple[str, ...]  # what a caller passes besides source/tags


def _variables(*names: str, defaults: dict[str, str] | None = None) -> str:
    defaults = defaults or {}
    parts = []
    for name in names:
        if name in defaults:
            parts.append(f'variable "{name}" {{\n  type    = string\n  default = {defaults[name]}\n}}\n')
        else:
            parts.append(f'variable "{name}" {{\n  type = string\n}}\n')
    parts.append('variable "tags" {\n  type    = map(string)\n  default = {}\n}\n')
    return "\n".join(parts)


def shared_modules() -> list[SharedModule]:
    modules = [
        SharedModule(
            "s3_bucket",
            '''resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags = merge(var.tags, {
    Name = var.name
  })
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
''',
            _variables("name"),
            'output "arn" {\n  value = aws_s3_bucket.this.arn\n}\n\noutput "id" {\n  value = aws_s3_bucket.this.id\n}\n',
            3, 1, ("aws_s3_bucket",), ("name",),
        ),
        SharedModule(
            "sqs_queue",
            '''resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = 60
  tags                       = var.tags
}

resource "aws_sqs_queue" "dead_letter" {
  name = "${var.name}-dlq"
  tags = merge(var.tags, { Purpose = "dead-letter" })
}
''',
            _variables("name"),
            'output "url" {\n  value = aws_sqs_queue.this.url\n}\n',
            2, 2, ("aws_sqs_queue",), ("name",),
        ),
        SharedModule(
            "network",
            '''locals {
  azs = ["a", "b", "c"]
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "private" {
  count             = length(local.azs)
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, count.index)
  availability_zone = "${var.region}${local.azs[count.index]}"
  tags = merge(var.tags, {
    Name = "${var.name}-private-${local.azs[count.index]}"
    Tier = "private"
  })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route" "nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = "nat-0123456789abcdef0"
}

resource "aws_route_table_association" "private" {
  count          = length(local.azs)
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}
''',
            _variables("name", "cidr", "region", defaults={"region": '"eu-west-1"'}),
            'output "vpc_id" {\n  value = aws_vpc.this.id\n}\n\noutput "subnet_ids" {\n  value = aws_subnet.private[*].id\n}\n',
            5, 5, ("aws_vpc", "aws_subnet", "aws_route_table"), ("name", "cidr"),
        ),
        SharedModule(
            "rds",
            '''resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = ["subnet-0a", "subnet-0b"]
  tags       = var.tags
}

resource "aws_db_instance" "this" {
  identifier           = var.name
  engine               = "postgres"
  engine_version       = "15.4"
  instance_class       = var.instance_class
  allocated_storage    = 50
  db_subnet_group_name = aws_db_subnet_group.this.name
  skip_final_snapshot  = true
  tags = merge(var.tags, {
    Name               = var.name
    DataClassification = "confidential"
  })
}
''',
            _variables("name", "instance_class", defaults={"instance_class": '"db.t3.medium"'}),
            'output "endpoint" {\n  value = aws_db_instance.this.endpoint\n}\n',
            2, 2, ("aws_db_subnet_group", "aws_db_instance"), ("name",),
        ),
        SharedModule(
            "lambda",
            '''resource "aws_iam_role" "this" {
  name               = "${var.name}-role"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  role          = aws_iam_role.this.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "${path.module}/build.zip"
  tags          = merge(var.tags, { Name = var.name })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 30
  tags              = var.tags
}
''',
            _variables("name"),
            'output "function_arn" {\n  value = aws_lambda_function.this.arn\n}\n',
            4, 3, ("aws_iam_role", "aws_lambda_function", "aws_cloudwatch_log_group"), ("name",),
        ),
        SharedModule(
            "ecs_service",
            '''resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = var.tags
}

resource "aws_ecs_task_definition" "this" {
  family                = var.name
  container_definitions = jsonencode([{ name = var.name, image = var.image, essential = true }])
  tags                  = var.tags
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = 2
  tags            = merge(var.tags, { Name = var.name })
}

resource "aws_security_group" "this" {
  name   = "${var.name}-svc"
  vpc_id = "vpc-0123456789abcdef0"
  tags   = var.tags
}

resource "aws_security_group_rule" "ingress" {
  type              = "ingress"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
  security_group_id = aws_security_group.this.id
}
''',
            _variables("name", "image", defaults={"image": '"public.ecr.aws/nginx/nginx:1.25"'}),
            'output "service_name" {\n  value = aws_ecs_service.this.name\n}\n',
            5, 4, ("aws_ecs_cluster", "aws_ecs_task_definition", "aws_ecs_service", "aws_security_group"), ("name",),
        ),
        SharedModule(
            "dynamodb",
            '''resource "aws_dynamodb_table" "this" {
  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  tags = merge(var.tags, { Name = var.name })
}
''',
            _variables("name"),
            'output "table_arn" {\n  value = aws_dynamodb_table.this.arn\n}\n',
            1, 1, ("aws_dynamodb_table",), ("name",),
        ),
        SharedModule(
            "kms",
            '''resource "aws_kms_key" "this" {
  description             = "Key for ${var.name}"
  deletion_window_in_days = 30
  enable_key_rotation     = true
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
''',
            _variables("name"),
            'output "key_arn" {\n  value = aws_kms_key.this.arn\n}\n',
            2, 1, ("aws_kms_key",), ("name",),
        ),
        SharedModule(
            "azure_storage",
            '''resource "azurerm_resource_group" "this" {
  name     = "rg-${var.name}"
  location = var.location
  tags     = var.tags
}

resource "azurerm_storage_account" "this" {
  name                     = replace(var.name, "-", "")
  resource_group_name      = azurerm_resource_group.this.name
  location                 = azurerm_resource_group.this.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
  tags                     = merge(var.tags, { Name = var.name })
}
''',
            _variables("name", "location", defaults={"location": '"westeurope"'}),
            'output "storage_account_id" {\n  value = azurerm_storage_account.this.id\n}\n',
            2, 2, ("azurerm_resource_group", "azurerm_storage_account"), ("name",),
        ),
        SharedModule(
            "gcs_bucket",
            '''resource "google_storage_bucket" "this" {
  name                        = var.name
  location                    = "EU"
  uniform_bucket_level_access = true
  labels                      = merge(var.tags, { name = var.name })
}
''',
            _variables("name"),
            'output "url" {\n  value = google_storage_bucket.this.url\n}\n',
            1, 1, ("google_storage_bucket",), ("name",),
        ),
    ]
    return modules


@dataclass
class RootContext:
    index: int
    env: str
    app: str
    folder: str  # relative, e.g. envs/prod/billing-03
    cost_center: str
    business_unit: str
    owner: str
    replicas: int
    default_tags: bool  # the default aws provider has default_tags
    classification_set: bool  # data_classification is in terraform.tfvars
    buckets: tuple[str, ...]


def _root_contexts(count: int, rng: random.Random) -> list[RootContext]:
    roots = []
    for index in range(count):
        env = ENVIRONMENTS[index % len(ENVIRONMENTS)]
        app = APPS[(index // len(ENVIRONMENTS)) % len(APPS)]
        cost_center, business_unit = COST_CENTERS[rng.randrange(len(COST_CENTERS))]
        roots.append(
            RootContext(
                index=index,
                env=env,
                app=app,
                folder=f"envs/{env}/{app}-{index:03d}",
                cost_center=cost_center,
                business_unit=business_unit,
                owner=OWNERS[rng.randrange(len(OWNERS))],
                replicas=rng.choice((2, 2, 3)),
                default_tags=rng.random() < 0.8,
                classification_set=rng.random() < 0.9,
                buckets=tuple(rng.sample(("raw", "curated", "archive", "exports", "models"), 3)),
            )
        )
    return roots


def _providers_tf(ctx: RootContext) -> str:
    default_tags = (
        """  default_tags {
    tags = {
      CostCenter  = var.cost_center
      Environment = var.environment
      Owner       = var.owner
    }
  }
"""
        if ctx.default_tags
        else ""
    )
    return f'''terraform {{
  required_version = ">= 1.5"
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
    azurerm = {{
      source  = "hashicorp/azurerm"
      version = "~> 3.100"
    }}
    google = {{
      source  = "hashicorp/google"
      version = "~> 5.0"
    }}
  }}
  backend "s3" {{
    bucket = "acme-terraform-state"
    key    = "{ctx.folder}/terraform.tfstate"
    region = "eu-west-1"
  }}
}}

provider "aws" {{
  region = var.region
{default_tags}}}

# Disaster recovery region: no default_tags, resources here carry only what they declare.
provider "aws" {{
  alias  = "dr"
  region = "us-west-2"
}}

provider "azurerm" {{
  features {{}}
}}

provider "google" {{
  project = "acme-${{var.environment}}-${{var.app}}"
  region  = "europe-west1"
  default_labels = {{
    cost_center = var.cost_center
    environment = var.environment
  }}
}}
'''


def _variables_tf(ctx: RootContext) -> str:
    buckets = "\n".join(f'    {name} = "{name}-data"' for name in ctx.buckets)
    return f'''variable "region" {{
  type    = string
  default = "eu-west-1"
}}

variable "environment" {{
  type        = string
  description = "Deployment environment, set in terraform.tfvars"
}}

variable "app" {{
  type = string
}}

variable "cost_center" {{
  type        = string
  description = "Cost center charged for this stack"
}}

variable "owner" {{
  type    = string
  default = "{ctx.owner}"
}}

variable "data_classification" {{
  type        = string
  description = "Set per stack; when missing the tag is unknown until deploy"
}}

variable "instance_type" {{
  type    = string
  default = "t3.micro"
}}

variable "replicas" {{
  type    = number
  default = 2
}}

variable "buckets" {{
  type = map(string)
  default = {{
{buckets}
  }}
}}

variable "queues" {{
  type    = set(string)
  default = ["orders", "events"]
}}

variable "extra_tags" {{
  type    = map(string)
  default = {{}}
}}
'''


def _tfvars(ctx: RootContext) -> str:
    lines = [
        f'environment = "{ctx.env}"',
        f'app         = "{ctx.app}"',
        f'cost_center = "{ctx.cost_center}"',
        f"replicas    = {ctx.replicas}",
    ]
    if ctx.classification_set:
        lines.append('data_classification = "internal"')
    return "\n".join(lines) + "\n"


def _locals_tf(ctx: RootContext) -> str:
    return f'''locals {{
  name_prefix = "${{var.app}}-${{var.environment}}"
  common_tags = {{
    CostCenter   = var.cost_center
    Environment  = var.environment
    Owner        = var.owner
    BusinessUnit = "{ctx.business_unit}"
    ManagedBy    = "terraform"
  }}
  data_tags = merge(local.common_tags, {{
    DataClassification = var.data_classification
  }})
  azure_tags = {{
    CostCenter   = upper(var.cost_center)
    Environment  = var.environment
    Owner        = var.owner
    BusinessUnit = "{ctx.business_unit}"
  }}
  gcp_labels = {{
    cost_center   = var.cost_center
    environment   = var.environment
    owner         = replace(replace(var.owner, "@", "_at_"), ".", "_")
    business_unit = "{ctx.business_unit}"
  }}
  subnets = {{
    a = "10.{ctx.index % 250}.1.0/24"
    b = "10.{ctx.index % 250}.2.0/24"
    c = "10.{ctx.index % 250}.3.0/24"
  }}
}}
'''


def _modules_tf(ctx: RootContext, modules: list[SharedModule], rng: random.Random, gen: Generated) -> str:
    chosen = rng.sample(modules, 4)
    parts = []
    for number, module in enumerate(chosen):
        source = "../../../modules/" + module.name
        lines = [f'module "{module.name}_{number}" {{', f'  source = "{source}"']
        iterate = number == 0 and module.name in ("sqs_queue", "s3_bucket", "dynamodb", "kms", "gcs_bucket")
        if iterate:
            lines.append("  for_each = var.queues")
            lines.append('  name     = "${local.name_prefix}-${each.key}"')
            instances = 2
        else:
            lines.append(f'  name   = "${{local.name_prefix}}-{module.name.replace("_", "-")}"')
            instances = 1
        if "cidr" in module.arguments:
            lines.append(f'  cidr   = "10.{ctx.index % 250}.0.0/16"')
        if module.name == "gcs_bucket":
            lines.append("  tags   = local.gcp_labels")
        elif module.name == "azure_storage":
            lines.append("  tags   = local.azure_tags")
        elif iterate:
            lines.append("  tags     = merge(local.common_tags, { Queue = each.key })")
        else:
            lines.append("  tags   = local.common_tags")
        lines.append("}")
        parts.append("\n".join(lines) + "\n")
        gen.expected_resources += module.instances * instances
        gen.kinds["module call" + (" (for_each)" if iterate else "")] += 1
    return "\n".join(parts)


class ResourceWriter:
    """One resource block of a root file, by kind; keeps the expected-resource count."""

    def __init__(self, ctx: RootContext, rng: random.Random, gen: Generated) -> None:
        self.ctx = ctx
        self.rng = rng
        self.gen = gen

    def block(self, kind: str, name: str) -> str:
        self.gen.resource_blocks += 1
        self.gen.kinds[kind] += 1
        return str(getattr(self, "_" + kind)(name))

    def app_role(self) -> str:
        self.gen.resource_blocks += 1
        self.gen.kinds["merge"] += 1
        self._taggable("aws_iam_role")
        return (
            'resource "aws_iam_role" "app" {\n  name               = "${local.name_prefix}-app"\n'
            '  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })\n'
            '  tags               = merge(local.common_tags, { Name = "${local.name_prefix}-app" })\n}\n'
        )

    def _taggable(self, resource_type: str, instances: int = 1) -> None:
        self.gen.types.add(resource_type)
        self.gen.expected_resources += instances

    def _aws_body(self, resource_type: str, name: str) -> str:
        bodies = {
            "aws_instance": '  ami           = "ami-0c55b159cbfafe1f0"\n  instance_type = var.instance_type\n',
            "aws_s3_bucket": f'  bucket = "${{local.name_prefix}}-{name}"\n',
            "aws_sqs_queue": f'  name                      = "${{local.name_prefix}}-{name}"\n  message_retention_seconds = 86400\n',
            "aws_sns_topic": f'  name = "${{local.name_prefix}}-{name}"\n',
            "aws_dynamodb_table": (
                f'  name         = "${{local.name_prefix}}-{name}"\n  billing_mode = "PAY_PER_REQUEST"\n'
                '  hash_key     = "pk"\n  attribute {\n    name = "pk"\n    type = "S"\n  }\n'
            ),
            "aws_cloudwatch_log_group": f'  name              = "/acme/${{var.app}}/{name}"\n  retention_in_days = 14\n',
            "aws_ebs_volume": '  availability_zone = "${var.region}a"\n  size              = 40\n  encrypted         = true\n',
            "aws_kms_key": f'  description         = "{name}"\n  enable_key_rotation = true\n',
            "aws_security_group": f'  name        = "${{local.name_prefix}}-{name}"\n  description = "{name}"\n',
            "aws_lambda_function": (
                f'  function_name = "${{local.name_prefix}}-{name}"\n  role          = "arn:aws:iam::123456789012:role/lambda"\n'
                '  runtime       = "python3.12"\n  handler       = "app.handler"\n  filename      = "build.zip"\n'
            ),
            "aws_ecr_repository": f'  name                 = "${{var.app}}/{name}"\n  image_tag_mutability = "IMMUTABLE"\n',
            "aws_iam_role": (
                f'  name = "${{local.name_prefix}}-{name}"\n'
                '  assume_role_policy = jsonencode({\n    Version   = "2012-10-17"\n'
                '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]\n  })\n'
            ),
            "aws_secretsmanager_secret": f'  name = "${{local.name_prefix}}/{name}"\n',
            "aws_ssm_parameter": f'  name  = "/${{var.app}}/{name}"\n  type  = "String"\n  value = "v1"\n',
            "aws_lb": f'  name               = "{name[:20]}"\n  load_balancer_type = "application"\n  internal           = true\n',
            "aws_lb_target_group": f'  name     = "{name[:20]}"\n  port     = 443\n  protocol = "HTTPS"\n  vpc_id   = "vpc-0123"\n',
            "aws_elasticache_cluster": f'  cluster_id      = "{name[:20]}"\n  engine          = "redis"\n  node_type       = "cache.t3.micro"\n  num_cache_nodes = 1\n',
            "aws_cloudwatch_metric_alarm": (
                f'  alarm_name          = "${{local.name_prefix}}-{name}"\n  comparison_operator = "GreaterThanThreshold"\n'
                '  evaluation_periods  = 2\n  metric_name         = "CPUUtilization"\n  namespace           = "AWS/EC2"\n'
                '  period              = 300\n  statistic           = "Average"\n  threshold           = 80\n'
            ),
        }
        return str(bodies[resource_type])

    def _aws_type(self) -> str:
        return self.rng.choice(AWS_TAGGABLE)

    def _literal(self, name: str) -> str:
        ctx, resource_type = self.ctx, self._aws_type()
        self._taggable(resource_type)
        classification = '    DataClassification = "internal"\n' if ctx.env == "prod" and self.rng.random() < 0.7 else ""
        return (
            f'resource "{resource_type}" "{name}" {{\n{self._aws_body(resource_type, name)}'
            f'  tags = {{\n    Name         = "{ctx.app}-{name}"\n    CostCenter   = "{ctx.cost_center}"\n'
            f'    Owner        = "{ctx.owner}"\n    Environment  = "{ctx.env}"\n    BusinessUnit = "{ctx.business_unit}"\n'
            f"{classification}  }}\n}}\n"
        )

    def _merge(self, name: str) -> str:
        resource_type = self._aws_type()
        self._taggable(resource_type)
        source = self.rng.choice(("local.common_tags", "local.data_tags", "local.common_tags, var.extra_tags"))
        return (
            f'resource "{resource_type}" "{name}" {{\n{self._aws_body(resource_type, name)}'
            f'  tags = merge({source}, {{\n    Name      = "${{local.name_prefix}}-{name}"\n'
            f'    Component = "{name.split("_")[0]}"\n  }})\n}}\n'
        )

    def _default_tags_only(self, name: str) -> str:
        resource_type = self._aws_type()
        self._taggable(resource_type)
        return f'resource "{resource_type}" "{name}" {{\n{self._aws_body(resource_type, name)}}}\n'

    def _untaggable(self, name: str) -> str:
        resource_type = self.rng.choice(AWS_UNTAGGABLE)
        bodies = {
            "aws_s3_bucket_policy": '  bucket = "acme-shared"\n  policy = jsonencode({ Version = "2012-10-17", Statement = [] })\n',
            "aws_route": '  route_table_id         = "rtb-0123"\n  destination_cidr_block = "0.0.0.0/0"\n  gateway_id             = "igw-0123"\n',
            "aws_security_group_rule": (
                '  type              = "egress"\n  from_port         = 0\n  to_port           = 0\n  protocol          = "-1"\n'
                '  cidr_blocks       = ["0.0.0.0/0"]\n  security_group_id = "sg-0123"\n'
            ),
            "aws_iam_role_policy_attachment": '  role       = "app"\n  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n',
            "aws_s3_bucket_versioning": '  bucket = "acme-shared"\n  versioning_configuration {\n    status = "Enabled"\n  }\n',
            "aws_route_table_association": '  subnet_id      = "subnet-0123"\n  route_table_id = "rtb-0123"\n',
            "aws_s3_bucket_public_access_block": '  bucket              = "acme-shared"\n  block_public_acls   = true\n  block_public_policy = true\n',
            "aws_kms_alias": f'  name          = "alias/{name}"\n  target_key_id = "key-0123"\n',
            "random_id": "  byte_length = 8\n",
            "null_resource": '  triggers = {\n    always = timestamp()\n  }\n',
        }
        return f'resource "{resource_type}" "{name}" {{\n{bodies[resource_type]}}}\n'

    def _count(self, name: str) -> str:
        ctx = self.ctx
        per_index = self.rng.random() < 0.5
        replicas = ctx.replicas
        self._taggable("aws_instance", replicas if per_index else 1)  # alike tags collapse to one resource
        instance_name = f'"${{local.name_prefix}}-{name}-${{count.index}}"' if per_index else f'"${{local.name_prefix}}-{name}"'
        return (
            f'resource "aws_instance" "{name}" {{\n  count         = var.replicas\n  ami           = "ami-0c55b159cbfafe1f0"\n'
            f"  instance_type = var.instance_type\n  tags = merge(local.common_tags, {{\n    Name = {instance_name}\n  }})\n}}\n"
        )

    def _for_each(self, name: str) -> str:
        if self.rng.random() < 0.5:
            self._taggable("aws_s3_bucket", len(self.ctx.buckets))
            return (
                f'resource "aws_s3_bucket" "{name}" {{\n  for_each = var.buckets\n'
                f'  bucket   = "${{local.name_prefix}}-${{each.value}}"\n'
                "  tags = merge(local.data_tags, {\n    Name  = each.key\n    Layer = each.value\n  })\n}\n"
            )
        self._taggable("aws_subnet", 3)
        return (
            f'resource "aws_subnet" "{name}" {{\n  for_each          = local.subnets\n  vpc_id            = "vpc-0123"\n'
            f'  cidr_block        = each.value\n  availability_zone = "${{var.region}}${{each.key}}"\n'
            f'  tags = merge(local.common_tags, {{ Name = "${{local.name_prefix}}-{name}-${{each.key}}" }})\n}}\n'
        )

    def _azure(self, name: str) -> str:
        ctx = self.ctx
        resource_type = self.rng.choice(AZURE_TAGGABLE)
        self._taggable(resource_type)
        bodies = {
            "azurerm_resource_group": f'  name     = "rg-{ctx.app}-{name}"\n  location = "westeurope"\n',
            "azurerm_storage_account": (
                f'  name                     = "st{ctx.app[:6]}{ctx.index:03d}{name[-6:]}"\n  resource_group_name      = "rg-{ctx.app}"\n'
                '  location                 = "westeurope"\n  account_tier             = "Standard"\n'
                '  account_replication_type = "LRS"\n'
            ),
            "azurerm_linux_virtual_machine": (
                f'  name                = "vm-{name}"\n  resource_group_name = "rg-{ctx.app}"\n  location            = "westeurope"\n'
                '  size                = "Standard_B2s"\n  admin_username      = "azureuser"\n'
                '  network_interface_ids = ["nic-0123"]\n  os_disk {\n    caching              = "ReadWrite"\n'
                '    storage_account_type = "Standard_LRS"\n  }\n'
            ),
            "azurerm_key_vault": (
                f'  name                = "kv-{ctx.index:03d}-{name[-8:]}"\n  resource_group_name = "rg-{ctx.app}"\n'
                '  location            = "westeurope"\n  sku_name            = "standard"\n'
                '  tenant_id           = "00000000-0000-0000-0000-000000000000"\n'
            ),
            "azurerm_virtual_network": (
                f'  name                = "vnet-{name}"\n  resource_group_name = "rg-{ctx.app}"\n'
                '  location            = "westeurope"\n  address_space       = ["10.10.0.0/16"]\n'
            ),
            "azurerm_network_interface": (
                f'  name                = "nic-{name}"\n  resource_group_name = "rg-{ctx.app}"\n  location            = "westeurope"\n'
                '  ip_configuration {\n    name                          = "internal"\n'
                '    subnet_id                     = "subnet-0123"\n    private_ip_address_allocation = "Dynamic"\n  }\n'
            ),
        }
        style = self.rng.random()
        if style < 0.5:
            tags = "  tags = local.azure_tags\n"
        elif style < 0.8:
            tags = f'  tags = merge(local.azure_tags, {{ Name = "{name}" }})\n'
        else:
            tags = (
                f'  tags = {{\n    CostCenter  = "{ctx.cost_center}"\n    Environment = "{ctx.env}"\n'
                f'    Owner       = "{ctx.owner}"\n  }}\n'
            )
        return f'resource "{resource_type}" "{name}" {{\n{bodies[resource_type]}{tags}}}\n'

    def _google(self, name: str) -> str:
        ctx = self.ctx
        choice = self.rng.random()
        if choice < 0.15:
            self._taggable("google_container_cluster")
            return (
                f'resource "google_container_cluster" "{name}" {{\n  name               = "gke-{name[:20]}"\n'
                '  location           = "europe-west1"\n  initial_node_count = 1\n'
                "  resource_labels    = local.gcp_labels\n}\n"
            )
        if choice < 0.25:  # untaggable
            return (
                f'resource "google_compute_firewall" "{name}" {{\n  name    = "allow-https-{name[:20]}"\n'
                '  network = "default"\n  allow {\n    protocol = "tcp"\n    ports    = ["443"]\n  }\n}\n'
            )
        resource_type = self.rng.choice(GOOGLE_LABELLED)
        self._taggable(resource_type)
        bodies = {
            "google_storage_bucket": f'  name     = "acme-{ctx.env}-{ctx.app}-{name}"\n  location = "EU"\n',
            "google_compute_instance": (
                f'  name         = "vm-{name[:30]}"\n  machine_type = "e2-small"\n  zone         = "europe-west1-b"\n'
                '  boot_disk {\n    initialize_params {\n      image = "debian-cloud/debian-12"\n    }\n  }\n'
                '  network_interface {\n    network = "default"\n  }\n'
            ),
            "google_pubsub_topic": f'  name = "{ctx.app}-{name}"\n',
            "google_bigquery_dataset": f'  dataset_id = "{ctx.app}_{name}"\n  location   = "EU"\n',
        }
        labels = (
            "  labels = local.gcp_labels\n"
            if self.rng.random() < 0.7
            else f'  labels = merge(local.gcp_labels, {{ component = "{name.split("_")[0]}" }})\n'
        )
        return f'resource "{resource_type}" "{name}" {{\n{bodies[resource_type]}{labels}}}\n'

    def _unknown(self, name: str) -> str:
        """Tags that depend on what is known only at deploy: another resource's attribute, a data source."""
        self._taggable("aws_sqs_queue")
        source = self.rng.choice(("aws_iam_role.app.name", "data.aws_caller_identity.current.account_id"))
        return (
            f'resource "aws_sqs_queue" "{name}" {{\n  name = "${{local.name_prefix}}-{name}"\n'
            f"  tags = merge(local.common_tags, {{\n    Owner = {source}\n  }})\n}}\n"
        )

    def _alias(self, name: str) -> str:
        """The dr provider has no default_tags: what the block declares is all it gets."""
        ctx = self.ctx
        resource_type = self.rng.choice(("aws_s3_bucket", "aws_sns_topic", "aws_kms_key"))
        self._taggable(resource_type)
        return (
            f'resource "{resource_type}" "{name}" {{\n  provider = aws.dr\n{self._aws_body(resource_type, name)}'
            f'  tags = {{\n    Name       = "{name}"\n    CostCenter = "{ctx.cost_center}"\n  }}\n}}\n'
        )

    def _bad(self, name: str) -> str:
        """Mistakes the policy catches: a misspelt key, an unknown cost center, a scratch key; one suppressed."""
        ctx = self.ctx
        resource_type = self._aws_type()
        self._taggable(resource_type)
        mistake = self.rng.choice(
            (
                f'    cost_center = "{ctx.cost_center}"\n    Owner       = "{ctx.owner}"\n',
                f'    CostCenter  = "cc-9999"\n    Owner       = "{ctx.owner}"\n',
                f'    CostCenter  = "{ctx.cost_center}"\n    Owner       = "nobody"\n    temp_ticket = "OPS-1"\n',
            )
        )
        suppression = (
            "# tagwarden:ignore owner shared scratch resource, reviewed in FIN-7\n" if self.rng.random() < 0.2 else ""
        )
        return (
            f'{suppression}resource "{resource_type}" "{name}" {{\n{self._aws_body(resource_type, name)}'
            f'  tags = {{\n{mistake}    Environment = "{ctx.env.title()}"\n  }}\n}}\n'
        )


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def generate(root: Path, files: int, resources: int, seed: int) -> Generated:
    rng = random.Random(seed)
    gen = Generated(root)
    modules = shared_modules()
    for module in modules:
        gen.write(f"modules/{module.name}/main.tf", module.main)
        gen.write(f"modules/{module.name}/variables.tf", module.variables)
        gen.write(f"modules/{module.name}/outputs.tf", module.outputs)
        gen.resource_blocks += module.blocks
        gen.types.update(module.taggable_types)
    fixed_per_root = 4  # providers.tf, variables.tf, locals.tf, modules.tf (+ terraform.tfvars, not .tf)
    root_count = max(1, round(files / 20))
    root_file_budget = files - gen.tf_files
    if root_file_budget < root_count * (fixed_per_root + 1):
        raise SystemExit(f"--files {files} is too few for {root_count} root folders")
    resource_files = _split(root_file_budget - root_count * fixed_per_root, root_count)
    blocks_left = resources - gen.resource_blocks
    all_files = sum(resource_files)
    blocks_per_file = _split(blocks_left, all_files)
    kinds = [kind for kind, _weight in MIX]
    weights = [weight for _kind, weight in MIX]
    cursor = 0
    for ctx in _root_contexts(root_count, rng):
        folder = ctx.folder
        gen.roots.append(root / folder)
        gen.write(f"{folder}/providers.tf", _providers_tf(ctx))
        gen.write(f"{folder}/variables.tf", _variables_tf(ctx))
        gen.write(f"{folder}/locals.tf", _locals_tf(ctx))
        gen.write(f"{folder}/modules.tf", _modules_tf(ctx, modules, rng, gen))
        gen.write(f"{folder}/terraform.tfvars", _tfvars(ctx))
        writer = ResourceWriter(ctx, rng, gen)
        for number in range(resource_files[ctx.index]):
            topic = rng.choice(("compute", "storage", "data", "network", "queues", "security", "observability"))
            blocks = []
            slots = blocks_per_file[cursor]
            cursor += 1
            if number == 0:  # what the `unknown` kind refers to: a data source and a role known after apply
                blocks.append('data "aws_caller_identity" "current" {}\n')
                blocks.append(writer.app_role())
                slots -= 1
            for slot in range(slots):
                kind = rng.choices(kinds, weights)[0]
                blocks.append(writer.block(kind, f"{topic}_{number:02d}_{slot:02d}"))
            gen.write(f"{folder}/{number:02d}_{topic}.tf", "\n".join(blocks))
    return gen


# -- running and timing --------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: Path | None
    stderr: str


# Runs one command and reports its wall-clock time and peak RSS. A helper process of its own, because
# a child's ru_maxrss starts at the RSS of the process that forked it (exec records the old memory
# map's high-water mark): measured from here, every figure would include this script's own memory.
_TIMER = """
import json, os, sys, time
out, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(out, "w") as handle:
    json.dump({"seconds": seconds, "maxrss_kb": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}, handle)
"""


def run_timed(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
              stdout: Path | None = None) -> Run:
    """Wall-clock time and peak RSS (the largest process of its tree, from wait4) of one command."""
    with tempfile.TemporaryDirectory() as scratch:
        measured = Path(scratch) / "measured.json"
        with (open(stdout, "wb") if stdout else open(os.devnull, "wb")) as out, \
                open(Path(scratch) / "stderr", "w+b") as err:
            subprocess.run([sys.executable, "-I", "-S", "-c", _TIMER, str(measured), *command],
                           cwd=cwd, env=env, stdout=out, stderr=err, check=False)
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
        try:
            figures = json.loads(measured.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Run(float("nan"), float("nan"), -1, stdout, text or "the timing helper failed")
    return Run(figures["seconds"], figures["maxrss_kb"] / 1024, figures["code"], stdout, text)


def median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def verdict(name: str, seconds: float) -> str:
    target = TARGETS[name]
    ok = seconds < target if name == "--version" else seconds <= target
    sign = "<" if name == "--version" else "<="
    return f"{'PASS' if ok else 'MISS'} (target {sign} {target:g} s)"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z"}
    done = subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=repo, env=env, capture_output=True, text=True, check=True,
    )
    return done.stdout


def commit_and_change(gen: Generated, seed: int) -> list[str]:
    """Commit everything, then change CHANGED_FILES resource files of different roots in one more commit."""
    repo = gen.root
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "generated monorepo")
    rng = random.Random(seed + 1)
    changed = []
    for folder in rng.sample(gen.roots, CHANGED_FILES):
        candidates = sorted(path for path in folder.glob("*.tf") if path.name[:2].isdigit())
        path = candidates[rng.randrange(len(candidates))]
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text + '\nresource "aws_sns_topic" "added_in_review" {\n  name = "${local.name_prefix}-added"\n'
            '  tags = merge(local.common_tags, { Name = "added-in-review" })\n}\n',
            encoding="utf-8",
        )
        changed.append(path.relative_to(repo).as_posix())
        gen.expected_resources += 1
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change 5 files")
    return changed


def tagwarden_command(tagwarden: str, repo: Path, policy: Path, output: Path, cache: Path, *extra: str) -> list[str]:
    return [tagwarden, "check", str(repo), "--policy", str(policy), "--format", "json", "-o", str(output),
            "--cache-dir", str(cache), "--quiet", "--fail-on", "never", *extra]


def summary_of(path: Path) -> dict[str, object]:
    document = json.loads(path.read_text(encoding="utf-8"))
    summary = dict(document["summary"])
    by_rule = Counter((result["rule"], result["status"]) for result in document["results"])
    summary["_by_rule"] = by_rule
    return summary


def describe_summary(summary: dict[str, object]) -> str:
    keys = ("resources", "evaluated", "compliant", "failed", "unknown", "exempt", "unclassified", "score")
    return ", ".join(f"{key} {summary.get(key)}" for key in keys if key in summary)


def print_run(label: str, number: int, run: Run, note: str = "") -> None:
    print(f"  {label:<14} run {number}: {run.seconds:7.3f} s  peak RSS {run.peak_rss_mb:7.1f} MB  "
          f"exit {run.returncode}{note}")
    if run.returncode not in (0, 1):
        print("    stderr: " + run.stderr.strip()[-2000:].replace("\n", "\n    "))


CHECKOV_POLICY = """metadata:
  id: "{id}"
  name: "{name}"
  category: "GENERAL_SECURITY"
definition:
  and:
{conditions}
"""


def write_checkov_policies(folder: Path, types: set[str]) -> list[str]:
    """Custom policies equivalent to the starter policy's required keys: tags on AWS/Azure, labels on GCP."""
    folder.mkdir(parents=True, exist_ok=True)
    tagged = sorted(t for t in types if not t.startswith("google_"))
    labelled = sorted(t for t in types if t.startswith("google_") and t != "google_container_cluster")
    checks = [
        ("CKV2_TAGWARDEN_1", "Taggable resources carry CostCenter, Owner and Environment tags", tagged,
         ("tags.CostCenter", "tags.Owner", "tags.Environment")),
        ("CKV2_TAGWARDEN_2", "Labelled GCP resources carry cost_center, owner and environment labels", labelled,
         ("labels.cost_center", "labels.owner", "labels.environment")),
    ]
    ids = []
    for check_id, name, resource_types, attributes in checks:
        type_list = "\n".join(f"        - {t}" for t in resource_types)
        conditions = "\n".join(
            f"    - cond_type: attribute\n      resource_types:\n{type_list}\n      attribute: {attribute}\n"
            "      operator: exists"
            for attribute in attributes
        )
        (folder / f"{check_id.lower()}.yaml").write_text(
            CHECKOV_POLICY.format(id=check_id, name=name, conditions=conditions), encoding="utf-8"
        )
        ids.append(check_id)
    return ids


def checkov_counts(path: Path) -> str:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return f"(no JSON output: {error})"
    reports = document if isinstance(document, list) else [document]
    parts = []
    for report in reports:
        summary = report.get("summary", {}) if isinstance(report, dict) else {}
        parts.append(
            f"{report.get('check_type', '?')}: resources {summary.get('resource_count')}, passed "
            f"{summary.get('passed')}, failed {summary.get('failed')}, parsing errors {summary.get('parsing_errors')}"
        )
    return "; ".join(parts)


def source_revision() -> str:
    """The commit of this checkout, and whether it has uncommitted changes (the figures depend on both)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPOSITORY,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "revision unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}"


def default_tagwarden() -> str:
    beside = Path(sys.executable).parent / "tagwarden"
    return str(beside) if beside.exists() else (shutil.which("tagwarden") or "tagwarden")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help=".tf files to generate (default 2000)")
    parser.add_argument("--resources", type=int, default=20000, help="resource blocks to generate (default 20000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each timing; the median is kept (default 3)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the generated repository (printed at the end)")
    parser.add_argument("--out", type=Path, help="generate here (default: a temporary folder); e.g. bench/out")
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="tagwarden policy (default: policies/)")
    parser.add_argument("--tagwarden", default=default_tagwarden(), help="tagwarden executable")
    parser.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV if DEFAULT_CHECKOV.exists() else None,
                        help=f"checkov executable (default: {DEFAULT_CHECKOV} if it exists)")
    parser.add_argument("--no-checkov", action="store_true", help="time tagwarden only")
    parser.add_argument("--checkov-runs", type=int, default=1, help="runs of Checkov (default 1: it is slow)")
    options = parser.parse_args()

    workdir = Path(options.out).resolve() if options.out else Path(tempfile.mkdtemp(prefix="tagwarden-bench-"))
    if options.out and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    repo = workdir / "repo"
    try:
        _bench(options, workdir, repo)
    finally:
        if options.keep:
            print(f"\nkept: {workdir} (repository in {repo})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _bench(options: argparse.Namespace, workdir: Path, repo: Path) -> None:
    tagwarden = options.tagwarden
    policy = options.policy.resolve()
    started = time.perf_counter()
    gen = generate(repo, options.files, options.resources, options.seed)
    changed = commit_and_change(gen, options.seed)
    version = subprocess.run([tagwarden, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"tagwarden bench_check  {datetime.now():%Y-%m-%d %H:%M}  {version} ({source_revision()})  "
          f"python {sys.version.split()[0]}  {os.cpu_count()} CPUs  load average {os.getloadavg()[0]:.2f}")
    print(f"generated in {time.perf_counter() - started:.1f} s: {gen.tf_files} .tf files ({gen.bytes / 1e6:.1f} MB), "
          f"{len(gen.roots)} root folders + {len(shared_modules())} shared modules, {gen.resource_blocks} resource "
          f"blocks ({gen.kinds['untaggable']} untaggable), {gen.expected_resources} taggable resources expected")
    print("  mix: " + ", ".join(f"{kind} {count}" for kind, count in sorted(gen.kinds.items())))
    print(f"  changed in HEAD (for --changed-since HEAD~1): {', '.join(changed)}")
    print(f"  policy: {policy}")

    output = workdir / "report.json"
    results: dict[str, list[Run]] = {"cold": [], "warm": [], "changed-since": [], "--version": []}
    summaries: dict[str, dict[str, object]] = {}
    warm_cache = workdir / "cache-warm"
    print("\ntagwarden")
    for number in range(1, options.runs + 1):
        cache = warm_cache if number == 1 else workdir / f"cache-cold-{number}"
        run = run_timed(tagwarden_command(tagwarden, repo, policy, output, cache), cwd=repo)
        results["cold"].append(run)
        summaries["cold"] = summary_of(output) if run.returncode in (0, 1) else {}
        print_run("cold", number, run)
        if number != 1:
            shutil.rmtree(cache, ignore_errors=True)
    for number in range(1, options.runs + 1):
        run = run_timed(tagwarden_command(tagwarden, repo, policy, output, warm_cache), cwd=repo)
        results["warm"].append(run)
        summaries["warm"] = summary_of(output) if run.returncode in (0, 1) else {}
        print_run("warm", number, run)
    for number in range(1, options.runs + 1):
        command = tagwarden_command(tagwarden, repo, policy, output, warm_cache, "--changed-since", "HEAD~1")
        run = run_timed(command, cwd=repo)
        results["changed-since"].append(run)
        summaries["changed-since"] = summary_of(output) if run.returncode in (0, 1) else {}
        print_run("changed-since", number, run)
    for _number in range(1, VERSION_RUNS + 1):
        run = run_timed([tagwarden, "--version"])
        results["--version"].append(run)
    print("  --version      runs: " + " ".join(f"{run.seconds:.3f}" for run in results["--version"]) + " s")

    for name, summary in summaries.items():
        if summary:
            print(f"  {name} summary: {describe_summary(summary)}")
    cold_summary = summaries.get("cold", {})
    by_rule: Counter[tuple[str, str]] = cold_summary.get("_by_rule", Counter())  # type: ignore[assignment]
    if by_rule:
        print("  cold results by rule/status: " + ", ".join(
            f"{rule}/{status} {count}" for (rule, status), count in sorted(by_rule.items())))
    stderr_lines = [line for run in results["cold"][:1] for line in run.stderr.splitlines() if line.strip()]
    if stderr_lines:
        print(f"  cold run stderr ({len(stderr_lines)} lines): " + " | ".join(stderr_lines[:5]))
    found = cold_summary.get("resources")
    if found is not None and found != gen.expected_resources:
        print(f"  NOTE: tagwarden found {found} resources, the generator expected {gen.expected_resources}")

    print("\nresults (median)")
    medians = {name: median(runs) for name, runs in results.items()}
    for name, seconds in medians.items():
        peak = max(run.peak_rss_mb for run in results[name])
        print(f"  {name:<14} {seconds:7.3f} s  peak RSS {peak:7.1f} MB  {verdict(name, seconds)}")

    checkov = None if options.no_checkov else options.checkov
    if options.no_checkov:
        print("\ncheckov: skipped (--no-checkov)")
        return
    if checkov is None or not Path(checkov).exists():
        print("\ncheckov: not found (python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov, "
              "or --checkov PATH); tagwarden figures only")
        return
    checks = write_checkov_policies(workdir / "checkov-policies", gen.types)
    checkov_version = subprocess.run([str(checkov), "--version"], capture_output=True, text=True,
                                     check=False).stdout.strip()
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
           "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "ERROR"}
    command = [str(checkov), "-d", str(repo), "--framework", "terraform", "--external-checks-dir",
               str(workdir / "checkov-policies"), "--check", ",".join(checks), "-o", "json", "--quiet",
               "--skip-download"]
    print(f"\ncheckov {checkov_version}: {' '.join(command)}")
    checkov_runs = []
    for number in range(1, options.checkov_runs + 1):
        run = run_timed(command, cwd=workdir, env=env, stdout=workdir / "checkov.json")
        checkov_runs.append(run)
        print_run("checkov", number, run, f"  ({checkov_counts(workdir / 'checkov.json')})")
    checkov_seconds = median(checkov_runs)
    print(f"  checkov        {checkov_seconds:7.3f} s  peak RSS {max(r.peak_rss_mb for r in checkov_runs):7.1f} MB")
    print(f"\nratio checkov / tagwarden cold: {checkov_seconds / medians['cold']:.1f}x "
          f"(checkov / tagwarden warm: {checkov_seconds / medians['warm']:.1f}x)")


if __name__ == "__main__":
    main()
