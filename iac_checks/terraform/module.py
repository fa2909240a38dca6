"""A Terraform module: the blocks of every .tf file in one folder, indexed by what they declare."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tagwarden.iac_checks.terraform.hcl.ir import Attribute, Block, HclFile


@dataclass(frozen=True, slots=True)
class Located:
    """A block with the file (relative to the checked root) it came from."""

    block: Block
    file: str
    directives: dict[int, str]


@dataclass
class Module:
    folder: Path
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: list[Located] = field(default_factory=list)
    module_calls: list[Located] = field(default_factory=list)
    providers: list[Block] = field(default_factory=list)

    def add_file(self, parsed: HclFile, file: str) -> None:
        for block in parsed.body.blocks:
            self._add_block(block, file, parsed.directives)

    def _add_block(self, block: Block, file: str, directives: dict[int, str]) -> None:
        kind, labels = block.type, block.labels
        if kind == "resource" and len(labels) == 2:
            self.resources.append(Located(block, file, directives))
        elif kind == "module" and len(labels) == 1:
            self.module_calls.append(Located(block, file, directives))
        elif kind == "variable" and len(labels) == 1:
            self.variables[labels[0]] = block
        elif kind == "locals":
            self.locals.update(block.body.attributes)
        elif kind == "output" and len(labels) == 1:
            self.outputs[labels[0]] = block
        elif kind == "provider" and len(labels) == 1:
            self.providers.append(block)


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def literal_string(expr: object) -> str | None:
    """The text of a plain string literal or a template with no interpolation."""
    if not isinstance(expr, tuple | list) or not expr:
        return None
    if expr[0] == "lit" and isinstance(expr[1], str):
        return str(expr[1])
    if expr[0] == "tpl" and all(isinstance(part, str) for part in expr[1]):
        return "".join(expr[1])
    return None
