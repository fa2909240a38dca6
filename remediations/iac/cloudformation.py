"""CloudFormation writer: tag fixes -> text edits in YAML and JSON templates.

``Tags`` as a list of ``{Key, Value}`` (a new item copies the last item's layout) or as a map, for
the types that use one; a resource without ``Tags`` gets them under ``Properties``. Spans come from
PyYAML's composed nodes (no object is ever constructed) and from ``json_spans`` for JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from tagwarden.engine.taggability.groups import CFN_LIST, MAP
from tagwarden.engine.taggability.registry import TaggabilityRegistry
from tagwarden.remediations.iac.json_spans import JsonNode, parse_json_spans
from tagwarden.remediations.iac.model import BlockFix, TextEdit, WriteOutcome
from tagwarden.remediations.iac.sources import Sources, indent_at, line_end, line_start

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ ./@+=-]*$")
_STR_TAG = "tag:yaml.org,2002:str"


def yaml_scalar(value: str) -> str:
    """Plain when it reads back as the same string, else double-quoted."""
    if _PLAIN_SAFE.match(value) and not value.endswith(" "):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


class CloudFormationWriter:
    name = "cloudformation"

    def __init__(self, registry: TaggabilityRegistry) -> None:
        self.registry = registry

    def claims(self, file: str) -> bool:
        return file.lower().endswith((".yaml", ".yml", ".json", ".template"))

    def write(self, sources: Sources, blocks: Sequence[BlockFix]) -> WriteOutcome:
        outcome = WriteOutcome()
        by_file: dict[str, list[BlockFix]] = {}
        for fix in blocks:
            by_file.setdefault(fix.file, []).append(fix)
        for file, fixes in by_file.items():
            text = sources.text(file)
            is_json = file.lower().endswith(".json") or text.lstrip().startswith("{")
            template: _Template = _JsonTemplate(text) if is_json else _YamlTemplate(text)
            for fix in fixes:
                info = self.registry.info(fix.type)
                style = info.tag_style if info.tag_style in (CFN_LIST, MAP) else None
                paths = [path for path in info.tag_paths if "*" not in path and len(path) == 1]
                if style is None or not paths:
                    outcome.left.extend(_leave_all(fix, f"tags of {fix.type} are not written in a form fix edits"))
                    continue
                template.fix(fix, paths[0][0], style, outcome)
        return outcome


def _leave_all(fix: BlockFix, why: str) -> list[Any]:
    left = [fix.left(key, f"{key} is missing; {why}") for key in fix.adds]
    left += [fix.left(old, f"{old} should be {new}; {why}") for old, new in fix.renames.items()]
    left += [fix.left(c.key, f"{c.key} '{c.old}' should be '{c.new}'; {why}") for c in fix.values.values()]
    return left


class _Template:
    def __init__(self, text: str) -> None:
        self.text = text

    def fix(self, fix: BlockFix, tags_key: str, style: str, outcome: WriteOutcome) -> None:
        raise NotImplementedError


# --- YAML --------------------------------------------------------------------------------------


def _get(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


_INTRINSIC_KEYS = re.compile(r"^(Ref|Condition|Fn::[A-Za-z0-9]+)$")


def _is_intrinsic(node: yaml.Node) -> bool:
    """``!If [...]``, ``!Ref X`` or ``Fn::If: [...]``: the value is computed, not a literal tag list or map."""
    if node.tag.startswith("!"):
        return True
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and _INTRINSIC_KEYS.match(k.value) for k, _v in node.value
    )


def _keys_inside(node: yaml.Node) -> set[str]:
    """Every literal ``Key: K`` anywhere under a node (the tags a conditional item may bring)."""
    if isinstance(node, yaml.MappingNode):
        found = {
            v.value
            for k, v in node.value
            if isinstance(k, yaml.ScalarNode) and k.value == "Key" and isinstance(v, yaml.ScalarNode)
        }
        return found.union(*(_keys_inside(v) for _k, v in node.value if not isinstance(v, yaml.ScalarNode)))
    if isinstance(node, yaml.SequenceNode):
        return set().union(*(_keys_inside(item) for item in node.value))
    return set()


def _leave_conditional_keys(fix: BlockFix, node: yaml.Node, outcome: WriteOutcome) -> None:
    """A key a conditional item (``- !If [...]``) may set is not added beside it: that would duplicate it."""
    if not isinstance(node, yaml.SequenceNode):
        return
    _leave_keys(fix, set().union(*(_keys_inside(item) for item in node.value if _is_intrinsic(item))), outcome)


def _leave_keys(fix: BlockFix, conditional: set[str], outcome: WriteOutcome) -> None:
    for key in [key for key in fix.adds if key in conditional]:
        del fix.adds[key]
        outcome.left.append(fix.left(key, f"{key} is missing; a conditional item (Fn::If) may set it: decide by hand"))


def _past_comment(text: str, end: int) -> int:
    """After a comment that ends the line (``Value: c  # why``): new lines go below it, not between."""
    rest_end = line_end(text, end)
    return rest_end if text[end:rest_end].lstrip(" \t").startswith("#") else end


def _content_end(node: yaml.Node) -> int:
    """Where a node's own text ends (a block collection's end mark is the next line's start)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    return _content_end(last[1] if isinstance(node, yaml.MappingNode) else last)


class _YamlTemplate(_Template):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.root = yaml.compose(text, Loader=yaml.SafeLoader)

    def fix(self, fix: BlockFix, tags_key: str, style: str, outcome: WriteOutcome) -> None:
        resources = _get(self.root, "Resources")
        found = _get(resources[1], fix.address) if resources else None
        if found is None or not isinstance(found[1], yaml.MappingNode):
            outcome.left.extend(_leave_all(fix, "the resource was not found where the check saw it"))
            return
        resource = found[1]
        properties = _get(resource, "Properties")
        tags = _get(properties[1], tags_key) if properties else None
        if tags is None:
            self._new_tags(fix, found[0].start_mark.column, resource, properties, tags_key, style, outcome)
            return
        node = tags[1]
        if node.start_mark.index < tags[0].end_mark.index or self.text[node.start_mark.index] == "&":
            outcome.left.extend(_leave_all(fix, f"{tags_key} is a YAML anchor or alias shared with other resources"))
            return
        if _is_intrinsic(node):
            outcome.left.extend(_leave_all(fix, f"{tags_key} is computed (an intrinsic function)"))
            return
        if getattr(node, "flow_style", False) or not isinstance(node, yaml.SequenceNode | yaml.MappingNode):
            outcome.left.extend(_leave_all(fix, f"{tags_key} is not written as a block list or map"))
            return
        _leave_conditional_keys(fix, node, outcome)
        entries = self._entries(node)
        for old, new in fix.renames.items():
            key_node = next((k for k, _v in entries if k is not None and k.value == old), None)
            if key_node is None:
                outcome.left.append(fix.left(old, f"{old} should be {new}, but it is not a literal key here"))
                continue
            outcome.edit(fix.file, TextEdit(key_node.start_mark.index, key_node.end_mark.index, yaml_scalar(new)))
            outcome.applied.renamed += 1
        for change in fix.values.values():
            names = {change.key, *(old for old, new in fix.renames.items() if new == change.key)}
            value = next((v for k, v in entries if k is not None and k.value in names), None)
            if not isinstance(value, yaml.ScalarNode) or value.tag != _STR_TAG:
                outcome.left.append(fix.left(change.key, f"{change.key} '{change.old}' should be '{change.new}'"))
                continue
            outcome.edit(fix.file, TextEdit(value.start_mark.index, value.end_mark.index, yaml_scalar(change.new)))
            outcome.applied.normalised += 1
        if fix.adds:
            self._add(fix, node, entries, outcome)

    @staticmethod
    def _entries(node: yaml.Node) -> list[tuple[Any, Any]]:
        """(key scalar, value node) of each tag, for the list form and the map form."""
        if isinstance(node, yaml.MappingNode):
            return [(k, v) for k, v in node.value]
        entries = []
        for item in node.value:
            key, value = _get(item, "Key"), _get(item, "Value")
            entries.append((key[1] if key else None, value[1] if value else None))
        return entries

    def _add(self, fix: BlockFix, node: yaml.Node, entries: list[tuple[Any, Any]], outcome: WriteOutcome) -> None:
        text = self.text
        if not node.value:
            outcome.left.extend(_leave_all(fix, "the tags are empty"))
            return
        end = _past_comment(text, _content_end(node))
        pieces = []
        if isinstance(node, yaml.MappingNode):
            indent = " " * node.value[0][0].start_mark.column
            pieces = [f"{indent}{yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in fix.adds.items()]
        else:
            last = node.value[-1]
            key, value = entries[-1]
            start = line_start(text, last.start_mark.index)
            item_end = _content_end(last)
            for new_key, new_value in fix.adds.items():
                if key is None or value is None:
                    column = " " * (last.start_mark.column - 2)
                    pieces.append(f"{column}- Key: {yaml_scalar(new_key)}\n{column}  Value: {yaml_scalar(new_value)}")
                    continue
                spans = sorted([(key, new_key), (value, new_value)], key=lambda pair: -pair[0].start_mark.index)
                piece = text[start:item_end]
                for span, replacement in spans:
                    written = yaml_scalar(replacement)
                    if span.start_mark.index == span.end_mark.index:  # `Value:` with nothing after it
                        written = " " + written
                    piece = piece[: span.start_mark.index - start] + written + piece[span.end_mark.index - start :]
                pieces.append(piece)
            end = _past_comment(text, item_end)
        outcome.edit(fix.file, TextEdit(end, end, "".join("\n" + piece for piece in pieces)))
        outcome.applied.added += len(fix.adds)

    def _new_tags(
        self,
        fix: BlockFix,
        id_column: int,
        resource: yaml.MappingNode,
        properties: tuple[yaml.Node, yaml.Node] | None,
        tags_key: str,
        style: str,
        outcome: WriteOutcome,
    ) -> None:
        type_column = resource.value[0][0].start_mark.column
        unit = " " * max(1, type_column - id_column)
        if properties is not None:
            node = properties[1]
            if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
                outcome.left.extend(_leave_all(fix, "Properties is not a block mapping"))
                return
            column = " " * node.value[0][0].start_mark.column
            inserted = f"\n{column}{tags_key}:{self._tags_body(fix, column + unit, style)}"
            end = _past_comment(self.text, _content_end(node))
        else:
            column = " " * type_column
            inner = column + unit
            inserted = f"\n{column}Properties:\n{inner}{tags_key}:{self._tags_body(fix, inner + unit, style)}"
            end = _past_comment(self.text, _content_end(resource))
        outcome.edit(fix.file, TextEdit(end, end, inserted))
        outcome.applied.added += len(fix.adds)

    @staticmethod
    def _tags_body(fix: BlockFix, indent: str, style: str) -> str:
        if style == MAP:
            return "".join(f"\n{indent}{yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in fix.adds.items())
        return "".join(
            f"\n{indent}- Key: {yaml_scalar(k)}\n{indent}  Value: {yaml_scalar(v)}" for k, v in fix.adds.items()
        )


# --- JSON --------------------------------------------------------------------------------------


class _JsonTemplate(_Template):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.root = parse_json_spans(text)

    def fix(self, fix: BlockFix, tags_key: str, style: str, outcome: WriteOutcome) -> None:
        resources = self.root.get("Resources") if self.root.kind == "object" else None
        if resources is None:
            outcome.left.extend(_leave_all(fix, "not a CloudFormation template (a plan JSON: fix its .tf files)"))
            return
        resource = resources.get(fix.address) if resources.kind == "object" else None
        if resource is None or resource.kind != "object":
            outcome.left.extend(_leave_all(fix, "the resource was not found where the check saw it"))
            return
        properties = resource.get("Properties")
        tags = properties.get(tags_key) if properties and properties.kind == "object" else None
        if tags is None:
            self._new_tags(fix, resource, properties, tags_key, style, outcome)
            return
        if tags.kind not in ("array", "object") or _is_json_intrinsic(tags):
            outcome.left.extend(_leave_all(fix, f"{tags_key} is computed (an intrinsic function)"))
            return
        if tags.kind == "array":
            conditional = set().union(*(_json_keys_inside(item) for item in tags.items if _is_json_intrinsic(item)))
            _leave_keys(fix, conditional, outcome)
        entries = self._entries(tags)
        for old, new in fix.renames.items():
            key = next((k for k, _v in entries if k is not None and k.value == old), None)
            if key is None:
                outcome.left.append(fix.left(old, f"{old} should be {new}, but it is not a literal key here"))
                continue
            outcome.edit(fix.file, TextEdit(key.start, key.end, json.dumps(new, ensure_ascii=False)))
            outcome.applied.renamed += 1
        for change in fix.values.values():
            names = {change.key, *(old for old, new in fix.renames.items() if new == change.key)}
            value = next((v for k, v in entries if k is not None and k.value in names), None)
            if value is None or value.kind != "string":
                outcome.left.append(fix.left(change.key, f"{change.key} '{change.old}' should be '{change.new}'"))
                continue
            outcome.edit(fix.file, TextEdit(value.start, value.end, json.dumps(change.new, ensure_ascii=False)))
            outcome.applied.normalised += 1
        if fix.adds:
            self._add(fix, tags, entries, outcome)

    @staticmethod
    def _entries(node: JsonNode) -> list[tuple[JsonNode | None, JsonNode | None]]:
        if node.kind == "object":
            return [(k, v) for k, v in node.members]
        entries: list[tuple[JsonNode | None, JsonNode | None]] = []
        for item in node.items:
            if item.kind == "object":
                entries.append((item.get("Key"), item.get("Value")))
            else:
                entries.append((None, None))
        return entries

    def _add(self, fix: BlockFix, node: JsonNode, entries: list[Any], outcome: WriteOutcome) -> None:
        text = self.text
        children = [value for _k, value in node.members] if node.kind == "object" else node.items
        starts = [key.start for key, _v in node.members] if node.kind == "object" else [item.start for item in children]
        if not children:
            inner = ", ".join(_json_entry(k, v, node.kind) for k, v in fix.adds.items())
            replacement = "{" + inner + "}" if node.kind == "object" else "[" + inner + "]"
            outcome.edit(fix.file, TextEdit(node.start, node.end, replacement))
            outcome.applied.added += len(fix.adds)
            return
        separator = text[children[-2].end : starts[-1]] if len(children) > 1 else _separator(text, node, starts[-1])
        pieces = []
        key, value = entries[-1]
        last = children[-1]
        for new_key, new_value in fix.adds.items():
            if node.kind == "array" and key is not None and value is not None:
                spans = sorted([(key, new_key), (value, new_value)], key=lambda pair: -pair[0].start)
                piece = text[last.start : last.end]
                for span, replacement in spans:
                    piece = piece[: span.start - last.start] + json.dumps(replacement) + piece[span.end - last.start :]
            else:
                piece = _json_entry(new_key, new_value, node.kind)
            pieces.append(separator + piece)
        outcome.edit(fix.file, TextEdit(last.end, last.end, "".join(pieces)))
        outcome.applied.added += len(fix.adds)

    def _new_tags(
        self,
        fix: BlockFix,
        resource: JsonNode,
        properties: JsonNode | None,
        tags_key: str,
        style: str,
        outcome: WriteOutcome,
    ) -> None:
        kind = "object" if style == MAP else "array"
        entries = [_json_entry(k, v, kind) for k, v in fix.adds.items()]
        target = properties if properties is not None and properties.kind == "object" else resource
        if not target.members:
            outcome.left.extend(_leave_all(fix, "Properties is empty"))
            return
        key_start = target.members[-1][0].start
        indent = indent_at(self.text, key_start)
        multiline = "\n" in self.text[target.start : target.end]
        unit = "  "
        opening, closing = ("{", "}") if kind == "object" else ("[", "]")

        def body(at: str) -> str:
            if not multiline:
                return opening + ", ".join(entries) + closing
            return opening + "\n" + ",\n".join(at + unit + entry for entry in entries) + "\n" + at + closing

        member = f"{json.dumps(tags_key)}: {body(indent)}"
        if target is resource and multiline:  # no Properties: "Properties": {"Tags": ...}
            member = f'"Properties": {{\n{indent}{unit}{json.dumps(tags_key)}: {body(indent + unit)}\n{indent}}}'
        elif target is resource:
            member = f'"Properties": {{{json.dumps(tags_key)}: {body(indent)}}}'
        separator = ",\n" + indent if multiline else ", "
        end = target.members[-1][1].end
        outcome.edit(fix.file, TextEdit(end, end, separator + member))
        outcome.applied.added += len(fix.adds)


def _is_json_intrinsic(node: JsonNode) -> bool:
    return node.kind == "object" and any(_INTRINSIC_KEYS.match(str(k.value)) for k, _v in node.members)


def _json_keys_inside(node: JsonNode) -> set[str]:
    """Every literal ``"Key": K`` anywhere under a node (the tags a conditional item may bring)."""
    found = {str(v.value) for k, v in node.members if k.value == "Key" and v.kind == "string"}
    children = [v for _k, v in node.members] + list(node.items)
    return found.union(*(_json_keys_inside(child) for child in children))


def _json_entry(key: str, value: str, kind: str) -> str:
    if kind == "object":
        return f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
    return f'{{"Key": {json.dumps(key, ensure_ascii=False)}, "Value": {json.dumps(value, ensure_ascii=False)}}}'


def _separator(text: str, node: JsonNode, first_start: int) -> str:
    if "\n" in text[node.start : node.end]:
        return ",\n" + indent_at(text, first_start)
    return ", "
