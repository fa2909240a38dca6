"""Value sets: allowed-value lists written inline or read from a CSV or text file."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tagwarden.engine.policy.model import ValueSet


class ValueFileError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def scalar_text(value: Any) -> str:
    """Tag values are text; YAML may have read ``1000`` or ``true`` as numbers or booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def inline_value_set(name: str, values: list[Any]) -> ValueSet:
    return ValueSet(name=name, values=tuple(scalar_text(value) for value in values))


def file_value_set(name: str, path: Path, column: str | None) -> ValueSet:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueFileError(f"value file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueFileError(f"value file {path} cannot be read: {error}") from None
    if path.suffix.lower() == ".csv":
        return _csv_value_set(name, path, text, column)
    if column is not None:
        raise ValueFileError(f"'column' given but {path} is a plain text file, not .csv")
    return ValueSet(name=name, values=tuple(_plain_lines(text)))


def _plain_lines(text: str) -> list[str]:
    stripped = (line.strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


def _csv_value_set(name: str, path: Path, text: str, column: str | None) -> ValueSet:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if not header:
        raise ValueFileError(f"{path} has no header row", 1)
    chosen = column or header[0]
    if chosen not in header:
        raise ValueFileError(f"{path} has no column '{chosen}' (columns: {', '.join(header)})", 1)
    rows: list[Mapping[str, str]] = []
    for row in reader:
        if None in row:  # more cells than header fields
            raise ValueFileError(f"{path}: row has more cells than the header", reader.line_num)
        rows.append({key: (cell or "").strip() for key, cell in row.items()})
    values = tuple(row[chosen] for row in rows if row[chosen])
    return ValueSet(name=name, values=values, rows=tuple(rows), column=chosen)
