"""What a fix is made of: findings left for a person, the fixes one block needs, and text edits."""

from __future__ import annotations

from dataclasses import dataclass, field

from tagwarden.engine.resources import Resource

_CONTROL_ESCAPES = {code: repr(chr(code))[1:-1] for code in range(32)}


@dataclass(frozen=True, slots=True)
class LeftFinding:
    """A finding `fix` does not repair (a value it would have to guess, a key it cannot reach)."""

    file: str
    line: int
    address: str
    rule: str
    message: str

    def __str__(self) -> str:
        message = self.message.translate(_CONTROL_ESCAPES)  # a tag value's newline must not break the list
        return f"{self.file}:{self.line}: {self.rule} {self.address}: {message}"


@dataclass(frozen=True, slots=True)
class ValueChange:
    key: str
    old: str
    new: str


@dataclass
class ResourceFix:
    """The tag changes that make one resource pass, as the planner worked them out."""

    resource: Resource
    adds: dict[str, str] = field(default_factory=dict)  # key (as the provider spells it) -> value
    renames: dict[str, str] = field(default_factory=dict)  # spelling found -> canonical spelling
    values: dict[str, ValueChange] = field(default_factory=dict)  # key (after renames) -> change
    default_tag_keys: set[str] = field(default_factory=set)  # adds the policy wants in provider default tags
    rule_of: dict[str, str] = field(default_factory=dict)  # key (either spelling) -> the rule that wants it
    left: list[LeftFinding] = field(default_factory=list)
    why: dict[tuple[str, str | None], str] = field(default_factory=dict)  # (rule, reason) -> why it stays

    @property
    def is_empty(self) -> bool:
        return not (self.adds or self.renames or self.values)


@dataclass
class BlockFix:
    """The fixes of every resource one IaC block declares (count/for_each/module instances), agreed."""

    file: str
    line: int
    address: str
    type: str
    name: str | None
    resources: list[Resource]
    adds: dict[str, str] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)
    values: dict[str, ValueChange] = field(default_factory=dict)
    default_tag_keys: set[str] = field(default_factory=set)
    rule_of: dict[str, str] = field(default_factory=dict)  # key (either spelling) -> the rule that wants it

    def left(self, key_or_rule: str, message: str) -> LeftFinding:
        """A finding left for a person, under the rule that asked for the key (or the rule given)."""
        return LeftFinding(self.file, self.line, self.address, self.rule_of.get(key_or_rule, key_or_rule), message)


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``text[start:end]`` with ``replacement`` (an insertion when start == end)."""

    start: int
    end: int
    replacement: str


@dataclass
class Applied:
    """Counts for the summary."""

    added: int = 0
    renamed: int = 0
    normalised: int = 0

    def add(self, other: Applied) -> None:
        self.added += other.added
        self.renamed += other.renamed
        self.normalised += other.normalised


@dataclass
class WriteOutcome:
    edits: dict[str, list[TextEdit]] = field(default_factory=dict)  # file (relative) -> edits
    applied: Applied = field(default_factory=Applied)
    left: list[LeftFinding] = field(default_factory=list)

    def edit(self, file: str, edit: TextEdit) -> None:
        self.edits.setdefault(file, []).append(edit)


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits; insertions at one offset keep the order they were made in."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    pieces: list[str] = []
    position = 0
    for _index, edit in ordered:
        if edit.start < position:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)
