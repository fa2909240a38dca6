"""The evaluated-resource cache: a warm run gives the same resources, and any input change is seen."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tagwarden.engine.taggability.registry import default_registry
from tagwarden.iac_checks.collect import collect
from tagwarden.iac_checks.interface import LoadOptions, LoadResult


def load(root: Path, cache: Path, **options) -> LoadResult:
    return collect([root], LoadOptions(registry=default_registry(), cache_dir=cache, **options))


def owner_of(result: LoadResult) -> object:
    (bucket,) = [r for r in result.resources if r.address.endswith("aws_s3_bucket.this")]
    return bucket.tags.known.get("Owner")


def make_repo(write) -> Path:
    write("repo/modules/b/main.tf", textwrap.dedent("""
        variable "owner" {}
        resource "aws_s3_bucket" "this" { tags = { Owner = var.owner } }
        """))
    write("repo/env/main.tf", textwrap.dedent("""
        variable "owner" { default = "from-default" }
        module "b" {
          source = "../modules/b"
          owner  = var.owner
        }
        """))
    write("repo/env/broken.tf", 'resource "aws_sqs_queue" "x" {\n')
    return Path(write("repo/README.md", "").parent)


def test_warm_run_matches_cold_and_skips_parsing(write, tmp_path) -> None:
    repo, cache = make_repo(write), tmp_path / "cache"
    cold = load(repo, cache)
    assert owner_of(cold) == "from-default" and len(cold.problems) == 1
    parse_entries = list(cache.glob("[0-9a-f][0-9a-f]/*.json"))
    assert parse_entries
    for entry in parse_entries:
        entry.unlink()
    warm = load(repo, cache)
    assert warm.resources == cold.resources
    assert warm.problems == cold.problems
    assert not list(cache.glob("[0-9a-f][0-9a-f]/*.json")), "a warm run must not parse unchanged roots"


def test_a_changed_module_file_is_seen(write, tmp_path) -> None:
    repo, cache = make_repo(write), tmp_path / "cache"
    load(repo, cache)
    fixed = 'variable "owner" {}\nresource "aws_s3_bucket" "this" { tags = { Owner = "fixed" } }\n'
    write("repo/modules/b/main.tf", fixed)
    assert owner_of(load(repo, cache)) == "fixed"


def test_a_new_tfvars_file_and_tf_var_environment_are_seen(write, tmp_path) -> None:
    repo, cache = make_repo(write), tmp_path / "cache"
    load(repo, cache)
    write("repo/env/x.auto.tfvars", 'owner = "from-auto-tfvars"\n')
    assert owner_of(load(repo, cache)) == "from-auto-tfvars"
    (repo / "env" / "x.auto.tfvars").unlink()
    assert owner_of(load(repo, cache, environ={"TF_VAR_owner": "from-env"})) == "from-env"
    assert owner_of(load(repo, cache)) == "from-default"


def test_a_damaged_entry_is_a_miss(write, tmp_path) -> None:
    repo, cache = make_repo(write), tmp_path / "cache"
    load(repo, cache)
    for entry in (cache / "tagwarden-roots-1").rglob("*.json"):
        entry.write_text('{"folders": {}, "files": {}, "resources": [{"bad": 1}]')
    assert owner_of(load(repo, cache)) == "from-default"
