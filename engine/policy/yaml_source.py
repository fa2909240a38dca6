"""Safe YAML loading that remembers the line of every value, for errors that name the line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

try:  # the C loader is several times faster; both are safe loaders
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[attr-defined,assignment,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


class YamlSourceError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of the value at ``path``, or of its nearest ancestor."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document with a safe loader; duplicate keys are an error."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(data=None)
        document = YamlDocument(data=None)
        document.data = _convert(loader, node, (), document.lines)
        return document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSourceError(f"{error.problem or error}", line) from None
    except yaml.YAMLError as error:
        raise YamlSourceError(str(error), 1) from None
    finally:
        loader.dispose()


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise YamlSourceError(f"the YAML tag {node.tag} is not allowed in a policy", node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        return _convert_mapping(loader, node, path, lines)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, (*path, index), lines) for index, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)  # dates stay text; the policy loader parses the fields that hold dates
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError) as error:
        raise YamlSourceError(f"bad value {node.value!r}: {error}", node.start_mark.line + 1) from None


def _convert_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, path: Path_, lines: dict[Path_, int]
) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str | int | float | bool):
            raise YamlSourceError("a mapping key must be a plain value", key_node.start_mark.line + 1)
        key = str(key)
        if key in result:
            raise YamlSourceError(f"duplicate key '{key}'", key_node.start_mark.line + 1)
        result[key] = _convert(loader, value_node, (*path, key), lines)
        lines[(*path, key)] = key_node.start_mark.line + 1
    return result
