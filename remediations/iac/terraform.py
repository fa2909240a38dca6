"""Terraform writer: tag fixes -> text edits in .tf files, located by our HCL parser's spans.

Missing tags go into a literal map, into the last literal map of a ``merge()`` (or a new argument
when it has none), around any other expression as ``merge(expr, {...})``, into a new ``tags`` /
``labels`` argument, into ``tag {}`` blocks (aws_autoscaling_group), or into the provider's
``default_tags`` / ``default_labels`` when the rule says ``remediation.in_default_tags``.
Keys are renamed and values replaced where they are written as literals in the resource or in
its provider's default tags; a value computed elsewhere is normalised with ``lower()``/``upper()``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tagwarden.engine.taggability.groups import AWS_TAG_BLOCKS, MAP
from tagwarden.engine.taggability.registry import TaggabilityRegistry, TypeInfo
from tagwarden.iac_checks.terraform.hcl.ir import Block, Body
from tagwarden.iac_checks.terraform.instance import provider_key
from tagwarden.remediations.iac.hcl_spans import Item, Node, attribute_value
from tagwarden.remediations.iac.model import BlockFix, LeftFinding, TextEdit, ValueChange, WriteOutcome
from tagwarden.remediations.iac.sources import Sources, indent_at, line_end, line_start, next_line_start

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_GOOGLE_PROVIDERS = ("google", "google-beta")


def hcl_string(value: str) -> str:
    """A quoted HCL string that reads back as exactly ``value`` (no interpolation)."""
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def hcl_key(key: str, quoted: bool) -> str:
    return key if _IDENTIFIER.match(key) and not quoted else hcl_string(key)


@dataclass
class MapPlan:
    """Every change to one literal map ``{...}``, rendered together so alignment stays consistent."""

    file: str
    node: Node
    adds: dict[str, str] = field(default_factory=dict)  # key -> value (plain text)
    renames: dict[int, str] = field(default_factory=dict)  # item index -> new key
    values: dict[int, str] = field(default_factory=dict)  # item index -> new value expression text
    # a map that exists only in a planned insertion: (offset, inserted text, indent, indent unit)
    pending: tuple[int, str, str, str] | None = None


class TerraformWriter:
    name = "terraform"

    def __init__(self, registry: TaggabilityRegistry) -> None:
        self.registry = registry

    def claims(self, file: str) -> bool:
        return file.endswith(".tf")

    def write(self, sources: Sources, blocks: Sequence[BlockFix]) -> WriteOutcome:
        writing = _Writing(sources, self.registry)
        for fix in blocks:
            edits_before = {file: len(edits) for file, edits in writing.outcome.edits.items()}
            try:
                writing.block(fix)
            except Exception as error:  # one odd block never stops the others; it is left for a person
                for file, edits in writing.outcome.edits.items():
                    del edits[edits_before.get(file, 0) :]
                writing.outcome.left.append(fix.left("fix", f"not fixed: {error!r}"))
        writing.render_maps()
        return writing.outcome


class _Writing:
    def __init__(self, sources: Sources, registry: TaggabilityRegistry) -> None:
        self.sources = sources
        self.registry = registry
        self.outcome = WriteOutcome()
        self.maps: dict[tuple[str, int], MapPlan] = {}

    # -- one resource block -------------------------------------------------------------------

    def block(self, fix: BlockFix) -> None:
        block = self._resource_block(fix)
        if block is None:
            self._leave_all(fix, "the resource block was not found where the check saw it")
            return
        info = self.registry.info(fix.type)
        if info.tag_style == AWS_TAG_BLOCKS:
            _TagBlocks(self, fix, block).apply()
        elif info.tag_style == MAP and info.tag_paths:
            self._map_style(fix, block, info)
        else:
            self._leave_all(fix, f"tags of {fix.type} are not written in a form fix edits")

    def _resource_block(self, fix: BlockFix) -> Block | None:
        for block in self.sources.hcl(fix.file).body.blocks:
            if block.type == "resource" and block.labels == [fix.type, fix.name] and block.line == fix.line:
                return block
        return None

    def _leave_all(self, fix: BlockFix, why: str) -> None:
        for key in fix.adds:
            self.outcome.left.append(fix.left(key, f"{key} is missing; {why}"))
        for old, new in fix.renames.items():
            self.outcome.left.append(fix.left(old, f"{old} should be {new}; {why}"))
        for change in fix.values.values():
            self.outcome.left.append(
                fix.left(change.key, f"{change.key} '{change.old}' should be '{change.new}'; {why}")
            )

    def _map_style(self, fix: BlockFix, block: Block, info: TypeInfo) -> None:
        text = self.sources.text(fix.file)
        found = _tags_attribute(block.body, info.tag_paths)
        own = attribute_value(text, found[1].attributes[found[0]]) if found else None
        own_maps = _literal_maps(own)
        provider_map = self._provider_map(fix, block, info)
        for old, new in fix.renames.items():
            self._rename(fix, old, new, own_maps, provider_map)
        for change in fix.values.values():
            original = next((old for old, new in fix.renames.items() if new == change.key), change.key)
            self._change_value(fix, change, (change.key, original), own_maps, provider_map)
        adds = dict(fix.adds)
        if provider_map is not None and fix.default_tag_keys & set(adds):
            for key in sorted(fix.default_tag_keys & set(adds)):
                if self._plan_add(provider_map, key, adds[key]):
                    self.outcome.applied.added += 1
                    del adds[key]  # else another resource set a different default: this one carries its own
        if adds:
            self._add_to_resource(fix, block, info, found, own, adds)

    # -- locating keys --------------------------------------------------------------------------

    def _rename(self, fix: BlockFix, old: str, new: str, own: list[Node], provider: MapPlan | None) -> None:
        for plan, index in self._items_named((old,), fix.file, own, provider):
            plan.renames[index] = new
            self.outcome.applied.renamed += 1
            return
        self.outcome.left.append(fix.left(old, f"{old} should be {new}, but it is not written as a literal here"))

    def _change_value(
        self, fix: BlockFix, change: ValueChange, names: tuple[str, ...], own: list[Node], provider: MapPlan | None
    ) -> None:
        for plan, index in self._items_named(names, fix.file, own, provider):
            value = plan.node.items[index].value
            replacement = _value_text(self.sources.text(plan.file), value, change)
            if replacement is None:
                break
            plan.values[index] = replacement
            self.outcome.applied.normalised += 1
            return
        self.outcome.left.append(
            fix.left(
                change.key, f"{change.key} '{change.old}' should be '{change.new}': the value is computed elsewhere"
            )
        )

    def _items_named(
        self, names: tuple[str, ...], file: str, own: list[Node], provider: MapPlan | None
    ) -> list[tuple[MapPlan, int]]:
        found = []
        for node in reversed(own):  # the last map of a merge() wins
            for index, item in enumerate(node.items):
                if item.key in names:
                    found.append((self._map_plan(file, node), index))
        if provider is not None:
            for index, item in enumerate(provider.node.items):
                if item.key in names:
                    found.append((provider, index))
        return found

    def _map_plan(self, file: str, node: Node) -> MapPlan:
        key = (file, node.start)
        if key not in self.maps:
            self.maps[key] = MapPlan(file, node)
        return self.maps[key]

    def _plan_add(self, plan: MapPlan, key: str, value: str) -> bool:
        if key in plan.adds:
            return plan.adds[key] == value
        plan.adds[key] = value
        return True

    # -- adding ---------------------------------------------------------------------------------

    def _add_to_resource(
        self,
        fix: BlockFix,
        block: Block,
        info: TypeInfo,
        found: tuple[str, Body] | None,
        own: Node | None,
        adds: dict[str, str],
    ) -> None:
        text = self.sources.text(fix.file)
        if own is not None and own.kind == "object":
            plan = self._map_plan(fix.file, own)
        elif own is not None and own.kind == "call" and own.name == "merge" and own.args:
            if own.args[-1].kind == "object":
                plan = self._map_plan(fix.file, own.args[-1])
            else:
                self._edit(fix.file, TextEdit(own.close, own.close, _merge_argument(text, own, adds)))
                self.outcome.applied.added += len(adds)
                return
        elif own is not None:
            indent = indent_at(text, own.start)
            wrapped = f"merge({text[own.start : own.end]}, {_map_text(adds, indent, _unit(text, block), False)})"
            self._edit(fix.file, TextEdit(own.start, own.end, wrapped))
            self._unpad(fix.file, own.start)
            self.outcome.applied.added += len(adds)
            return
        else:
            self._new_attribute(fix, block, info, adds)
            return
        for key, value in adds.items():
            if self._plan_add(plan, key, value):
                self.outcome.applied.added += 1

    def _new_attribute(self, fix: BlockFix, block: Block, info: TypeInfo, adds: dict[str, str]) -> None:
        path = info.tag_paths[0]
        body = block.body
        container = block
        for step in path[:-1]:
            inner = body.blocks_of(step)
            if not inner:
                for key in adds:
                    self.outcome.left.append(fix.left(key, f"{key} is missing and {fix.type} has no {step} block"))
                return
            container, body = inner[0], inner[0].body
        if container.line == container.end_line:
            for key in adds:
                self.outcome.left.append(fix.left(key, f"{key} is missing; the block is on one line: break it first"))
            return
        text = self.sources.text(fix.file)
        position, indent = _body_insertion(text, container)
        attribute = f"{path[-1]} = {_map_text(adds, indent, _unit(text, block), False)}"
        self._edit(fix.file, TextEdit(position, position, "\n" + indent + attribute))
        self.outcome.applied.added += len(adds)

    def _edit(self, file: str, edit: TextEdit) -> None:
        self.outcome.edit(file, edit)

    def _unpad(self, file: str, value_start: int) -> None:
        """An argument that becomes multi-line leaves terraform fmt's alignment: ``tags   =`` -> ``tags =``."""
        edit = unpad_argument(self.sources.text(file), value_start)
        if edit is not None:
            self._edit(file, edit)

    # -- provider default tags ------------------------------------------------------------------

    def _provider_map(self, fix: BlockFix, block: Block, info: TypeInfo) -> MapPlan | None:
        """The literal map of the provider's default tags, created when the policy wants it and absent."""
        if not info.default_tags:
            return None
        provider_attribute = block.body.attributes.get("provider")
        wanted = provider_key(provider_attribute.expr) if provider_attribute else fix.type.split("_", 1)[0]
        if wanted is None:
            return None
        found = self._provider_block(fix.file, wanted)
        if found is None:
            return None
        file, provider = found
        text = self.sources.text(file)
        if provider.labels[0] in _GOOGLE_PROVIDERS:
            labels = provider.body.attributes.get("default_labels")
            node = attribute_value(text, labels) if labels else None
        else:
            tags = next((b.body.attributes["tags"] for b in provider.body.blocks_of("default_tags")
                         if "tags" in b.body.attributes), None)  # fmt: skip
            node = attribute_value(text, tags) if tags else None
        if node is not None and node.kind == "object":
            return self._map_plan(file, node)
        if node is None and fix.default_tag_keys & set(fix.adds):
            return self._new_default_tags(file, provider)
        return None

    def _provider_block(self, file: str, wanted: str) -> tuple[str, Block] | None:
        name, _, alias = wanted.partition(".")
        folder = PurePosixPath(file).parent
        candidates = sorted(self.sources.path(str(folder)).glob("*.tf"))
        for path in candidates:
            relative = str(folder / path.name) if str(folder) != "." else path.name
            for block in self.sources.hcl(relative).body.blocks_of("provider"):
                if block.labels != [name]:
                    continue
                alias_attribute = block.body.attributes.get("alias")
                alias_node = attribute_value(self.sources.text(relative), alias_attribute) if alias_attribute else None
                if (alias_node.name if alias_node and alias_node.kind == "string" else "") == alias:
                    return relative, block
        return None

    def _new_default_tags(self, file: str, provider: Block) -> MapPlan | None:
        """An empty map in a new default_tags block / default_labels argument, planned like any map."""
        if provider.line == provider.end_line:
            return None
        text = self.sources.text(file)
        position, indent = _body_insertion(text, provider)
        unit = _unit(text, provider)
        if provider.labels[0] in _GOOGLE_PROVIDERS:
            inserted = f"\n{indent}default_labels = {{}}"
            opening = len(f"\n{indent}default_labels = ")
        else:
            inserted = f"\n{indent}default_tags {{\n{indent}{unit}tags = {{}}\n{indent}}}"
            opening = len(f"\n{indent}default_tags {{\n{indent}{unit}tags = ")
        self._edit(file, TextEdit(position, position, inserted))
        # the new map exists only in the edit: render its keys into it when the maps are rendered
        node = Node("object", position + opening, position + opening + 2, close=position + opening + 1)
        map_indent = indent if provider.labels[0] in _GOOGLE_PROVIDERS else indent + unit
        plan = MapPlan(file, node, pending=(position, inserted, map_indent, unit))
        self.maps[(file, -position - 1)] = plan
        return plan

    # -- rendering maps -------------------------------------------------------------------------

    def render_maps(self) -> None:
        for plan in self.maps.values():
            if not (plan.adds or plan.renames or plan.values):
                continue
            text = self.sources.text(plan.file)
            if plan.pending is not None:
                self._render_pending(plan, plan.pending)
                continue
            try:
                edits = render_map(text, plan, _unit_near(text, plan.node.start))
            except Exception as error:  # left, never half-written
                line = text.count("\n", 0, plan.node.start) + 1
                self.outcome.left.append(LeftFinding(plan.file, line, "", "fix", f"map not edited: {error!r}"))
                continue
            for edit in edits:
                self._edit(plan.file, edit)

    def _render_pending(self, plan: MapPlan, pending: tuple[int, str, str, str]) -> None:
        position, inserted, indent, unit = pending
        edits = self.outcome.edits[plan.file]
        index = next(i for i, edit in enumerate(edits) if edit.start == position and edit.replacement == inserted)
        filled = inserted.replace("= {}", "= " + _map_text(plan.adds, indent, unit, False), 1)
        edits[index] = TextEdit(position, position, filled)


def _tags_attribute(body: Body, paths: tuple[tuple[str, ...], ...]) -> tuple[str, Body] | None:
    for path in paths:
        current: Body | None = body
        for step in path[:-1]:
            inner = current.blocks_of(step) if current else []
            current = inner[0].body if inner else None
        if current is not None and path[-1] in current.attributes:
            return path[-1], current
    return None


def _literal_maps(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.kind == "object":
        return [node]
    if node.kind == "call" and node.name == "merge":
        return [arg for arg in node.args if arg.kind == "object"]
    return []


def _value_text(text: str, value: Node, change: ValueChange) -> str | None:
    if value.kind == "string":
        return hcl_string(change.new)
    written = text[value.start : value.end]
    if change.new == change.old.lower():
        return f"lower({written})"
    if change.new == change.old.upper():
        return f"upper({written})"
    return None


def _unit(text: str, block: Block) -> str:
    """The file's indentation step, from the block's first indented line (two spaces if none)."""
    outer = indent_at(text, block.start)
    start = next_line_start(text, block.start)
    while start < block.end:
        inner = indent_at(text, start)
        if text[start + len(inner) : line_end(text, start)].strip():
            return inner[len(outer) :] if len(inner) > len(outer) else "  "
        start = next_line_start(text, start)
    return "  "


def _unit_near(text: str, offset: int) -> str:
    indent = indent_at(text, offset)
    return "\t" if indent.startswith("\t") else "  "


def _body_insertion(text: str, block: Block) -> tuple[int, str]:
    """Where a new argument goes (the end of the last argument's line) and its indentation."""
    attributes = list(block.body.attributes.values())
    if attributes:
        last = max(attributes, key=lambda attribute: attribute.end)
        return line_end(text, last.end), indent_at(text, last.start)
    return line_end(text, block.start), indent_at(text, block.start) + _unit(text, block)


def _map_text(adds: dict[str, str], indent: str, unit: str, quoted: bool) -> str:
    """A new multi-line map whose closing brace sits at ``indent``, its items aligned."""
    keys = {key: hcl_key(key, quoted) for key in adds}
    width = max(len(text) for text in keys.values())
    lines = [f"{indent}{unit}{keys[key].ljust(width)} = {hcl_string(value)}" for key, value in adds.items()]
    return "{\n" + "\n".join(lines) + "\n" + indent + "}"


def _merge_argument(text: str, call: Node, adds: dict[str, str]) -> str:
    if "\n" not in text[call.start : call.end]:
        items = ", ".join(f"{hcl_key(key, False)} = {hcl_string(value)}" for key, value in adds.items())
        return f", {{ {items} }}"
    indent = indent_at(text, call.close)
    return f", {_map_text(adds, indent, _unit_near(text, call.start), False)}"


def render_map(text: str, plan: MapPlan, unit: str) -> list[TextEdit]:
    node, items = plan.node, plan.node.items
    quoted = bool(items) and all(item.quoted_key for item in items)
    final_keys = [
        hcl_key(plan.renames[i], item.quoted_key) if i in plan.renames else text[item.key_start : item.key_end]
        for i, item in enumerate(items)
    ]
    new_keys = {key: hcl_key(key, quoted) for key in plan.adds}
    edits = [TextEdit(items[i].key_start, items[i].key_end, final_keys[i]) for i in plan.renames]
    edits += [TextEdit(items[i].value.start, items[i].value.end, value) for i, value in plan.values.items()]
    multiline = "\n" in text[node.start : node.end]
    close_line = line_start(text, node.close)
    close_alone = text[close_line : node.close].strip() == ""
    if not items and multiline and close_alone:  # only comments inside: they stay
        pad = max((len(key) for key in new_keys.values()), default=0)
        indent = indent_at(text, node.close) + unit
        lines = [f"{indent}{new_keys[k].ljust(pad)} = {hcl_string(v)}" for k, v in plan.adds.items()]
        return [TextEdit(close_line, close_line, "".join(line + "\n" for line in lines))] if lines else []
    if not items:
        if plan.adds:
            indent = indent_at(text, node.start)
            edits.append(TextEdit(node.start, node.end, _map_text(plan.adds, indent, unit, False)))
            unpadded = unpad_argument(text, node.start)
            edits += [unpadded] if unpadded is not None else []
        return edits
    if not multiline:
        if plan.adds:
            added = ", ".join(f"{new_keys[k]} {items[-1].separator} {hcl_string(v)}" for k, v in plan.adds.items())
            after = items[-1].value.end
            if text[after : node.close].strip().startswith(","):
                after = text.index(",", after) + 1
                edits.append(TextEdit(after, after, f" {added},"))
            else:
                edits.append(TextEdit(after, after, f", {added}"))
        return edits
    group = _alignment_group(text, items)
    aligned = items[-1].separator == "=" and _is_aligned(text, items, group)
    width = max([len(final_keys[i]) for i in group] + [len(k) for k in new_keys.values()], default=0)
    if aligned:
        for i in group:
            item = items[i]
            gap = text[item.key_end : item.separator_start]
            wanted = " " * (width - len(final_keys[i]) + 1)
            if gap.strip(" \t") == "" and gap != wanted:
                edits.append(TextEdit(item.key_end, item.separator_start, wanted))
    if plan.adds:
        indent = indent_at(text, items[-1].key_start)
        separator = items[-1].separator
        lines = []
        for key, value in plan.adds.items():
            shown = new_keys[key].ljust(width) if aligned else new_keys[key]
            lines.append(f"{indent}{shown} {separator} {hcl_string(value)}")
        if close_alone:
            edits.append(TextEdit(close_line, close_line, "\n".join(lines) + "\n"))
        else:  # `a = "b" }`: the new items go before the brace, which stays on the last line
            after = items[-1].value.end
            edits.append(TextEdit(after, after, "\n" + "\n".join(lines)))
    return edits


_ARGUMENT_PREFIX = re.compile(r"[ \t]*[A-Za-z_][A-Za-z0-9_-]*([ \t]{2,})=[ \t]*\Z")


def unpad_argument(text: str, value_start: int) -> TextEdit | None:
    start = line_start(text, value_start)
    match = _ARGUMENT_PREFIX.match(text, start, value_start)
    if match is None:
        return None
    return TextEdit(match.start(1), match.end(1), " ")


def _alignment_group(text: str, items: list[Item]) -> list[int]:
    """The run of single-line items, on consecutive lines, that ends with the last item."""

    def single(item: Item) -> bool:
        return "\n" not in text[item.key_start : item.value.end]

    group: list[int] = []
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if not single(item):
            break
        if group:
            following = items[group[-1]]
            if text.count("\n", item.value.end, following.key_start) != 1:
                break
        group.append(index)
    return sorted(group)


def _is_aligned(text: str, items: list[Item], group: list[int]) -> bool:
    """terraform fmt aligns ``=`` in a run of items (one item counts as aligned); a hand-written
    unaligned map stays unaligned."""
    columns = {items[i].separator_start - line_start(text, items[i].separator_start) for i in group}
    return len(columns) <= 1


class _TagBlocks:
    """aws_autoscaling_group: one ``tag { key value propagate_at_launch }`` block per tag."""

    def __init__(self, writing: _Writing, fix: BlockFix, block: Block) -> None:
        self.writing = writing
        self.fix = fix
        self.block = block
        self.text = writing.sources.text(fix.file)

    def _static(self) -> list[tuple[Block, Node, Node]]:
        found = []
        for tag in self.block.body.blocks_of("tag"):
            key, value = tag.body.attributes.get("key"), tag.body.attributes.get("value")
            if key and value:
                found.append((tag, attribute_value(self.text, key), attribute_value(self.text, value)))
        return found

    def apply(self) -> None:
        writing, fix = self.writing, self.fix
        static = self._static()
        for old, new in fix.renames.items():
            match = next((key for _b, key, _v in static if key.kind == "string" and key.name == old), None)
            if match is None:
                writing.outcome.left.append(fix.left(old, f"{old} should be {new}, but it is not a literal tag block"))
                continue
            writing._edit(fix.file, TextEdit(match.start, match.end, hcl_string(new)))
            writing.outcome.applied.renamed += 1
        for change in fix.values.values():
            names = {change.key, *(old for old, new in fix.renames.items() if new == change.key)}
            match = next((value for _b, key, value in static if key.kind == "string" and key.name in names), None)
            replacement = _value_text(self.text, match, change) if match else None
            if match is None or replacement is None:
                writing.outcome.left.append(
                    fix.left(change.key, f"{change.key} '{change.old}' should be '{change.new}'")
                )
                continue
            writing._edit(fix.file, TextEdit(match.start, match.end, replacement))
            writing.outcome.applied.normalised += 1
        if fix.adds:
            self._add(static)

    def _add(self, static: list[tuple[Block, Node, Node]]) -> None:
        text, fix = self.text, self.fix
        pieces = []
        if static:
            last, key, value = static[-1]
            start = line_start(text, last.start)
            template = text[start : last.end]
            for new_key, new_value in fix.adds.items():
                spans = sorted([(key, hcl_string(new_key)), (value, hcl_string(new_value))], key=lambda p: -p[0].start)
                piece = template
                for node, replacement in spans:  # the later span first, so the earlier offsets hold
                    piece = piece[: node.start - start] + replacement + piece[node.end - start :]
                pieces.append(piece)
            position = last.end
        elif self.block.line == self.block.end_line:
            for missing in fix.adds:
                self.writing.outcome.left.append(fix.left(missing, f"{missing} is missing; the block is on one line"))
            return
        else:
            position, indent = _body_insertion(text, self.block)
            unit = _unit(text, self.block)
            for new_key, new_value in fix.adds.items():
                pieces.append(
                    f"{indent}tag {{\n{indent}{unit}key                 = {hcl_string(new_key)}\n"
                    f"{indent}{unit}value               = {hcl_string(new_value)}\n"
                    f"{indent}{unit}propagate_at_launch = true\n{indent}}}"
                )
        self.writing._edit(fix.file, TextEdit(position, position, "".join("\n" + piece for piece in pieces)))
        self.writing.outcome.applied.added += len(fix.adds)
