"""Benchmark: tagwarden's HCL parser against python-hcl2 (Lark LALR) on generated Terraform.

    python bench/bench_hcl_parser.py [--resources N] [--repeat R] [--skip-hcl2]

Prints the size of the text, tokens per second and the time of both parsers (best of R runs)
and the ratio. The text mixes the shapes a tag-governance scan meets: resources with literal
tags, merge() of locals, module calls, for_each over maps, conditionals and heredocs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from tagwarden.iac_checks.terraform.hcl.lexer import tokenize
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl


def literal_tags_resource(index: int) -> str:
    return f"""resource "aws_instance" "web_{index}" {{
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = var.instance_type
  subnet_id     = aws_subnet.private[{index % 3}].id

  tags = {{
    Name        = "web-{index}"
    Environment = "prod"
    CostCenter  = "cc-{index % 17}"
    Owner       = "team-platform"
  }}
}}
"""


def merged_tags_resource(index: int) -> str:
    return f"""resource "aws_s3_bucket" "logs_{index}" {{
  bucket = "${{var.prefix}}-logs-{index}"
  tags = merge(local.common_tags, {{
    Name = "logs-{index}" # bucket name
    Tier = var.tier == "gold" ? "gold" : "standard"
  }})
}}
"""


def module_call(index: int) -> str:
    return f"""module "service_{index}" {{
  source  = "../modules/service"
  name    = "svc-{index}"
  subnets = [for s in module.network.private_subnets : s.id if s.az != "us-east-1e"]
  tags    = merge(local.common_tags, var.extra_tags, {{ Service = "svc-{index}" }})
}}
"""


def for_each_resource(index: int) -> str:
    return f"""resource "aws_iam_role" "role_{index}" {{
  for_each           = {{ for name, cfg in var.roles : name => cfg if cfg.enabled }}
  name               = "${{each.key}}-{index}"
  assume_role_policy = <<-EOF
    {{"Version": "2012-10-17", "Statement": []}}
  EOF
  tags = each.value.tags
}}
"""


LOCALS = """locals {
  common_tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }
}

"""

GENERATORS: list[Callable[[int], str]] = [
    literal_tags_resource,
    merged_tags_resource,
    module_call,
    for_each_resource,
]


def generate_terraform(resources: int) -> str:
    parts = [LOCALS]
    for index in range(resources):
        parts.append(GENERATORS[index % len(GENERATORS)](index))
    return "\n".join(parts)


def best_time(function: Callable[[str], object], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - started)
    return best


def python_hcl2_parser() -> Callable[[str], object] | None:
    try:
        from hcl2.api import parses_to_tree
    except ImportError:
        return None
    return parses_to_tree


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--resources", type=int, default=2000)
    arguments.add_argument("--repeat", type=int, default=3)
    arguments.add_argument("--skip-hcl2", action="store_true", help="time only tagwarden's parser")
    options = arguments.parse_args()

    text = generate_terraform(options.resources)
    token_count = len(tokenize(text).kinds)
    lex_seconds = best_time(tokenize, text, options.repeat)
    ours = best_time(parse_hcl, text, options.repeat)
    print(f"input: {options.resources} blocks, {len(text) / 1e6:.2f} MB, {token_count} tokens")
    print(f"tagwarden lexer : {lex_seconds:8.3f} s  ({token_count / lex_seconds / 1e6:.2f} M tokens/s)")
    print(f"tagwarden parser: {ours:8.3f} s  ({token_count / ours / 1e6:.2f} M tokens/s, lexing included)")

    hcl2 = None if options.skip_hcl2 else python_hcl2_parser()
    if hcl2 is None:
        return
    theirs = best_time(hcl2, text, options.repeat)
    print(f"python-hcl2     : {theirs:8.3f} s  ({token_count / theirs / 1e6:.2f} M tokens/s)")
    print(f"ratio           : {theirs / ours:8.1f}x faster than python-hcl2 parses_to_tree")


if __name__ == "__main__":
    main()
