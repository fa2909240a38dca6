"""The JSON Schema of one policy file. A policy is validated against it before anything runs."""

from __future__ import annotations

from typing import Any

SEVERITY = {"enum": ["critical", "high", "medium", "low", "info"]}
STRING_LIST = {"type": "array", "items": {"type": "string"}}
SCALAR = {"type": ["string", "number", "boolean"]}
SCALAR_LIST = {"type": "array", "items": SCALAR}
GLOB_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


VALUE_SET = {
    "oneOf": [
        SCALAR_LIST,
        _object({"file": {"type": "string", "minLength": 1}, "column": {"type": "string"}}, ("file",)),
    ]
}

CONDITION = _object(
    {
        "key": {"type": "string", "minLength": 1},
        "in": SCALAR_LIST,
        "present": {"type": "boolean"},
        "matches": {"type": "string"},
    },
    ("key",),
)

SCOPE = _object(
    {
        "providers": {"type": "array", "items": {"enum": ["aws", "azure", "gcp"]}},
        "resource_types": GLOB_LIST,
        "accounts": GLOB_LIST,
        "regions": GLOB_LIST,
        "paths": GLOB_LIST,
    }
)

RULE = _object(
    {
        "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "severity": SEVERITY,
        "require": {"type": "string", "minLength": 1},
        "forbid": {"oneOf": [GLOB_LIST, {"type": "string", "minLength": 1}]},
        "allowed": {"oneOf": [SCALAR_LIST, {"type": "string", "pattern": r"^\$[A-Za-z0-9_-]+$"}]},
        "pattern": {"type": "string"},
        "value_case": {"enum": ["exact", "insensitive"]},
        "key_case": {"enum": ["exact", "insensitive"]},
        "when": CONDITION,
        "parent": _object(
            {
                "key": {"type": "string", "minLength": 1},
                "set": {"type": "string", "pattern": r"^\$[A-Za-z0-9_-]+$"},
                "column": {"type": "string", "minLength": 1},
            },
            ("key", "set", "column"),
        ),
        "scope": SCOPE,
        "remediation": {
            "type": "object",
            "properties": {
                "default": {"type": "string"},
                "value_map": {"type": "object", "additionalProperties": {"type": "string"}},
                "grace_days": {"type": "integer", "minimum": 0},
                "in_default_tags": {"type": "boolean"},
                "approvers": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "stop_after_grace": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
    },
    ("id",),
)

EXEMPTION = _object(
    {
        "rule": {"type": "string", "minLength": 1},
        "resources": GLOB_LIST,
        "reason": {"type": "string", "minLength": 1},
        "approved_by": {"type": "string"},
        "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    },
    ("rule", "resources", "reason"),
)

ALLOCATION = _object(
    {
        "key": {"type": "string", "minLength": 1},
        "cost": {"type": "string"},
        "shared": {
            "type": "array",
            "items": _object(
                {
                    "name": {"type": "string"},
                    "when": {"type": "object", "additionalProperties": {"oneOf": [SCALAR_LIST, SCALAR]}},
                    "split": {
                        "oneOf": [
                            {"enum": ["proportional", "even"]},
                            _object({"fixed": {"type": "object", "additionalProperties": {"type": "number"}}}),
                        ]
                    },
                },
                ("name", "when", "split"),
            ),
        },
    },
    ("key",),
)

POLICY_TEST = _object(
    {
        "name": {"type": "string"},
        "resource": {
            "type": "object",
            "properties": {
                "provider": {"type": "string"},
                "type": {"type": "string"},
                "tags": {"type": "object"},
            },
            "required": ["type", "tags"],
        },
        "expect": {
            "type": "object",
            "additionalProperties": {
                "oneOf": [
                    {"enum": ["pass", "fail", "unknown", "exempt", "not_applicable"]},
                    _object(
                        {
                            "status": {"enum": ["pass", "fail", "unknown", "exempt", "not_applicable"]},
                            "reason": {"type": "string"},
                        },
                        ("status",),
                    ),
                ]
            },
        },
    },
    ("name", "resource", "expect"),
)

# remediation notices: named channels (each channel's own fields are checked by its notifier), who
# the owner is, and the escalation levels after the grace period
NOTIFY_TARGET = _object(
    {"channel": {"type": "string", "minLength": 1}, "to": {"type": "string", "minLength": 1}}, ("channel", "to")
)
NOTIFY = _object(
    {
        "channels": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"type": {"enum": ["smtp", "email", "slack", "webhook"]}},
                "required": ["type"],
            },
        },
        "owner": NOTIFY_TARGET,
        "escalation": {"type": "array", "items": NOTIFY_TARGET},
    },
    ("channels",),
)

POLICY_FILE = _object(
    {
        "tagwarden": {"enum": [1, "1"]},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "owner": {"type": "string"},
        "value_sets": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z0-9_-]+$"},
            "additionalProperties": VALUE_SET,
        },
        "keys": {
            "type": "object",
            "additionalProperties": _object({"aliases": STRING_LIST, "gcp": {"type": "string"}}),
        },
        "rules": {"type": "array", "items": RULE},
        "exemptions": {"type": "array", "items": EXEMPTION},
        "allocation": ALLOCATION,
        # glob -> owner, or {file: owners.csv}: a CSV with a `match` column (glob on account id, resource
        # name, IaC path or address) and one column per value (owner, cost_center, ...)
        "owner_map": {"type": "object", "additionalProperties": {"type": "string"}},
        "notify": NOTIFY,
        "tests": {"type": "array", "items": POLICY_TEST},
    },
    ("tagwarden",),
)
