"""Load, validate and merge policy files. Every problem names the file, the line and the field."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from tagwarden.engine.policy.model import (
    Condition,
    Exemption,
    KeySpec,
    Parent,
    Policy,
    PolicyTest,
    Rule,
    Scope,
    ValueSet,
)
from tagwarden.engine.policy.value_sets import ValueFileError, file_value_set, inline_value_set, scalar_text
from tagwarden.engine.policy.yaml_source import Path_, YamlDocument, YamlSourceError, load_yaml

POLICY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PolicyError(Exception):
    """The policy does not load. Nothing may be evaluated."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def field_name(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class _FileContext:
    path: Path
    display: str
    document: YamlDocument
    problems: list[PolicyProblem]

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(PolicyProblem(self.display, self.document.line_of(path), field_name(path), message))


def policy_files(path: Path) -> list[Path]:
    """A policy is a file, or a folder of files merged in file-name order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in POLICY_SUFFIXES and p.is_file())
    return [path]


def load_policy(path: Path) -> Policy:
    if not path.exists():
        raise PolicyError([PolicyProblem(str(path), 0, "", "policy file or folder does not exist")])
    files = policy_files(path)
    if not files:
        raise PolicyError([PolicyProblem(str(path), 0, "", "folder holds no .yaml or .yml policy files")])
    problems: list[PolicyProblem] = []
    contexts = [context for file in files if (context := _read(file, problems)) is not None]
    if problems:
        raise PolicyError(problems)
    policy = _build(contexts, problems)
    if problems or policy is None:
        raise PolicyError(problems)
    return policy


def _read(file: Path, problems: list[PolicyProblem]) -> _FileContext | None:
    display = str(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(PolicyProblem(display, 0, "", f"cannot be read: {error}"))
        return None
    try:
        document = load_yaml(text)
    except YamlSourceError as error:
        problems.append(PolicyProblem(display, error.line, "", f"not valid YAML: {error.message}"))
        return None
    context = _FileContext(file, display, document, problems)
    if not isinstance(document.data, dict):
        context.problem((), "a policy file must be a mapping with at least 'tagwarden: 1'")
        return None
    _validate_schema(context)
    return context


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # imported here: only policy loading needs it

    from tagwarden.engine.policy.schema import POLICY_FILE

    return jsonschema.Draft202012Validator(POLICY_FILE)


def _validate_schema(context: _FileContext) -> None:
    errors = sorted(_validator().iter_errors(context.document.data), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        path: Path_ = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - allowed):
                context.problem((*path, extra), f"unknown field (expected one of: {', '.join(sorted(allowed))})")
            continue
        context.problem(path, _schema_message(error))


def _schema_message(error: Any) -> str:
    if error.validator == "oneOf" and error.context:
        best = min(error.context, key=lambda sub: len(list(sub.absolute_path)))
        return str(best.message)
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required")
    return str(error.message)


def _build(contexts: list[_FileContext], problems: list[PolicyProblem]) -> Policy | None:
    merged = _Merged()
    for context in contexts:
        merged.add(context)
    merged.check_references()
    if problems:
        return None
    if not merged.name:
        first = contexts[0]
        first.problem(("name",), "is required (in at least one file of the policy)")
        return None
    return merged.policy()


class _Merged:
    """Accumulates the files of a policy folder, in order, checking cross-file uniqueness."""

    def __init__(self) -> None:
        self.name = ""
        self.description = ""
        self.owner = ""
        self.value_sets: dict[str, ValueSet] = {}
        self.keys: dict[str, KeySpec] = {}
        self.rules: list[Rule] = []
        self.exemptions: list[Exemption] = []
        self.tests: list[PolicyTest] = []
        self.allocation: Mapping[str, Any] | None = None
        self.owner_map: dict[str, str] = {}
        self.owner_rows: list[Mapping[str, str]] = []
        self.sources: list[str] = []
        self.canonical: list[Any] = []
        self.rule_references: list[tuple[_FileContext, Path_, str]] = []

    def add(self, context: _FileContext) -> None:
        data: dict[str, Any] = context.document.data
        self.sources.append(context.display)
        self.name = self.name or data.get("name", "")
        self.description = self.description or data.get("description", "")
        self.owner = self.owner or data.get("owner", "")
        self._add_value_sets(context, data.get("value_sets", {}))
        self._add_keys(context, data.get("keys", {}))
        for index, raw in enumerate(data.get("rules", [])):
            self._add_rule(context, index, raw)
        for index, raw in enumerate(data.get("exemptions", [])):
            self._add_exemption(context, index, raw)
        for index, raw in enumerate(data.get("tests", [])):
            self.tests.append(_policy_test(context, index, raw))
            for rule_id in raw["expect"]:
                self.rule_references.append((context, ("tests", index, "expect", rule_id), rule_id))
        if "allocation" in data:
            self._add_allocation(context, data["allocation"])
        self._add_owner_map(context, data.get("owner_map", {}))
        self.canonical.append({k: v for k, v in data.items() if k != "tests"})

    def _add_value_sets(self, context: _FileContext, raw: dict[str, Any]) -> None:
        for name, spec in raw.items():
            path: Path_ = ("value_sets", name)
            if name in self.value_sets:
                context.problem(path, f"value set '{name}' is defined twice")
                continue
            if isinstance(spec, list):
                self.value_sets[name] = inline_value_set(name, spec)
                continue
            try:
                self.value_sets[name] = file_value_set(name, context.path.parent / spec["file"], spec.get("column"))
            except ValueFileError as error:
                line = f" (line {error.line} of the file)" if error.line else ""
                context.problem((*path, "file"), error.message + line)

    def _add_keys(self, context: _FileContext, raw: dict[str, Any]) -> None:
        for name, spec in raw.items():
            if name in self.keys:
                context.problem(("keys", name), f"key '{name}' is defined twice")
                continue
            self.keys[name] = KeySpec(name=name, aliases=tuple(spec.get("aliases", ())), gcp=spec.get("gcp"))

    def _add_rule(self, context: _FileContext, index: int, raw: dict[str, Any]) -> None:
        rule = _RuleBuilder(context, ("rules", index), raw, self.value_sets).build()
        if rule is None:
            return
        from tagwarden.engine.evaluation.builtin_rules import BUILTIN_RULES

        if rule.id in BUILTIN_RULES:
            context.problem(("rules", index, "id"), f"'{rule.id}' is a built-in rule id; choose another")
            return
        if any(existing.id == rule.id for existing in self.rules):
            context.problem(("rules", index, "id"), f"duplicate rule id '{rule.id}'")
            return
        self.rules.append(rule)

    def _add_exemption(self, context: _FileContext, index: int, raw: dict[str, Any]) -> None:
        path: Path_ = ("exemptions", index)
        self.rule_references.append((context, (*path, "rule"), raw["rule"]))
        expires = _parse_date(context, (*path, "expires"), raw.get("expires"))
        self.exemptions.append(
            Exemption(
                rule=raw["rule"],
                resources=tuple(raw["resources"]),
                reason=raw["reason"],
                approved_by=raw.get("approved_by"),
                expires=expires,
            )
        )

    def _add_owner_map(self, context: _FileContext, raw: dict[str, str]) -> None:
        """``{file: owners.csv}`` reads rows from a CSV with a ``match`` column; else glob -> owner."""
        if set(raw) != {"file"}:
            self.owner_map.update(raw)
            self.owner_rows.extend({"match": glob, "owner": owner} for glob, owner in raw.items())
            return
        try:
            table = file_value_set("owner_map", context.path.parent / raw["file"], "match")
        except ValueFileError as error:
            line = f" (line {error.line} of the file)" if error.line else ""
            context.problem(("owner_map", "file"), error.message + line)
            return
        if not table.rows:
            context.problem(("owner_map", "file"), f"{raw['file']} holds no rows")
            return
        self.owner_rows.extend(table.rows)

    def _add_allocation(self, context: _FileContext, raw: dict[str, Any]) -> None:
        if self.allocation is not None:
            context.problem(("allocation",), "allocation is defined in more than one file")
            return
        for index, shared in enumerate(raw.get("shared", [])):
            split = shared["split"]
            if isinstance(split, dict) and abs(sum(split["fixed"].values()) - 100) > 1e-9:
                context.problem(("allocation", "shared", index, "split", "fixed"), "percentages must sum to 100")
        self.allocation = raw

    def check_references(self) -> None:
        """Exemptions and tests may name rules of a later file, so they are checked at the end."""
        from tagwarden.engine.evaluation.builtin_rules import BUILTIN_RULES

        rule_ids = {rule.id for rule in self.rules} | set(BUILTIN_RULES)
        for context, path, rule_id in self.rule_references:
            if rule_id != "*" and rule_id not in rule_ids:
                context.problem(path, f"no rule with id '{rule_id}'")

    def policy(self) -> Policy:
        digest = (
            "sha256:"
            + hashlib.sha256(
                json.dumps(
                    [self.canonical, {name: vs.values for name, vs in sorted(self.value_sets.items())}],
                    sort_keys=True,
                    default=str,
                ).encode()
            ).hexdigest()
        )
        return Policy(
            name=self.name,
            digest=digest,
            rules=tuple(self.rules),
            description=self.description,
            owner=self.owner,
            value_sets=dict(self.value_sets),
            keys=dict(self.keys),
            exemptions=tuple(self.exemptions),
            allocation=self.allocation,
            tests=tuple(self.tests),
            sources=tuple(self.sources),
            owner_map=dict(self.owner_map),
            owner_rows=tuple(self.owner_rows),
        )


class _RuleBuilder:
    def __init__(
        self, context: _FileContext, path: Path_, raw: dict[str, Any], value_sets: Mapping[str, ValueSet]
    ) -> None:
        self.context = context
        self.path = path
        self.raw = raw
        self.value_sets = value_sets
        self.ok = True

    def problem(self, field: str, message: str) -> None:
        self.context.problem((*self.path, field) if field else self.path, message)
        self.ok = False

    def build(self) -> Rule | None:
        raw = self.raw
        has_require, has_forbid = "require" in raw, "forbid" in raw
        if has_require == has_forbid:
            self.problem("", "a rule has exactly one of 'require' or 'forbid'")
        for field in ("allowed", "pattern", "parent", "value_case"):
            if field in raw and not has_require:
                self.problem(field, f"'{field}' goes with 'require'")
        allowed, allowed_label = self._allowed()
        rule = Rule(
            id=raw["id"],
            severity=raw.get("severity", "medium"),
            title=raw.get("title", ""),
            description=raw.get("description", ""),
            require=raw.get("require"),
            forbid=tuple([raw["forbid"]] if isinstance(raw.get("forbid"), str) else raw.get("forbid", ())),
            allowed=allowed,
            allowed_label=allowed_label,
            pattern=self._regex("pattern", raw.get("pattern")),
            value_case=raw.get("value_case", "exact"),
            key_case=raw.get("key_case", "exact"),
            when=self._condition(raw.get("when")),
            parent=self._parent(raw.get("parent")),
            scope=_scope(raw.get("scope", {})),
            remediation=raw.get("remediation", {}),
            line=self.context.document.line_of(self.path),
        )
        return rule if self.ok else None

    def _allowed(self) -> tuple[tuple[str, ...] | None, str | None]:
        allowed = self.raw.get("allowed")
        if allowed is None:
            return None, None
        if isinstance(allowed, str):
            value_set = self._value_set("allowed", allowed)
            return (value_set.values if value_set else ()), f"one of {allowed}"
        values = tuple(scalar_text(value) for value in allowed)
        return values, "one of " + ", ".join(values)

    def _value_set(self, field: str, reference: str) -> ValueSet | None:
        value_set = self.value_sets.get(reference.removeprefix("$"))
        if value_set is None:
            self.problem(field, f"undefined value set {reference}")
        return value_set

    def _regex(self, field: str, text: str | None) -> re.Pattern[str] | None:
        if text is None:
            return None
        try:
            return re.compile(text)
        except re.error as error:
            self.problem(field, f"bad regular expression: {error}")
            return None

    def _condition(self, raw: dict[str, Any] | None) -> Condition | None:
        if raw is None:
            return None
        tests = [name for name in ("in", "present", "matches") if name in raw]
        if len(tests) != 1:
            self.problem("when", "a condition has exactly one of 'in', 'present' or 'matches'")
            return None
        values = tuple(scalar_text(value) for value in raw["in"]) if "in" in raw else None
        matches = self._regex("when", raw.get("matches"))
        return Condition(key=raw["key"], values=values, present=raw.get("present"), matches=matches)

    def _parent(self, raw: dict[str, Any] | None) -> Parent | None:
        if raw is None:
            return None
        value_set = self._value_set("parent", raw["set"])
        if value_set is None:
            return None
        if raw["column"] not in (value_set.rows[0] if value_set.rows else {}):
            self.problem("parent", f"value set {raw['set']} has no column '{raw['column']}' (needs a CSV file)")
            return None
        return Parent(key=raw["key"], value_set=value_set.name, column=raw["column"])


def _scope(raw: dict[str, Any]) -> Scope:
    return Scope(
        providers=tuple(raw.get("providers", ())),
        resource_types=tuple(raw.get("resource_types", ())),
        accounts=tuple(raw.get("accounts", ())),
        regions=tuple(raw.get("regions", ())),
        paths=tuple(raw.get("paths", ())),
    )


def _parse_date(context: _FileContext, path: Path_, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        context.problem(path, f"'{text}' is not a date (YYYY-MM-DD)")
        return None


def _policy_test(context: _FileContext, index: int, raw: dict[str, Any]) -> PolicyTest:
    expect = {rule: ({"status": spec} if isinstance(spec, str) else dict(spec)) for rule, spec in raw["expect"].items()}
    return PolicyTest(
        name=raw["name"],
        resource=raw["resource"],
        expect=expect,
        line=context.document.line_of(("tests", index)),
    )
