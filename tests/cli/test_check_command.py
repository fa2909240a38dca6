"""`tagwarden check` end to end, as a CI job runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "policies"


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tagwarden.engine.cli", *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def check_json(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    done = run("check", *args, "--format", "json", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def outcomes(document: dict) -> set[tuple[str, str, str]]:
    return {(r["resource"]["address"], r["rule"], r["status"]) for r in document["results"]}


def test_bundled_examples_fail_with_file_and_line() -> None:
    done = run("check", "examples/", "--policy", "policies/", "--no-cache")
    assert done.returncode == 1
    assert (
        "examples/terraform/envs/prod/main.tf:41: FAIL high cost-center aws_sqs_queue.us_queue_missing_everything"
        in done.stdout
    )


def test_bundled_examples_exact_outcomes() -> None:
    code, document = check_json("examples/", "--policy", "policies/", "--no-cache", "--all")
    assert code == 1
    found = outcomes(document)
    expected_failures = {
        ("aws_sqs_queue.us_queue_missing_everything", "cost-center", "fail"),
        ("aws_s3_bucket.missing_data_classification", "prod-data-classification", "fail"),
        ("aws_autoscaling_group.asg_tag_blocks_without_cost_center", "cost-center", "fail"),
        ("azurerm_resource_group.misspelt_cost_center_key", "cost-center", "fail"),
        ("TopicMissingTags", "cost-center", "fail"),
    }
    assert expected_failures <= found
    assert ("aws_instance.owner_from_unset_variable_is_unknown", "owner", "unknown") in found
    assert ("aws_s3_bucket.suppressed_website", "prod-data-classification", "exempt") in found
    assert ("acme_widget.unclassified_type", "unclassified", "unknown") in found
    assert ("module.logs.aws_s3_bucket.this", "cost-center", "pass") in found
    assert ("aws_s3_bucket.compliant_reports", "cost-center", "pass") in found
    assert not any(
        address.startswith(("aws_s3_bucket_policy", "google_compute_firewall", "BucketPolicy"))
        for address, _rule, _status in found
    )
    unknown = next(
        r
        for r in document["results"]
        if r["resource"]["address"].startswith("aws_instance.owner") and r["rule"] == "owner"
    )
    assert unknown["depends_on"] == ["var.app_owner"]
    assert document["summary"]["unclassified"] == 1


def test_fail_on_and_unknown_modes(write, tmp_path) -> None:
    write("main.tf", 'variable "o" {}\nresource "aws_s3_bucket" "b" {\n  tags = { Owner = var.o }\n}\n')
    write("p.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: owner, severity: low, require: Owner}\n")
    args = ("check", str(tmp_path), "--policy", str(tmp_path / "p.yaml"), "--no-cache")
    assert run(*args).returncode == 0  # unknown is a warning by default
    assert run(*args, "--unknown", "fail").returncode == 1
    assert run(*args, "--unknown", "fail", "--fail-on", "high").returncode == 0
    assert run(*args, "--unknown", "fail", "--fail-on", "never").returncode == 0


def test_invalid_policy_exits_2_before_evaluating(write, tmp_path) -> None:
    bad = write("bad.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: r, require: K, severity: urgent}\n")
    output = tmp_path / "out.json"
    done = run("check", "examples/", "--policy", str(bad), "-o", str(output))
    assert done.returncode == 2
    assert f"{bad}:4: rules[0].severity: 'urgent' is not one of" in done.stderr
    assert not output.exists() and done.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("check", "no/such/path"),
        ("check", "examples", "--format", "xml"),
        ("check", "examples", "--var-file", "missing.tfvars"),
        ("check", "examples", "--baseline", "missing.json"),
    ],
)
def test_bad_flags_and_paths_exit_2(args) -> None:
    done = run(*args, "--policy", "policies/")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip()


def test_parse_error_is_a_finding_and_the_rest_is_checked(write, tmp_path) -> None:
    write("broken.tf", 'resource "aws_s3_bucket" "b" {\n  tags = {\n')
    write("ok.tf", 'resource "aws_sqs_queue" "missing_owner" {}\n')
    write("p.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: owner, require: Owner}\n")
    code, document = check_json(str(tmp_path), "--policy", str(tmp_path / "p.yaml"), "--no-cache")
    assert code == 1
    assert {(r["rule"], r["resource"]["file"]) for r in document["results"]} == {
        ("parse-error", "broken.tf"),
        ("owner", "ok.tf"),
    }
    parse_error = next(r for r in document["results"] if r["rule"] == "parse-error")
    assert parse_error["severity"] == "high" and parse_error["resource"]["line"] >= 2


def test_baseline_accepts_existing_findings_only(write, tmp_path) -> None:
    write("repo/main.tf", 'resource "aws_sqs_queue" "old_finding" {}\n')
    write("p.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: owner, require: Owner}\n")
    repo, policy, baseline = tmp_path / "repo", str(tmp_path / "p.yaml"), str(tmp_path / "baseline.json")
    assert run("check", str(repo), "--policy", policy, "--write-baseline", baseline, "--no-cache").returncode == 1
    assert run("check", str(repo), "--policy", policy, "--baseline", baseline, "--no-cache").returncode == 0
    write("repo/new.tf", 'resource "aws_sqs_queue" "new_finding" {}\n')
    code, document = check_json(str(repo), "--policy", policy, "--baseline", baseline, "--no-cache")
    assert code == 1
    assert {(r["resource"]["address"], r["status"]) for r in document["results"]} == {
        ("aws_sqs_queue.new_finding", "fail"),
        ("aws_sqs_queue.old_finding", "exempt"),
    }


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=cwd, check=True, capture_output=True
    )


def test_changed_since_checks_only_changed_module_folders(write, tmp_path) -> None:
    write("p.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: owner, require: Owner}\n")
    write("repo/a/main.tf", 'resource "aws_sqs_queue" "untouched" {}\n')
    write("repo/b/main.tf", 'resource "aws_sqs_queue" "touched" {}\n')
    repo = tmp_path / "repo"
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    write("repo/b/vars.tf", 'variable "x" { default = 1 }\n')
    _code, document = check_json(
        ".", "--policy", str(tmp_path / "p.yaml"), "--changed-since", "HEAD", "--no-cache", cwd=repo
    )
    assert {r["resource"]["address"] for r in document["results"]} == {"aws_sqs_queue.touched"}
    done = run("check", ".", "--policy", str(tmp_path / "p.yaml"), "--changed-since", "nope", cwd=repo)
    assert done.returncode == 2 and "nope" in done.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown", "github", "csv"])
def test_every_format_renders_the_examples(fmt, tmp_path) -> None:
    output = tmp_path / f"out.{fmt}"
    done = run("check", "examples/", "--policy", "policies/", "--format", fmt, "-o", str(output), "--no-cache")
    assert done.returncode == 1, done.stderr
    text = output.read_text()
    assert "us_queue_missing_everything" in text


def test_sarif_paths_are_repository_relative(tmp_path) -> None:
    output = tmp_path / "out.sarif"
    run("check", "examples/terraform", "--policy", "policies/", "--format", "sarif", "-o", str(output), "--no-cache")
    sarif = json.loads(output.read_text())
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for loc in result["locations"]
    }
    assert "examples/terraform/envs/prod/main.tf" in uris


def test_policy_validate_and_test_commands(write) -> None:
    done = run("policy", "validate", "policies/")
    assert done.returncode == 0 and "starter-baseline" in done.stdout
    done = run("policy", "test", "policies/")
    assert done.returncode == 0, done.stdout
    assert "5 passed, 0 failed" in done.stdout
    wrong = write(
        "wrong.yaml",
        textwrap.dedent("""\
        tagwarden: 1
        name: w
        rules:
          - {id: owner, require: Owner}
        tests:
          - name: expects the wrong thing
            resource: {type: aws_s3_bucket, tags: {}}
            expect: {owner: pass}
        """),
    )
    done = run("policy", "test", str(wrong))
    assert done.returncode == 1
    assert "owner: expected pass, got fail (missing" in done.stdout


def test_version_is_fast_and_imports_no_cloud_sdk() -> None:
    code = (
        "import sys, runpy; sys.argv=['tagwarden','--version']\n"
        "try:\n runpy.run_module('tagwarden.engine.cli', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "heavy=[m for m in ('boto3','azure','google','yaml','jsonschema') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout
    assert done.stdout.startswith("tagwarden, version ")


def test_check_imports_no_cloud_sdk(tmp_path) -> None:
    code = ("import os, sys, runpy\n"
            "real_exit = os._exit\n"
            "def report_then_exit(status):\n"
            "    print('SDK', [m for m in ('boto3', 'azure', 'google.cloud') if m in sys.modules], flush=True)\n"
            "    real_exit(status)\n"
            "os._exit = report_then_exit\n"
            f"sys.argv=['tagwarden','check','examples/terraform','--policy','policies/','-o',{str(tmp_path / 'o')!r}]\n"
            "runpy.run_module('tagwarden.engine.cli', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 1, done.stderr
    assert "SDK []" in done.stdout



def test_sarif_and_junit_of_the_examples_validate(tmp_path, sarif_validator, junit_schema) -> None:
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    run("check", "examples/", "--policy", "policies/", "--format", "sarif", "-o", str(sarif), "--no-cache")
    run("check", "examples/", "--policy", "policies/", "--format", "junit", "-o", str(junit), "--no-cache")
    document = json.loads(sarif.read_text())
    sarif_validator.validate(document)
    assert len(document["runs"][0]["results"]) >= 10
    junit_schema.validate(str(junit))


def test_huge_and_empty_inputs_are_reported_not_fatal(write, tmp_path) -> None:
    write("empty.tf", "")
    huge = write("huge.tf", "")
    with huge.open("w") as handle:
        line = "# " + "x" * 1022 + "\n"
        for _ in range(21 * 1024):
            handle.write(line)
    write("ok.tf", 'resource "aws_sqs_queue" "checked" {}\n')
    write("p.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: owner, require: Owner}\n")
    code, document = check_json(str(tmp_path), "--policy", str(tmp_path / "p.yaml"), "--no-cache")
    assert code == 1
    by_rule = {(r["rule"], r["resource"]["file"]): r for r in document["results"]}
    assert ("owner", "ok.tf") in by_rule
    assert "MiB limit" in by_rule[("parse-error", "huge.tf")]["message"]
    assert not any(file == "empty.tf" for _rule, file in by_rule)


def test_output_to_a_device_writes_into_it_and_never_replaces_it() -> None:
    done = run("check", "examples/terraform", "--policy", "policies/", "--format", "json", "-o", "/dev/null",
               "--no-cache")
    assert done.returncode == 1, done.stderr
    assert Path("/dev/null").is_char_device()


def test_changed_since_a_shared_module_checks_it_through_its_callers(write, tmp_path) -> None:
    write("p.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: owner, require: Owner}\n")
    write("repo/modules/b/main.tf", 'variable "owner" {}\nresource "aws_sqs_queue" "q" {\n  tags = {}\n}\n')
    write("repo/envs/prod/main.tf", 'module "b" {\n  source = "../../modules/b"\n  owner  = "o"\n}\n')
    write("repo/envs/other/main.tf", 'resource "aws_sqs_queue" "untouched" {}\n')
    repo = tmp_path / "repo"
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    fixed = 'variable "owner" {}\nresource "aws_sqs_queue" "q" {\n  tags = { Owner = var.owner }\n}\n'
    write("repo/modules/b/main.tf", fixed)
    _code, document = check_json(".", "--policy", str(tmp_path / "p.yaml"), "--changed-since", "HEAD", "--no-cache",
                                 "--all", cwd=repo)
    assert {(r["resource"]["address"], r["status"]) for r in document["results"] if r["rule"] == "owner"} == {
        ("module.b.aws_sqs_queue.q", "pass")}


def test_provider_schema_classifies_types_the_registry_does_not_know(write, tmp_path) -> None:
    write("main.tf", 'resource "aws_example_widget" "widget_missing_owner" {}\n')
    write("p.yaml", "tagwarden: 1\nname: p\nrules:\n  - {id: owner, require: Owner}\n")
    args = (str(tmp_path), "--policy", str(tmp_path / "p.yaml"), "--no-cache")
    _code, without = check_json(*args)
    assert [(r["rule"], r["reason"]) for r in without["results"]] == [("unclassified", "unclassified")]
    schema = REPO / "tests" / "fixtures" / "provider_schema" / "mixed_providers.json"
    code, with_schema = check_json(*args, "--provider-schema", str(schema))
    assert code == 1
    assert [(r["rule"], r["reason"]) for r in with_schema["results"]] == [("owner", "missing")]
    bad = write("bad-schema.json", '{"format_version": "1.0"}')
    done = run("check", *args, "--provider-schema", str(bad))
    assert done.returncode == 2 and "provider-schema" in done.stderr



def test_an_output_that_fails_half_way_is_exit_2_and_leaves_no_partial_file(tmp_path: Path) -> None:
    from tagwarden.engine.cli.common import UsageProblem, write_streamed

    def half_then_disk_full(stream) -> None:
        stream.write('{"tagwarden": "1", ')
        raise OSError(28, "No space left on device")

    target = tmp_path / "report.json"
    with pytest.raises(UsageProblem, match=r"cannot write .*No space left") as problem:
        write_streamed(half_then_disk_full, target)
    assert problem.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []  # neither the report nor a .partial file
