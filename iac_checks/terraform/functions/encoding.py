"""Encodings and hashes: JSON, YAML, base64, md5/sha*, urlencode."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import urllib.parse
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import yaml

from tagwarden.iac_checks.terraform.functions.spec import Builtin
from tagwarden.iac_checks.terraform.functions.values import (
    EvaluationError,
    check_number,
    is_number,
    normalize,
    render_number,
    to_string,
    type_name,
)

# ----------------------------------------------------------------------------------------------
# Encodings and hashes


def json_string(text: str) -> str:
    """A JSON string literal as Go writes it: <, > and & escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        quoted = quoted.replace(char, escape)
    return quoted


def encode_json(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if is_number(value):
        return render_number(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(encode_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json_string(key) + ":" + encode_json(value[key]) for key in sorted(value)) + "}"
    raise EvaluationError(f"a {type_name(value)} cannot be encoded")


def fn_jsonencode(value: Any) -> Any:
    return encode_json(value)


def _reject_constant(name: str) -> Any:
    raise EvaluationError(f"invalid JSON: {name} is not a number")


def _json_int(digits: str) -> int | float:
    if len(digits) > 300:
        raise EvaluationError("number is out of range")
    return check_number(int(digits))


def fn_jsondecode(text: Any) -> Any:
    try:
        decoded = json.loads(
            to_string(text, "argument"),
            parse_float=lambda number: check_number(float(number)),
            parse_int=_json_int,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        raise EvaluationError(f"invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from error
    return normalize(decoded)


def encode_yaml(value: Any) -> str:
    return "\n".join(_yaml_lines(value, 0)) + "\n"


def _yaml_is_block(value: Any) -> bool:
    return isinstance(value, (list, dict)) and bool(value)


def _yaml_inline(value: Any) -> str:
    if isinstance(value, list):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return encode_json(value)


def _yaml_lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict) and value:
        for key in sorted(value):
            item = value[key]
            head = f"{pad}{_yaml_inline(key)}:"
            if not _yaml_is_block(item):
                lines.append(f"{head} {_yaml_inline(item)}")
                continue
            lines.append(head)
            # a sequence under a key sits at the key's own indentation, as go-yaml writes it
            lines.extend(_yaml_lines(item, indent if isinstance(item, list) else indent + 2))
        return lines
    if isinstance(value, list) and value:
        for item in value:
            if not _yaml_is_block(item):
                lines.append(f"{pad}- {_yaml_inline(item)}")
                continue
            nested = _yaml_lines(item, indent + 2)
            lines.append(f"{pad}- {nested[0][indent + 2 :]}")
            lines.extend(nested[1:])
        return lines
    return [pad + _yaml_inline(value)]


def fn_yamlencode(value: Any) -> Any:
    return encode_yaml(value)


class _YamlLoader(yaml.SafeLoader):
    """YAML 1.2-ish: timestamps stay strings, as Terraform reads them."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _from_yaml(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        raise EvaluationError("binary YAML values are not supported")
    if isinstance(value, dict):
        return {to_string(key, "key"): _from_yaml(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_yaml(item) for item in value]
    return normalize(value)


def fn_yamldecode(text: Any) -> Any:
    try:
        return _from_yaml(yaml.load(to_string(text, "argument"), Loader=_YamlLoader))
    except yaml.YAMLError as error:
        raise EvaluationError(f"invalid YAML: {error}") from error


def fn_base64encode(text: Any) -> Any:
    return base64.b64encode(to_string(text, "argument").encode()).decode("ascii")


def fn_base64decode(text: Any) -> Any:
    try:
        decoded = base64.b64decode(to_string(text, "argument"), validate=True)
        return decoded.decode("utf-8")
    except (binascii.Error, ValueError) as error:
        raise EvaluationError(f"failed to decode base64 data: {error}") from error


def _hash(algorithm: str) -> Callable[[Any], str]:
    def digest(text: Any) -> str:
        return hashlib.new(algorithm, to_string(text, "argument").encode()).hexdigest()

    return digest


def fn_base64sha256(text: Any) -> Any:
    return base64.b64encode(hashlib.sha256(to_string(text, "argument").encode()).digest()).decode("ascii")


def fn_urlencode(text: Any) -> Any:
    return urllib.parse.quote(to_string(text, "argument"), safe="-_.~")


ENCODING_FUNCTIONS: tuple[Builtin, ...] = (
    Builtin("jsonencode", fn_jsonencode),
    Builtin("jsondecode", fn_jsondecode),
    Builtin("yamlencode", fn_yamlencode),
    Builtin("yamldecode", fn_yamldecode),
    Builtin("base64encode", fn_base64encode),
    Builtin("base64decode", fn_base64decode),
    Builtin("base64sha256", fn_base64sha256),
    Builtin("urlencode", fn_urlencode),
    Builtin("md5", _hash("md5")),
    Builtin("sha1", _hash("sha1")),
    Builtin("sha256", _hash("sha256")),
    Builtin("sha512", _hash("sha512")),
)
