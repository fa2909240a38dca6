"""`tagwarden fix`: golden diffs on small fixture repositories, then the real check over the result."""

from __future__ import annotations

import difflib
import re
import shutil
import stat
from pathlib import Path

import pytest
from fix_helpers import (
    CASE_LEFT,
    CASE_POLICIES,
    FIX,
    GOLDEN,
    REPO,
    check,
    copy_case,
    failures,
    fix,
    run_cli,
    write_fixed,
)

from tagwarden.engine.cli.fix import unified_diff
from tagwarden.engine.policy.loader import PolicyError, load_policy
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl

# Every line fix removes or rewrites names a tag (its key, a tags/labels argument, a Key/Value item).
TAG_LINE = re.compile(r"tags|labels|Tags|Key|key|Value|value|CostCenter|cost_?center|env|[Ee]nvironment|[Tt]eam|Name")
# ... and every line it adds is a tag, a tag block, or the argument/section that holds them.
ADDED_LINE = re.compile(
    TAG_LINE.pattern + r"|^\s*(tag \{|propagate_at_launch|default_tags \{|Properties:|[}\])]+,?\s*$)"
)


def _left_rules(result) -> set[str]:
    return {left.rule for left in result.left}


@pytest.mark.parametrize("case", sorted(CASE_POLICIES))
def test_golden_diff(case: str, tmp_path: Path) -> None:
    folder = copy_case(case, tmp_path)
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    result = fix(folder, FIX / CASE_POLICIES[case])
    assert unified_diff(result) == (GOLDEN / f"{case}.diff").read_text(encoding="utf-8")
    assert {
        path: path.read_bytes() for path in folder.rglob("*") if path.is_file()
    } == before  # planning writes nothing


@pytest.mark.parametrize("case", sorted(CASE_POLICIES))
def test_fixed_files_pass_the_real_check_and_a_second_fix_changes_nothing(case: str, tmp_path: Path) -> None:
    folder = copy_case(case, tmp_path)
    policy = FIX / CASE_POLICIES[case]
    assert failures(check([folder], policy))
    result = fix(folder, policy)
    write_fixed(result)
    remaining = failures(check([folder], policy))
    expected_left = CASE_LEFT.get(case, set())  # only what fix may not guess stays
    assert {rule for _address, rule, _reason in remaining} == expected_left
    assert {left.rule for left in result.left} == expected_left
    again = fix(folder, policy)
    assert again.fixed == {}
    assert again.applied.added == again.applied.renamed == again.applied.normalised == 0


@pytest.mark.parametrize("case", sorted(CASE_POLICIES))
def test_only_tag_lines_change(case: str, tmp_path: Path) -> None:
    folder = copy_case(case, tmp_path)
    result = fix(folder, FIX / CASE_POLICIES[case])
    assert result.fixed
    for file, fixed in result.fixed.items():
        original = result.originals[file].splitlines(keepends=True)
        changed = fixed.splitlines(keepends=True)
        matcher = difflib.SequenceMatcher(a=original, b=changed, autojunk=False)
        kept = 0
        for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
            if operation == "equal":
                kept += a_end - a_start
                continue
            for line in original[a_start:a_end]:
                assert TAG_LINE.search(line), f"{file}: a line that holds no tag changed: {line!r}"
            for line in changed[b_start:b_end]:
                assert ADDED_LINE.search(line), f"{file}: an added line that holds no tag: {line!r}"
        assert kept == len(original) - sum(a_end - a_start for op, a_start, a_end, _b, _e in matcher.get_opcodes()
                                           if op != "equal")  # fmt: skip


def test_guessed_values_are_listed_not_written(tmp_path: Path) -> None:
    folder = copy_case("unknown", tmp_path)
    result = fix(folder, FIX / "policy-unknown")
    listed = {(left.file, left.line, left.rule) for left in result.left}
    assert listed == {
        ("main.tf", 1, "owner"),
        ("main.tf", 1, "creator"),
        ("main.tf", 1, "contact"),
        ("template.yaml", 2, "owner"),
        ("template.yaml", 2, "creator"),
        ("template.yaml", 2, "contact"),
    }
    owner = next(left for left in result.left if left.rule == "owner" and left.file == "main.tf")
    assert "{account.tags.Owner}" in owner.message and "not guessed" in owner.message
    for text in result.fixed.values():
        assert "Owner" not in text and "CreatedBy" not in text and "Contact" not in text


def test_keys_renamed_keep_their_values_and_values_are_normalised(tmp_path: Path) -> None:
    folder = copy_case("literal_map", tmp_path)
    result = fix(folder, FIX / "policy")
    text = result.fixed["main.tf"]
    assert 'CostCenter  = "CC-2000"' in text  # renamed from cost_center, value kept (value_case insensitive)
    assert 'Environment = "dev"' in text and '"Dev"' not in text  # value_case exact: normalised
    assert result.applied.renamed == 2 and result.applied.normalised == 1


def test_the_file_line_endings_and_other_bytes_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "crlf"
    folder.mkdir()
    original = (
        'resource "aws_sqs_queue" "q" {\r\n  name = "q" # keep\r\n  tags = {\r\n    Team = "platform"\r\n  }\r\n}\r\n'
    )
    (folder / "main.tf").write_bytes(original.encode())
    result = fix(folder, FIX / "policy")
    fixed = result.fixed["main.tf"]
    assert "\n" not in fixed.replace("\r\n", "")
    assert fixed.startswith('resource "aws_sqs_queue" "q" {\r\n  name = "q" # keep\r\n  tags = {\r\n')
    parse_hcl(fixed)


def test_values_that_need_escaping_round_trip(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "tagwarden: 1\nname: p\nrules:\n"
        "  - {id: team, require: Team, remediation: {default: 'a \"b\": $c %d #x \\\\e'}}\n"
    )
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    (tmp_path / "repo" / "t.yaml").write_text(
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      A: b\n"
    )
    result = fix(tmp_path / "repo", policy)
    write_fixed(result)
    report = check([tmp_path / "repo"], policy)
    values = {r.resource.address: r.value for r in report.results if r.rule == "team"}
    written = load_policy(policy).rules[0].remediation["default"]
    assert written == 'a "b": $c %d #x \\\\e'
    assert values == {"aws_sqs_queue.q": written, "T": written}


def test_owner_map_file_loads_rows_and_a_bad_file_names_file_and_line(tmp_path: Path) -> None:
    policy = load_policy(FIX / "policy")
    assert policy.owner_rows[0] == {"match": "**/prod/**", "cost_center": "cc-1000", "environment": "prod"}
    (tmp_path / "p.yaml").write_text("tagwarden: 1\nname: p\nowner_map:\n  file: owners.txt\n")
    (tmp_path / "owners.txt").write_text("a\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(tmp_path / "p.yaml")
    assert "p.yaml:4: owner_map.file:" in str(raised.value)


# --- the command --------------------------------------------------------------------------------


def test_cli_dry_run_prints_a_diff_and_changes_nothing(tmp_path: Path) -> None:
    folder = copy_case("literal_map", tmp_path)
    before = (folder / "main.tf").read_bytes()
    done = run_cli("fix", str(folder), "--policy", str(FIX / "policy"), "--dry-run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("--- a/main.tf\n+++ b/main.tf\n")
    assert "would change 1 file: 11 tags added, 2 keys renamed, 1 value normalised; 0 findings left" in done.stdout
    assert (folder / "main.tf").read_bytes() == before


def test_cli_writes_atomically_keeping_the_mode(tmp_path: Path) -> None:
    folder = copy_case("cfn_yaml", tmp_path)
    template = folder / "template.yaml"
    template.chmod(0o640)
    done = run_cli("fix", str(folder), "--policy", str(FIX / "policy"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("changed 1 file: 8 tags added, 2 keys renamed, 1 value normalised")
    assert stat.S_IMODE(template.stat().st_mode) == 0o640
    assert sorted(path.name for path in folder.iterdir()) == ["template.yaml"]  # no temp file left
    assert run_cli("check", str(folder), "--policy", str(FIX / "policy"), "--no-cache", cwd=tmp_path).returncode == 0


def test_cli_exit_codes(tmp_path: Path) -> None:
    folder = copy_case("unknown", tmp_path)
    done = run_cli("fix", str(folder), "--policy", str(FIX / "policy-unknown"), cwd=tmp_path)
    assert done.returncode == 1
    assert "6 findings left for a person" in done.stdout
    assert "main.tf:1: owner aws_s3_bucket.needs_owner: Owner is missing" in done.stdout
    assert run_cli("fix", str(tmp_path / "missing"), "--policy", str(FIX / "policy"), cwd=tmp_path).returncode == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("tagwarden: 1\nname: p\nrules:\n  - {id: r, require: K, severity: urgent}\n")
    done = run_cli("fix", str(folder), "--policy", str(bad), cwd=tmp_path)
    assert done.returncode == 2 and "bad.yaml:4" in done.stderr


def test_fix_repairs_the_bundled_examples_so_that_check_passes(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    shutil.copytree(REPO / "policies", tmp_path / "policies")
    args = ("examples/terraform", "examples/cloudformation", "--policy", "policies/")
    assert run_cli("check", *args, "--no-cache", cwd=tmp_path).returncode == 1
    done = run_cli("fix", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    checked = run_cli("check", *args, "--no-cache", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert "0 failed" in checked.stdout
    assert run_cli("fix", *args, "--dry-run", cwd=tmp_path).stdout.startswith("would change 0 files")


def _fixture_folders() -> list[Path]:
    root = REPO / "tests" / "fixtures"
    folders = {path.parent for path in root.rglob("*") if path.suffix in (".tf", ".yaml", ".yml", ".json")}
    return sorted(folder for folder in folders if "schemas" not in folder.parts and "golden" not in folder.parts)


def test_fix_on_every_fixture_the_check_has(tmp_path: Path) -> None:
    policy = REPO / "policies"
    for index, folder in enumerate(_fixture_folders()):
        copy = tmp_path / str(index)
        shutil.copytree(folder, copy)
        before = len(failures(check([copy], policy)))
        result = fix(copy, policy)
        broken = [left for left in result.left if "would not re-parse" in left.message or "not fixed:" in left.message]
        assert broken == [], folder  # the writers' own safety nets never had to catch anything
        write_fixed(result)
        for file in result.fixed:
            assert (copy / file).read_text(encoding="utf-8") == result.fixed[file]
        after = len(failures(check([copy], policy)))
        assert after <= before, folder
        assert fix(copy, policy).fixed == {}, folder  # idempotent there too


# --- what fix leaves alone ------------------------------------------------------------------------


def _policy(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(f"tagwarden: 1\nname: p\nrules:\n{rules}", encoding="utf-8")
    return path


def test_a_file_that_does_not_parse_is_listed_and_the_rest_is_fixed(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "  - {id: team, require: Team, remediation: {default: platform}}\n")
    (tmp_path / "repo" / "bad").mkdir(parents=True)
    (tmp_path / "repo" / "good").mkdir()
    (tmp_path / "repo" / "bad" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  tags = {\n')
    (tmp_path / "repo" / "good" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    result = fix(tmp_path / "repo", policy)
    assert list(result.fixed) == ["good/main.tf"]
    assert [(left.file, left.rule) for left in result.left] == [("bad/main.tf", "parse-error")]


def test_value_map_forbidden_keys_and_wrong_values(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        "  - {id: env, require: Environment, allowed: [prod, dev], remediation: {value_map: {Production: prod}}}\n"
        "  - {id: owner, require: Owner, pattern: '^[a-z]+@example[.]org$', remediation: {default: a@example.org}}\n"
        "  - {id: no-temp, forbid: ['temp*']}\n",
    )
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "main.tf").write_text(
        'resource "aws_sqs_queue" "q" {\n  tags = {\n    Environment = "Production"\n'
        '    Owner       = "bob"\n    tempfile    = "x"\n  }\n}\n'
    )
    result = fix(tmp_path / "repo", policy)
    text = result.fixed["main.tf"]
    assert 'Environment = "prod"' in text  # value_map
    assert 'Owner       = "bob"' in text  # a wrong value is never overwritten with a default
    assert 'tempfile    = "x"' in text  # nor is a forbidden key removed
    assert {left.rule for left in result.left} == {"owner", "no-temp"}


def test_cloudformation_flow_style_tags_are_left_and_json_without_properties_gets_them(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "  - {id: team, require: Team, remediation: {default: platform}}\n")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "flow.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: [{Key: A, Value: b}]\n"
    )
    (tmp_path / "repo" / "bare.json").write_text(
        '{\n  "Resources": {\n    "T": {\n      "Type": "AWS::SNS::Topic"\n    }\n  }\n}\n'
    )
    result = fix(tmp_path / "repo", policy)
    assert list(result.fixed) == ["bare.json"]
    assert result.fixed["bare.json"] == (
        '{\n  "Resources": {\n    "T": {\n      "Type": "AWS::SNS::Topic",\n      "Properties": {\n'
        '        "Tags": [\n          {"Key": "Team", "Value": "platform"}\n        ]\n      }\n    }\n  }\n}\n'
    )
    assert [(left.file, left.rule) for left in result.left] == [("flow.yaml", "team")]
    write_fixed(result)
    assert {(r.resource.address, r.status.value) for r in check([tmp_path / "repo"], policy).results} >= {("T", "pass")}


def test_odd_layouts_keep_their_bytes_and_a_one_line_block_is_left(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "  - {id: team, require: Team, remediation: {default: platform}}\n")
    (tmp_path / "repo").mkdir()
    source = (
        'resource "aws_sqs_queue" "comments_only" {\n  tags = {\n    # none yet\n  }\n}\n\n'
        'resource "aws_sqs_queue" "brace_on_item_line" {\n  tags = {\n    Name = "b" }\n}\n\n'
        'resource "aws_sqs_queue" "tabs" {\n\ttags = {\n\t\tName = "c"\n\t}\n}\n\n'
        'resource "aws_sqs_queue" "one_line" { name = "d" }\n'
    )
    (tmp_path / "repo" / "main.tf").write_text(source)
    result = fix(tmp_path / "repo", policy)
    assert result.fixed["main.tf"] == (
        'resource "aws_sqs_queue" "comments_only" {\n  tags = {\n    # none yet\n    Team = "platform"\n  }\n}\n\n'
        'resource "aws_sqs_queue" "brace_on_item_line" {\n  tags = {\n    Name = "b"\n    Team = "platform" }\n}\n\n'
        'resource "aws_sqs_queue" "tabs" {\n\ttags = {\n\t\tName = "c"\n\t\tTeam = "platform"\n\t}\n}\n\n'
        'resource "aws_sqs_queue" "one_line" { name = "d" }\n'
    )
    assert [(left.line, left.rule, left.address) for left in result.left] == [(18, "team", "aws_sqs_queue.one_line")]
