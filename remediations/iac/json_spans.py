"""A JSON reader that keeps the character span of every value (json.loads keeps none)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_WHITESPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DECODER = json.JSONDecoder()


@dataclass
class JsonNode:
    kind: str  # object | array | string | scalar
    start: int
    end: int
    value: Any = None  # string / scalar value
    members: list[tuple[JsonNode, JsonNode]] = field(default_factory=list)  # object
    items: list[JsonNode] = field(default_factory=list)  # array

    def get(self, key: str) -> JsonNode | None:
        return next((value for name, value in self.members if name.value == key), None)


def parse_json_spans(text: str) -> JsonNode:
    node, position = _value(text, _skip(text, 1 if text.startswith("\ufeff") else 0))
    if _skip(text, position) != len(text):
        raise ValueError(f"extra data at offset {position}")
    return node


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


def _value(text: str, position: int) -> tuple[JsonNode, int]:
    char = text[position : position + 1]
    if char == "{":
        return _object(text, position)
    if char == "[":
        return _array(text, position)
    if char == '"':
        match = _STRING.match(text, position)
        if match is None:
            raise ValueError(f"unterminated string at offset {position}")
        return JsonNode("string", position, match.end(), json.loads(match.group())), match.end()
    value, end = _DECODER.raw_decode(text, position)
    return JsonNode("scalar", position, end, value), end


def _object(text: str, start: int) -> tuple[JsonNode, int]:
    node = JsonNode("object", start, start)
    position = _skip(text, start + 1)
    while text[position] != "}":
        key, position = _value(text, position)
        position = _skip(text, position)
        if text[position] != ":":
            raise ValueError(f"expected ':' at offset {position}")
        value, position = _value(text, _skip(text, position + 1))
        node.members.append((key, value))
        position = _skip(text, position)
        if text[position] == ",":
            position = _skip(text, position + 1)
    node.end = position + 1
    return node, position + 1


def _array(text: str, start: int) -> tuple[JsonNode, int]:
    node = JsonNode("array", start, start)
    position = _skip(text, start + 1)
    while text[position] != "]":
        item, position = _value(text, position)
        node.items.append(item)
        position = _skip(text, position)
        if text[position] == ",":
            position = _skip(text, position + 1)
    node.end = position + 1
    return node, position + 1
