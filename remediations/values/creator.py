"""``{creator}``: who created the resource, as the scan found it (CloudTrail, the Activity Log)."""

from __future__ import annotations

from tagwarden.engine.resources import Resource
from tagwarden.remediations.values.interface import ValueInputs


class Creator:
    name = "creator"
    prefix = "creator"

    def resolve(self, argument: str | None, resource: Resource, inputs: ValueInputs) -> str | None:
        if argument:
            return None
        creator = resource.context.get("created_by")
        return str(creator) if creator else None
