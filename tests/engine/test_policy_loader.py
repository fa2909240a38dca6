"""The policy loader: every valid construct loads; every mistake names file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagwarden.engine.policy.loader import PolicyError, load_policy

MINIMAL = "tagwarden: 1\nname: p\n"


def policy_file(write, body: str, name: str = "policy.yaml") -> Path:
    return write(name, textwrap.dedent(body))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return [str(problem) for problem in caught.value.problems]


def test_starter_policy_loads_with_every_construct(repo: Path) -> None:
    policy = load_policy(repo / "policies")
    assert policy.name == "starter-baseline"
    assert [rule.id for rule in policy.rules][:3] == ["cost-center", "owner", "environment"]
    cost = policy.rule("cost-center")
    assert cost is not None and "cc-1000" in (cost.allowed or ())
    assert cost.allowed_label == "one of $cost_centers"
    assert policy.keys["CostCenter"].gcp == "cost_center"
    assert policy.digest.startswith("sha256:")
    assert policy.exemptions[0].expires is not None and policy.exemptions[0].expires.isoformat() == "2027-06-30"


def test_digest_changes_when_a_value_file_changes(write) -> None:
    write("sets.txt", "a\nb\n")
    path = policy_file(
        write, MINIMAL + "value_sets:\n  s: {file: sets.txt}\nrules:\n  - {id: r, require: K, allowed: $s}\n"
    )
    first = load_policy(path).digest
    write("sets.txt", "a\nc\n")
    assert load_policy(path).digest != first


def test_unknown_field_names_file_line_and_field(write) -> None:
    path = policy_file(write, MINIMAL + "rules:\n  - id: r\n    require: K\n    severty: high\n")
    assert problems_of(path) == [
        f"{path}:6: rules[0].severty: unknown field (expected one of: allowed, description, forbid, id, key_case, "
        "parent, pattern, remediation, require, scope, severity, title, value_case, when)"
    ]


@pytest.mark.parametrize(
    ("rules", "line", "field", "message"),
    [
        ("  - {id: r, require: K, severity: urgent}\n", 4, "rules[0].severity", "'urgent' is not one of"),
        ("  - {id: R_1, require: K}\n", 4, "rules[0].id", "does not match"),
        ("  - {id: r, require: K, pattern: '(unclosed'}\n", 4, "rules[0].pattern", "bad regular expression"),
        ("  - {id: r, require: K, allowed: $nope}\n", 4, "rules[0].allowed", "undefined value set $nope"),
        ("  - {id: r, require: K}\n  - {id: r, require: L}\n", 5, "rules[1].id", "duplicate rule id 'r'"),
        ("  - {id: r}\n", 4, "rules[0]", "exactly one of 'require' or 'forbid'"),
        ("  - {id: r, forbid: [x], allowed: [a]}\n", 4, "rules[0].allowed", "'allowed' goes with 'require'"),
        ("  - {id: r, require: K, when: {key: E}}\n", 4, "rules[0].when", "exactly one of 'in', 'present'"),
        ("  - {id: parse-error, require: K}\n", 4, "rules[0].id", "built-in rule id"),
    ],
)
def test_rule_mistakes(write, rules: str, line: int, field: str, message: str) -> None:
    path = policy_file(write, MINIMAL + "rules:\n" + rules)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{line}: {field}: ")
    assert message in problem


def test_value_file_problems(write) -> None:
    path = policy_file(write, MINIMAL + "value_sets:\n  cc: {file: missing.csv, column: code}\n")
    (problem,) = problems_of(path)
    assert f"{path}:4: value_sets.cc.file: value file" in problem and "does not exist" in problem
    write("bad.csv", "name\nx\n")
    path = policy_file(write, MINIMAL + "value_sets:\n  cc: {file: bad.csv, column: code}\n")
    (problem,) = problems_of(path)
    assert "has no column 'code' (columns: name)" in problem


def test_yaml_syntax_error_and_duplicate_keys(write) -> None:
    path = policy_file(write, "tagwarden: 1\nname: [unclosed\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:") and "not valid YAML" in problem
    path = policy_file(write, "tagwarden: 1\nname: a\nname: b\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: ") and "duplicate key 'name'" in problem


def test_yaml_is_loaded_safely(write) -> None:
    path = policy_file(write, "tagwarden: 1\nname: !!python/object/apply:os.system ['echo owned']\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2: ") and "YAML tag tag:yaml.org,2002:python/object/apply:os.system" in problem


def test_exemption_naming_an_unknown_rule_and_a_bad_date(write) -> None:
    path = policy_file(
        write,
        MINIMAL
        + textwrap.dedent("""\
        rules:
          - {id: r, require: K}
        exemptions:
          - {rule: typo, resources: ["*"], reason: x}
          - {rule: r, resources: ["*"], reason: x, expires: 2027-02-30}
        """),
    )
    problems = problems_of(path)
    assert any(p.startswith(f"{path}:6: exemptions[0].rule: no rule with id 'typo'") for p in problems)
    assert any(p.startswith(f"{path}:7: exemptions[1].expires: '2027-02-30' is not a date") for p in problems)


def test_folder_is_merged_in_file_name_order(write) -> None:
    write("p/20-rules.yaml", "tagwarden: 1\nrules:\n  - {id: env, require: Environment, allowed: $envs}\n")
    write("p/10-base.yaml", "tagwarden: 1\nname: merged\nvalue_sets:\n  envs: [prod, dev]\n")
    write("p/notes.txt", "not a policy")
    policy = load_policy(write("p/30-more.yml", "tagwarden: 1\nrules:\n  - {id: owner, require: Owner}\n").parent)
    assert policy.name == "merged"
    assert [rule.id for rule in policy.rules] == ["env", "owner"]


def test_duplicate_rule_across_files_names_the_second_file(write) -> None:
    write("p/a.yaml", "tagwarden: 1\nname: x\nrules:\n  - {id: r, require: K}\n")
    second = write("p/b.yaml", "tagwarden: 1\nrules:\n  - {id: r, require: L}\n")
    (problem,) = problems_of(second.parent)
    assert problem.startswith(f"{second}:3: rules[0].id: duplicate rule id 'r'")


def test_numbers_and_booleans_in_allowed_are_tag_text(write) -> None:
    policy = load_policy(policy_file(write, MINIMAL + "rules:\n  - {id: r, require: K, allowed: [1000, true, x]}\n"))
    assert policy.rules[0].allowed == ("1000", "true", "x")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_either_loads_or_fails_with_a_located_problem(write, text: str) -> None:
    path = write("fuzz.yaml", text)
    try:
        load_policy(path)
    except PolicyError as error:
        assert error.problems and all(str(p).startswith(str(path)) for p in error.problems)


RULE_FIELDS = st.fixed_dictionaries(
    {"id": st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), "require": st.sampled_from(["K", "Owner"])},
    optional={
        "severity": st.sampled_from(["critical", "high", "medium", "low", "info", "bogus"]),
        "allowed": st.lists(st.text(alphabet="abc*", max_size=4), max_size=3),
        "pattern": st.sampled_from(["^a+$", "[", "(x|y)"]),
        "value_case": st.sampled_from(["exact", "insensitive", "other"]),
        "extra": st.integers(),
    },
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(RULE_FIELDS, max_size=4))
def test_generated_rules_load_exactly_when_valid(write, rules) -> None:
    import yaml

    path = write("gen.yaml", yaml.safe_dump({"tagwarden": 1, "name": "g", "rules": rules}))
    ids = [rule["id"] for rule in rules]
    valid = (
        len(set(ids)) == len(ids)
        and all(rule.get("severity", "high") != "bogus" for rule in rules)
        and all(rule.get("pattern") != "[" for rule in rules)
        and all(rule.get("value_case", "exact") != "other" for rule in rules)
        and all("extra" not in rule for rule in rules)
    )
    try:
        policy = load_policy(path)
    except PolicyError:
        assert not valid
    else:
        assert valid and [rule.id for rule in policy.rules] == ids
