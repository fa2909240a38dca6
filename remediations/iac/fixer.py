"""`tagwarden fix`: load like `check`, plan each resource's fix, agree per block, write text edits."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from tagwarden.engine.evaluation import Evaluator
from tagwarden.engine.policy.model import Policy
from tagwarden.engine.resources import Resource
from tagwarden.iac_checks.collect import collect, root_of
from tagwarden.iac_checks.interface import LoadOptions
from tagwarden.iac_checks.terraform.hcl.ir import HclFile
from tagwarden.iac_checks.terraform.hcl.parser import parse_hcl
from tagwarden.remediations.iac.model import Applied, BlockFix, LeftFinding, ResourceFix, TextEdit, apply_edits
from tagwarden.remediations.iac.planner import plan_resource
from tagwarden.remediations.iac.registry import iac_writers
from tagwarden.remediations.iac.sources import Sources, newline_of


@dataclass
class FixResult:
    root: Path
    originals: dict[str, str] = field(default_factory=dict)  # changed files only: relative name -> text
    fixed: dict[str, str] = field(default_factory=dict)
    applied: Applied = field(default_factory=Applied)
    left: list[LeftFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the loaders noted (a module not followed...)


def run_fix(paths: Sequence[Path], policy: Policy, options: LoadOptions, as_of: date) -> FixResult:
    loaded = collect(list(paths), options)
    root = root_of(list(paths))
    result = FixResult(root, notes=list(loaded.notes))
    for problem in loaded.problems:
        if problem.rule == "parse-error":
            result.left.append(LeftFinding(problem.file, problem.line, "", "parse-error", problem.message))
    evaluator = Evaluator(policy, as_of, options.registry.equivalent_types)

    def paths_of(resource: Resource) -> list[str]:
        if not resource.file:
            return []
        absolute = (root / resource.file).resolve()
        return [resource.file, os.path.relpath(absolute, Path.cwd()), absolute.as_posix()]

    fixes = [plan_resource(resource, policy, evaluator, paths_of) for resource in loaded.resources]
    for fix in fixes:
        result.left.extend(fix.left)
    blocks, conflicts = agree_per_block(fixes, loaded.resources)
    result.left.extend(conflicts)
    outside = [block for block in blocks if Path(block.file).is_absolute() or block.file.startswith("../")]
    for block in outside:  # e.g. a shared module the checked folder calls: fix it where it lives
        result.left.append(block.left("fix", "the file is outside the checked folder; run fix on a folder holding it"))
    blocks = [block for block in blocks if block not in outside]
    sources = Sources(root)
    edits: dict[str, list[TextEdit]] = {}
    for writer in iac_writers(options.registry):
        claimed = [block for block in blocks if writer.claims(block.file)]
        if not claimed:
            continue
        try:
            outcome = writer.write(sources, claimed)
        except Exception as error:  # e.g. a template that the check read but the writer cannot
            result.left.extend(block.left("fix", f"not fixed: {error!r}") for block in claimed)
            continue
        result.applied.add(outcome.applied)
        result.left.extend(outcome.left)
        for file, file_edits in outcome.edits.items():
            edits.setdefault(file, []).extend(file_edits)
    for file, file_edits in sorted(edits.items()):
        _apply(file, sources.text(file), file_edits, result)
    result.left = sorted(
        set(result.left), key=lambda left: (left.file, left.line, left.rule, left.address, left.message)
    )
    return result


def _apply(file: str, text: str, edits: list[TextEdit], result: FixResult) -> None:
    newline = newline_of(text)
    if newline != "\n":
        edits = [TextEdit(e.start, e.end, e.replacement.replace("\r\n", "\n").replace("\n", newline)) for e in edits]
    try:
        fixed = apply_edits(text, edits)
        _reparse(file, text, fixed)
    except Exception as error:  # never write a file that would no longer read back
        result.left.append(
            LeftFinding(file, 1, "", "fix", f"edits not written: the result would not re-parse ({error})")
        )
        return
    if fixed != text:
        result.originals[file] = text
        result.fixed[file] = fixed


def _reparse(file: str, original: str, text: str) -> None:
    """The result must read back, and (Terraform) declare the same blocks: edits stay inside them."""
    if file.endswith(".tf"):
        if _outline(parse_hcl(text)) != _outline(parse_hcl(original)):
            raise ValueError("the edits would change the file's blocks")
    elif file.lower().endswith(".json") or text.lstrip().startswith("{"):
        json.loads(text.removeprefix("\ufeff"))  # a BOM is kept as written; json refuses it
    else:
        yaml.compose(text, Loader=yaml.SafeLoader)


def _outline(parsed: HclFile) -> list[tuple[object, ...]]:
    return [("attribute", name) for name in parsed.body.attributes] + [
        (block.type, *block.labels) for block in parsed.body.blocks
    ]


def agree_per_block(
    fixes: Sequence[ResourceFix], resources: Sequence[Resource]
) -> tuple[list[BlockFix], list[LeftFinding]]:
    """One fix per block: every count/for_each/module instance of it must want the same change."""
    members: dict[tuple[str, int, str, str], list[Resource]] = {}
    for resource in resources:
        if resource.file:
            members.setdefault(_block_key(resource), []).append(resource)
    grouped: dict[tuple[str, int, str, str], list[ResourceFix]] = {}
    for fix in fixes:
        if not fix.is_empty and fix.resource.file:
            grouped.setdefault(_block_key(fix.resource), []).append(fix)
    blocks: list[BlockFix] = []
    conflicts: list[LeftFinding] = []
    for key, group in grouped.items():
        first = group[0].resource
        block = BlockFix(key[0], key[1], first.address, first.type, first.name, members.get(key, []))
        for fix in group:
            _merge_into(block, fix, conflicts)
        _drop_overrides(block, conflicts)
        blocks.append(block)
    return blocks, conflicts


def _block_key(resource: Resource) -> tuple[str, int, str, str]:
    return (resource.file or "", resource.line or 0, resource.type, resource.name or resource.address)


def _merge_into(block: BlockFix, fix: ResourceFix, conflicts: list[LeftFinding]) -> None:
    for key, value in fix.adds.items():
        if block.adds.setdefault(key, value) != value:
            conflicts.append(block.left(key, f"{key}: the instances of this block need different values"))
    for old, new in fix.renames.items():
        if block.renames.setdefault(old, new) != new:
            conflicts.append(block.left(old, f"{old}: the instances of this block need different spellings"))
    for key, change in fix.values.items():
        if block.values.setdefault(key, change).new != change.new:
            conflicts.append(block.left(key, f"{key}: the instances of this block need different values"))
    block.default_tag_keys |= fix.default_tag_keys
    for key, rule in fix.rule_of.items():
        block.rule_of.setdefault(key, rule)


def _drop_overrides(block: BlockFix, conflicts: list[LeftFinding]) -> None:
    """An added key must not replace a different value that another instance already carries."""
    for key, value in list(block.adds.items()):
        clash = any(
            isinstance(resource.tags.known.get(key), str) and resource.tags.known[key] != value
            for resource in block.resources
        )
        if clash:
            del block.adds[key]
            conflicts.append(block.left(key, f"{key} = '{value}' would replace another instance's value"))
    for key in [key for key in block.adds if key in set(block.renames.values())]:
        del block.adds[key]  # a rename already brings this key
