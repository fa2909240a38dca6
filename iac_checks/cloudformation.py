"""CloudFormation (and SAM) templates, YAML or JSON -> resources.

Tags are read where the taggability registry says the type keeps them (``Tags`` as a list of
``{Key, Value}`` or as a map, ``HostedZoneTags``...). Intrinsic functions are resolved as far as
the template alone allows: parameters with a ``Default``, ``Mappings``, ``Conditions`` over those,
``Fn::Sub``/``Fn::Join``/``Fn::Select``/``Fn::Split``. Anything that needs the deployed stack
(pseudo parameters, ``Fn::GetAtt``, ``Fn::ImportValue``, parameters without a default) becomes an
:class:`Unknown` naming what it waits for, e.g. ``Ref:AWS::AccountId`` or ``GetAtt:Bucket.Arn``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tagwarden.engine.resources import Resource, SourceProblem, Suppression, Taggability, TagSet, TagValue, Unknown
from tagwarden.engine.taggability.registry import TaggabilityRegistry, TypeInfo
from tagwarden.iac_checks.discovery import read_text
from tagwarden.iac_checks.interface import LoadOptions, LoadResult, load_each

SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
_HEAD_MARKERS = (
    re.compile(r"AWSTemplateFormatVersion"),
    # a top-level Resources section (YAML at column 0, JSON after `{` or `,`) with an AWS:: type
    re.compile(r"""(?:^["']?Resources["']?|[{,]\s*"Resources")\s*:.*?["']?Type["']?\s*:\s*["']?AWS::""", re.M | re.S),
)
_SUPPRESSION = re.compile(r"#\s*tagwarden:ignore\s+([A-Za-z0-9*_,-]+)[ \t]*(.*)")
_PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
# SAM `Globals` sections whose Tags every resource of that type inherits.
_SAM_GLOBALS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
}


class CloudFormationLoader:
    name = "cloudformation"

    def claims(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() not in SUFFIXES:
            return False
        text = head.decode("utf-8", errors="replace")
        return any(marker.search(text) for marker in _HEAD_MARKERS)

    def load(self, files: Sequence[Path], root: Path, options: LoadOptions) -> LoadResult:
        return load_each(files, root, lambda path, name: load_template(path, name, options.registry), "template")


def load_template(path: Path, name: str, registry: TaggabilityRegistry) -> LoadResult:
    """The resources of one template file, or the problem that stops it being read."""
    result = LoadResult()
    parsed = _parse_file(path, name)
    if isinstance(parsed, SourceProblem):
        result.problems.append(parsed)
        return result
    if not isinstance(parsed.data, Mapping):
        result.problems.append(SourceProblem(name, 1, "not a CloudFormation template: the document is not a mapping"))
        return result
    resources = parsed.data.get("Resources")
    if not isinstance(resources, Mapping):
        result.problems.append(SourceProblem(name, 1, "not a CloudFormation template: no Resources mapping"))
        return result
    template = _Template.of(parsed.data)
    for logical_id, body in resources.items():
        line = parsed.lines.get(str(logical_id), 1)
        made = _resource(template, str(logical_id), body, registry, name, line, parsed.comments)
        if isinstance(made, SourceProblem):
            result.problems.append(made)
        else:
            result.resources.append(made)
    return result


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    data: Any
    lines: Mapping[str, int]  # logical id -> line of its key
    comments: Sequence[str] = ()  # the file's lines, for suppression comments (YAML only)


def _parse_file(path: Path, name: str) -> _Parsed | SourceProblem:
    text, problem = read_text(path, name)
    if text is None:
        return problem or SourceProblem(name, 0, "cannot read file")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return SourceProblem(name, line, "binary content (NUL byte), not a template")
    if not text.strip():
        return SourceProblem(name, 1, "empty file: no template")
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _parse_json(text, name)
    return _parse_yaml(text, name)


def _parse_json(text: str, name: str) -> _Parsed | SourceProblem:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return SourceProblem(name, error.lineno, f"invalid JSON: {error.msg} (column {error.colno})")
    except RecursionError:
        return SourceProblem(name, 1, "invalid JSON: nested too deeply")
    return _Parsed(data, _json_resource_lines(text))


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def _json_resource_lines(text: str) -> dict[str, int]:
    """Line of each key directly under the top-level "Resources" object (json keeps no positions)."""
    lines: dict[str, int] = {}
    containers: list[tuple[str, str | None]] = []  # (kind, the key it is the value of)
    expect_key = False
    last_key: tuple[str, int] | None = None
    current_key: str | None = None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            containers.append(("object" if token == "{" else "array", current_key))
            expect_key, current_key = token == "{", None
        elif token in "}]":
            if containers:
                containers.pop()
            expect_key, current_key = False, None
        elif token == ",":
            expect_key, current_key = bool(containers) and containers[-1][0] == "object", None
        elif token == ":":
            if last_key is not None:
                current_key = last_key[0]
                if len(containers) == 2 and containers[1] == ("object", "Resources"):
                    lines.setdefault(last_key[0], text.count("\n", 0, last_key[1]) + 1)
            last_key = None
        elif expect_key:
            last_key, expect_key = (json.loads(token), match.start()), False
    return lines


def _parse_yaml(text: str, name: str) -> _Parsed | SourceProblem:
    loader = _TemplateLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return SourceProblem(name, 1, "empty file: no template")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        return SourceProblem(name, line, f"invalid YAML: {error.problem or error.context}")
    except yaml.YAMLError as error:
        return SourceProblem(name, 1, f"invalid YAML: {error}")
    except RecursionError:
        return SourceProblem(name, 1, "invalid YAML: nested too deeply")
    finally:
        loader.dispose()
    return _Parsed(data, _yaml_resource_lines(node), text.splitlines())


def _yaml_resource_lines(root: yaml.Node) -> dict[str, int]:
    lines: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value == "Resources" and isinstance(value, yaml.MappingNode):
            for resource_key, _ in value.value:
                lines.setdefault(str(resource_key.value), resource_key.start_mark.line + 1)
    return lines


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader with the short-form intrinsics. Plain scalars stay strings (as CloudFormation
    reads tag values): ``Value: yes`` is "yes", ``Value: 0123`` is "0123", not YAML 1.1 types."""


_UNTYPED = frozenset({"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                      "tag:yaml.org,2002:timestamp"})  # fmt: skip
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _UNTYPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _intrinsic_constructor(function: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if function == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {function: value}

    return construct


for _short in ("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split",
               "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "Length", "ToJsonString"):  # fmt: skip
    _TemplateLoader.add_constructor(f"!{_short}", _intrinsic_constructor(f"Fn::{_short}"))
_TemplateLoader.add_constructor("!Ref", _intrinsic_constructor("Ref"))
_TemplateLoader.add_constructor("!Condition", _intrinsic_constructor("Condition"))


# --- resolving ---------------------------------------------------------------------------------


class _NoValue:
    """``Ref: AWS::NoValue``: the property (or list item) is left out."""


NO_VALUE = _NoValue()
Scalar = str | Unknown | _NoValue


def _intrinsic_name(value: Any) -> str | None:
    if isinstance(value, Mapping) and len(value) == 1:
        (key,) = value
        if key == "Ref" or key == "Condition" or (isinstance(key, str) and key.startswith("Fn::")):
            return str(key)
    return None


def _merge_unknowns(parts: Sequence[Any]) -> Unknown:
    deps: dict[str, None] = {}
    for part in parts:
        if isinstance(part, Unknown):
            deps.update(dict.fromkeys(part.depends_on))
    return Unknown(tuple(deps))


@dataclass
class _Template:
    parameters: Mapping[str, Any]
    mappings: Mapping[str, Any]
    conditions: Mapping[str, Any]
    globals: Mapping[str, Any]
    _condition_stack: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> _Template:
        def section(key: str) -> Mapping[str, Any]:
            value = data.get(key)
            return value if isinstance(value, Mapping) else {}

        return cls(section("Parameters"), section("Mappings"), section("Conditions"), section("Globals"))

    # scalars

    def scalar(self, value: Any) -> Scalar:
        """A value as the string CloudFormation would pass, or why it cannot be known yet."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        function = _intrinsic_name(value)
        if function is None:
            return Unknown(("(not a string)",))
        argument = value[function]
        handler = _SCALAR_FUNCTIONS.get(function)
        if handler is None:
            return Unknown((function,))
        return handler(self, argument)

    def ref(self, name: Any) -> Scalar:
        name = str(name)
        if name == "AWS::NoValue":
            return NO_VALUE
        parameter = self.parameters.get(name)
        if name not in _PSEUDO_PARAMETERS and isinstance(parameter, Mapping) and "Default" in parameter:
            default = self.scalar(parameter["Default"])
            return default if isinstance(default, str) else Unknown((f"Ref:{name}",))
        return Unknown((f"Ref:{name}",))

    def get_att(self, argument: Any) -> Scalar:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if isinstance(argument, list) and argument:
            parts = [self.scalar(part) for part in argument]
            text = ".".join(part if isinstance(part, str) else "?" for part in parts)
            return Unknown((f"GetAtt:{text}",))
        return Unknown(("GetAtt",))

    def import_value(self, argument: Any) -> Scalar:
        export = self.scalar(argument)
        if isinstance(export, str):
            return Unknown((f"ImportValue:{export}",))
        return Unknown(("ImportValue", *(export.depends_on if isinstance(export, Unknown) else ())))

    def sub(self, argument: Any) -> Scalar:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list) and argument:
            template = argument[0]
            if len(argument) > 1 and isinstance(argument[1], Mapping):
                variables = argument[1]
        else:
            template = argument
        if not isinstance(template, str):
            return Unknown(("Fn::Sub",))
        parts: list[Scalar] = []
        for literal, expression in _split_sub(template):
            parts.append(literal)
            if expression is not None:
                parts.append(self._sub_variable(expression, variables))
        return self._concatenate(parts)

    def _sub_variable(self, expression: str, variables: Mapping[str, Any]) -> Scalar:
        if expression in variables:
            return self.scalar(variables[expression])
        if "." in expression and not expression.startswith("AWS::"):
            return self.get_att(expression)
        return self.ref(expression)

    def join(self, argument: Any) -> Scalar:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown(("Fn::Join",))
        delimiter = self.scalar(argument[0])
        items = self.string_list(argument[1])
        if isinstance(items, Unknown):
            return items
        if not isinstance(delimiter, str):
            return _merge_unknowns([delimiter])
        if any(isinstance(item, Unknown) for item in items):
            return _merge_unknowns(items)
        return delimiter.join(item for item in items if isinstance(item, str))

    def select(self, argument: Any) -> Scalar:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown(("Fn::Select",))
        index = self.scalar(argument[0])
        items = self.string_list(argument[1])
        if isinstance(index, Unknown) or isinstance(items, Unknown):
            return _merge_unknowns([index, items])
        if not isinstance(index, str) or not index.isdigit() or int(index) >= len(items):
            return Unknown(("Fn::Select",))
        return items[int(index)]

    def find_in_map(self, argument: Any) -> Scalar:
        if not (isinstance(argument, list) and len(argument) >= 3):
            return Unknown(("Fn::FindInMap",))
        keys = [self.scalar(part) for part in argument[:3]]
        if any(not isinstance(key, str) for key in keys):
            return _merge_unknowns(keys)
        map_name, top, second = (str(key) for key in keys)
        try:
            found = self.mappings[map_name][top][second]
        except (KeyError, TypeError):
            if len(argument) == 4 and isinstance(argument[3], Mapping) and "DefaultValue" in argument[3]:
                return self.scalar(argument[3]["DefaultValue"])
            return Unknown((f"FindInMap:{map_name}.{top}.{second}",))
        return self.scalar(found)

    def if_(self, argument: Any) -> Scalar:
        if not (isinstance(argument, list) and len(argument) == 3):
            return Unknown(("Fn::If",))
        chosen = self.condition(argument[0])
        if isinstance(chosen, bool):
            return self.scalar(argument[1] if chosen else argument[2])
        when_true, when_false = self.scalar(argument[1]), self.scalar(argument[2])
        if isinstance(when_true, str) and when_true == when_false:
            return when_true
        return _merge_unknowns([chosen, when_true, when_false])

    def base64(self, argument: Any) -> Scalar:
        value = self.scalar(argument)
        if isinstance(value, str):
            return base64.b64encode(value.encode()).decode()
        return value

    def string_list(self, value: Any) -> list[Scalar] | Unknown:
        """A list argument (of Fn::Join, Fn::Select): literal, Fn::Split, or a list parameter."""
        if isinstance(value, list):
            return [item for item in (self.scalar(item) for item in value) if not isinstance(item, _NoValue)]
        function = _intrinsic_name(value)
        if function == "Fn::Split":
            argument = value[function]
            if isinstance(argument, list) and len(argument) == 2:
                delimiter, source = self.scalar(argument[0]), self.scalar(argument[1])
                if isinstance(delimiter, str) and isinstance(source, str) and delimiter:
                    return list(source.split(delimiter))
                return _merge_unknowns([delimiter, source])
        if function == "Ref":
            resolved = self.ref(value["Ref"])
            if isinstance(resolved, str):
                return list(resolved.split(","))
            return resolved if isinstance(resolved, Unknown) else []
        if function is not None:
            return Unknown((function,))
        return Unknown(("(not a list)",))

    def _concatenate(self, parts: Sequence[Scalar]) -> Scalar:
        if any(isinstance(part, Unknown) for part in parts):
            return _merge_unknowns(parts)
        return "".join(part for part in parts if isinstance(part, str))

    # conditions

    def condition(self, name: Any) -> bool | Unknown:
        name = str(name)
        if name not in self.conditions or name in self._condition_stack:
            return Unknown((f"Condition:{name}",))
        self._condition_stack.append(name)
        try:
            value = self._condition_value(self.conditions[name])
        finally:
            self._condition_stack.pop()
        if isinstance(value, Unknown) and not value.depends_on:
            return Unknown((f"Condition:{name}",))
        return value

    def _condition_value(self, expression: Any) -> bool | Unknown:
        function = _intrinsic_name(expression)
        argument = expression[function] if function is not None else None
        if function == "Condition":
            return self.condition(argument)
        if not isinstance(argument, list):
            return Unknown(())
        if function == "Fn::Equals" and len(argument) == 2:
            left, right = self.scalar(argument[0]), self.scalar(argument[1])
            if isinstance(left, str) and isinstance(right, str):
                return left == right
            return _merge_unknowns([left, right])
        operands = [self._condition_value(item) for item in argument]
        return _combine_condition(function, operands)

    # tags

    def tags(self, properties: Any, info: TypeInfo, resource_type: str) -> TagSet:
        known: dict[str, TagValue] = {}
        open_deps: dict[str, None] = {}
        inherited = self._global_tags(resource_type)
        for raw in [*inherited, *self._raw_tags(properties, info, open_deps)]:
            self._add_tags(raw, known, open_deps)
        return TagSet(known, tuple(open_deps))

    def _global_tags(self, resource_type: str) -> list[Any]:
        for section, sam_type in _SAM_GLOBALS.items():
            settings = self.globals.get(section)
            if sam_type == resource_type and isinstance(settings, Mapping) and "Tags" in settings:
                return [settings["Tags"]]
        return []

    def _raw_tags(self, properties: Any, info: TypeInfo, open_deps: dict[str, None]) -> Iterator[Any]:
        if properties is None:
            return
        if not isinstance(properties, Mapping):
            open_deps.update(dict.fromkeys(self.dependencies(properties)))
            return
        for path in info.tag_paths:
            yield from _values_at(properties, path)

    def _add_tags(self, raw: Any, known: dict[str, TagValue], open_deps: dict[str, None]) -> None:
        if _intrinsic_name(raw) is not None:
            chosen = self._choose_branch(raw)
            if chosen is not raw:
                self._add_tags(chosen, known, open_deps)
            elif not isinstance(self.scalar(raw), _NoValue):
                open_deps.update(dict.fromkeys(self.dependencies(raw) or (str(_intrinsic_name(raw)),)))
        elif isinstance(raw, list):
            for item in raw:
                self._add_list_item(item, known, open_deps)
        elif isinstance(raw, Mapping):
            for key, value in raw.items():
                self._add_tag(str(key), self.scalar(value), known)

    def _add_list_item(self, item: Any, known: dict[str, TagValue], open_deps: dict[str, None]) -> None:
        if _intrinsic_name(item) is not None:
            chosen = self._choose_branch(item)
            if chosen is not item:
                self._add_list_item(chosen, known, open_deps)
            elif not self._add_conditional_keys(item, known) and not isinstance(self.scalar(item), _NoValue):
                open_deps.update(dict.fromkeys(self.dependencies(item) or (str(_intrinsic_name(item)),)))
            return
        if not isinstance(item, Mapping) or not ("Key" in item or "key" in item):
            return
        key = self.scalar(item.get("Key", item.get("key")))
        if isinstance(key, Unknown):
            open_deps.update(dict.fromkeys(key.depends_on))
        elif isinstance(key, str):
            self._add_tag(key, self.scalar(item.get("Value", item.get("value"))), known)

    def _add_conditional_keys(self, item: Any, known: dict[str, TagValue]) -> bool:
        """``!If [Cond, {Key: K, Value: V}, !Ref AWS::NoValue]`` that the template cannot decide: K is
        there or not, so its value is unknown; the other keys stay certain. False for other shapes."""
        if _intrinsic_name(item) != "Fn::If" or not isinstance(item["Fn::If"], list) or len(item["Fn::If"]) != 3:
            return False
        condition, *branches = item["Fn::If"]
        keys: list[str] = []
        for branch in branches:
            if isinstance(self.scalar(branch), _NoValue):
                continue
            key = self.scalar(branch.get("Key")) if isinstance(branch, Mapping) and "Key" in branch else None
            if not isinstance(key, str):
                return False
            keys.append(key)
        decided = self.condition(condition)
        waits_for = decided.depends_on if isinstance(decided, Unknown) else (f"Condition:{condition}",)
        for key in keys:
            known[key] = Unknown(waits_for)
        return True

    @staticmethod
    def _add_tag(key: str, value: Scalar, known: dict[str, TagValue]) -> None:
        if not isinstance(value, _NoValue):
            known[key] = value

    def _choose_branch(self, value: Any) -> Any:
        """The branch of an ``Fn::If`` whose condition the template decides; else ``value`` itself."""
        if _intrinsic_name(value) != "Fn::If":
            return value
        argument = value["Fn::If"]
        if not (isinstance(argument, list) and len(argument) == 3):
            return value
        chosen = self.condition(argument[0])
        if isinstance(chosen, bool):
            return argument[1] if chosen else argument[2]
        return value

    def dependencies(self, value: Any) -> tuple[str, ...]:
        """What a value that is not literal waits for (Ref:X, GetAtt:X.Y, ImportValue:X, Condition:X)."""
        function = _intrinsic_name(value)
        if function == "Fn::If" and isinstance(value[function], list) and value[function]:
            chosen = self.condition(value[function][0])
            deps: dict[str, None] = dict.fromkeys(chosen.depends_on if isinstance(chosen, Unknown) else ())
            for branch in value[function][1:]:
                deps.update(dict.fromkeys(self.dependencies(branch)))
            return tuple(deps)
        if function is not None:
            resolved = self.scalar(value)
            if isinstance(resolved, Unknown):
                return resolved.depends_on or (function,)
        return ()


def _combine_condition(function: str | None, operands: Sequence[bool | Unknown]) -> bool | Unknown:
    known = [operand for operand in operands if isinstance(operand, bool)]
    unknown = [operand for operand in operands if isinstance(operand, Unknown)]
    if function == "Fn::Not" and len(operands) == 1:
        return not operands[0] if isinstance(operands[0], bool) else operands[0]
    if function == "Fn::And":
        if False in known:
            return False
        return _merge_unknowns(unknown) if unknown else True
    if function == "Fn::Or":
        if True in known:
            return True
        return _merge_unknowns(unknown) if unknown else False
    return Unknown(())


_SCALAR_FUNCTIONS: dict[str, Callable[[_Template, Any], Scalar]] = {
    "Ref": _Template.ref,
    "Fn::GetAtt": _Template.get_att,
    "Fn::ImportValue": _Template.import_value,
    "Fn::Sub": _Template.sub,
    "Fn::Join": _Template.join,
    "Fn::Select": _Template.select,
    "Fn::FindInMap": _Template.find_in_map,
    "Fn::If": _Template.if_,
    "Fn::Base64": _Template.base64,
}

_SUB_EXPRESSION = re.compile(r"\$\{(!?)([^}]*)\}")


def _split_sub(template: str) -> Iterator[tuple[str, str | None]]:
    """``"a-${X}-${!Y}"`` -> ("a-", "X"), ("-${Y}", None): literal text, then a variable name."""
    position = 0
    literal = ""
    for match in _SUB_EXPRESSION.finditer(template):
        literal += template[position : match.start()]
        position = match.end()
        if match.group(1):  # ${!Name} is the literal text ${Name}
            literal += "${" + match.group(2) + "}"
            continue
        yield literal, match.group(2).strip()
        literal = ""
    yield literal + template[position:], None


def _values_at(node: Any, path: Sequence[str]) -> Iterator[Any]:
    """Every value at ``path`` ("*" steps into each list item); an intrinsic on the way is yielded as is."""
    if not path:
        yield node
        return
    if _intrinsic_name(node) is not None:
        yield node
        return
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(node, list):
            for item in node:
                yield from _values_at(item, rest)
    elif isinstance(node, Mapping) and step in node:
        yield from _values_at(node[step], rest)


# --- resources ---------------------------------------------------------------------------------


def _resource(
    template: _Template,
    logical_id: str,
    body: Any,
    registry: TaggabilityRegistry,
    file: str,
    line: int,
    comments: Sequence[str],
) -> Resource | SourceProblem:
    if not isinstance(body, Mapping) or not isinstance(body.get("Type"), str):
        return SourceProblem(file, line, f"resource {logical_id} has no Type")
    resource_type = body["Type"]
    info = registry.info(resource_type)
    tags = TagSet()
    if info.taggability is Taggability.TAGGABLE:
        tags = template.tags(body.get("Properties"), info, resource_type)
    context = {"condition": body["Condition"]} if isinstance(body.get("Condition"), str) else {}
    return Resource(
        provider="aws",
        type=resource_type,
        address=logical_id,
        tags=tags,
        taggability=info.taggability,
        file=file,
        line=line,
        suppressions=_suppressions(comments, line),
        context=context,
    )


def _suppressions(lines: Sequence[str], line: int) -> tuple[Suppression, ...]:
    """``# tagwarden:ignore rule[,rule] reason`` on the line above the logical id, or on it."""
    found = []
    for number in (line - 1, line):
        if 1 <= number <= len(lines):
            match = _SUPPRESSION.search(lines[number - 1])
            if match:
                rules = tuple(rule for rule in match.group(1).split(",") if rule)
                found.append(Suppression(rules, match.group(2).strip(), number))
    return tuple(found)
