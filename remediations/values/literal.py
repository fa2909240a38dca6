"""A ``remediation.default`` without placeholders is the value itself."""

from __future__ import annotations

LITERAL = "literal"
