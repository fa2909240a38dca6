"""report.json: the report dict as it is (the Report JSON of docs/cli-and-outputs.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tagwarden.engine.reporting.render.interface import ReportDict


@dataclass(frozen=True)
class JsonRenderer:
    name = "json"
    description = "the report dict as JSON (Report JSON of the spec)"
    files: tuple[str, ...] = ("report.json",)

    def render(self, report: ReportDict) -> dict[str, str]:
        return {"report.json": json.dumps(report, indent=2, ensure_ascii=False) + "\n"}
