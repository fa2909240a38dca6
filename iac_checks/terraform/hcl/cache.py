"""On-disk cache of parse results, so that unchanged files are not parsed again.

Entries are keyed by the sha256 of the parser version and the file's text, and stored as JSON,
never pickle or marshal: the directory may be shared between CI runs, so loading an entry must not
be able to run code. Decoding checks the shape of every node; an entry that is missing, corrupt or
of another format is treated as a miss and rewritten. Syntax errors are not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .ir import Attribute, Block, Body, Expr, HclFile
from .parser import PARSER_VERSION, parse_hcl

CACHE_FORMAT = 1


class ParseCache:
    """``ParseCache(directory).get_or_parse(text)``: parse_hcl with results kept in ``directory``."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0

    def get_or_parse(self, text: str) -> HclFile:
        cached = self.get(text)
        if cached is not None:
            return cached
        parsed = parse_hcl(text)
        self.put(text, parsed)
        return parsed

    def get(self, text: str) -> HclFile | None:
        cached = _read_entry(self.entry_path(text))
        if cached is None:
            self.misses += 1
        else:
            self.hits += 1
        return cached

    def put(self, text: str, parsed: HclFile) -> None:
        """Store an entry; a cache folder that cannot be written slows the next run, never this one."""
        with contextlib.suppress(OSError):
            self._write_entry(self.entry_path(text), parsed)

    def entry_path(self, text: str) -> Path:
        digest = hashlib.sha256(f"tagwarden-hcl-{PARSER_VERSION}\n".encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
        key = digest.hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def _write_entry(self, path: Path, parsed: HclFile) -> None:
        try:
            encoded = to_json(parsed)
        except RecursionError:  # a pathologically deep tree: parse it again next time
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so that a concurrent reader never sees half an entry.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(encoded)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _read_entry(path: Path) -> HclFile | None:
    try:
        return from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


# -- JSON form -------------------------------------------------------------------------------


def to_json(parsed: HclFile) -> str:
    """The parse result as JSON text (expression tuples become arrays)."""
    document = {
        "format": CACHE_FORMAT,
        "parser_version": PARSER_VERSION,
        "body": _body_to_data(parsed.body),
        "directives": {str(line): text for line, text in parsed.directives.items()},
    }
    return json.dumps(document, separators=(",", ":"))


def from_json(text: str) -> HclFile:
    """Rebuild the exact parse result from to_json's output; ValueError if it is not one."""
    try:
        document = json.loads(text)
        if document["format"] != CACHE_FORMAT or document["parser_version"] != PARSER_VERSION:
            raise ValueError("cache entry written by another version")
        directives = {int(line): _string(comment) for line, comment in document["directives"].items()}
        return HclFile(_body_from_data(document["body"]), directives)
    except (KeyError, IndexError, TypeError, AttributeError) as problem:
        raise ValueError(f"not a parse cache entry: {problem!r}") from None


def _body_to_data(body: Body) -> dict[str, Any]:
    return {
        "attributes": [
            [attribute.name, attribute.expr, attribute.line, attribute.end_line, attribute.start, attribute.end]
            for attribute in body.attributes.values()
        ],
        "blocks": [
            [block.type, block.labels, _body_to_data(block.body), block.line, block.end_line, block.start, block.end]
            for block in body.blocks
        ],
    }


def _body_from_data(data: dict[str, Any]) -> Body:
    attributes: dict[str, Attribute] = {}
    for name, expr, line, end_line, start, end in data["attributes"]:
        name = _string(name)
        attributes[name] = Attribute(name, _expr(expr), _int(line), _int(end_line), _int(start), _int(end))
    blocks = [
        Block(_string(block_type), [_string(label) for label in labels], _body_from_data(body), *map(_int, rest))
        for block_type, labels, body, *rest in data["blocks"]
    ]
    return Body(attributes, blocks)


def _expr(data: list[Any]) -> Expr:
    """Decode one expression node, checking its shape (tuples are restored where the parser has them)."""
    name = data[0]
    decode = _DECODERS.get(name) if isinstance(name, str) else None
    if decode is None:
        raise ValueError(f"unknown expression node {name!r}")
    return decode(data)


def _optional_expr(data: list[Any] | None) -> Expr | None:
    return None if data is None else _expr(data)


def _parts(data: list[Any]) -> list[Any]:
    return [part if isinstance(part, str) else _expr(part) for part in data]


def _splat_op(data: list[Any]) -> Expr:
    if data[0] == "attr":
        return ("attr", _string(data[1]))
    if data[0] == "index":
        return ("index", _expr(data[1]))
    if data[0] == "splat":
        return ("splat", [_splat_op(op) for op in data[1]])
    raise ValueError(f"unknown splat step {data[0]!r}")


def _literal(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return value
    raise ValueError(f"not a literal value: {value!r}")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, found {value!r}")
    return value


def _optional_string(value: Any) -> str | None:
    return None if value is None else _string(value)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected an integer, found {value!r}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, found {value!r}")
    return value


_DECODERS: dict[str, Callable[[list[Any]], Expr]] = {
    "lit": lambda d: ("lit", _literal(d[1])),
    "var": lambda d: ("var", _string(d[1])),
    "attr": lambda d: ("attr", _expr(d[1]), _string(d[2])),
    "index": lambda d: ("index", _expr(d[1]), _expr(d[2])),
    "splat": lambda d: ("splat", _expr(d[1]), [_splat_op(op) for op in d[2]]),
    "call": lambda d: ("call", _string(d[1]), [_expr(arg) for arg in d[2]], _bool(d[3])),
    "tuple": lambda d: ("tuple", [_expr(item) for item in d[1]]),
    "object": lambda d: ("object", [(_expr(key), _expr(value)) for key, value in d[1]]),
    "cond": lambda d: ("cond", _expr(d[1]), _expr(d[2]), _expr(d[3])),
    "binop": lambda d: ("binop", _string(d[1]), _expr(d[2]), _expr(d[3])),
    "unop": lambda d: ("unop", _string(d[1]), _expr(d[2])),
    "paren": lambda d: ("paren", _expr(d[1])),
    "for_tuple": lambda d: (
        "for_tuple", _optional_string(d[1]), _string(d[2]), _expr(d[3]), _expr(d[4]), _optional_expr(d[5]),
    ),
    "for_object": lambda d: (
        "for_object", _optional_string(d[1]), _string(d[2]), _expr(d[3]), _expr(d[4]), _expr(d[5]),
        _bool(d[6]), _optional_expr(d[7]),
    ),
    "tpl": lambda d: ("tpl", _parts(d[1])),
    "tpl_if": lambda d: ("tpl_if", _expr(d[1]), _parts(d[2]), _parts(d[3])),
    "tpl_for": lambda d: ("tpl_for", _optional_string(d[1]), _string(d[2]), _expr(d[3]), _parts(d[4])),
}  # fmt: skip
