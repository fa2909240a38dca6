"""``{iac.tags.K}``: the value the Terraform state that declares the resource gives the tag (``--state``)."""

from __future__ import annotations

from tagwarden.engine.resources import Resource
from tagwarden.remediations.values.interface import ValueInputs


class IacTags:
    name = "iac"
    prefix = "iac.tags"

    def resolve(self, argument: str | None, resource: Resource, inputs: ValueInputs) -> str | None:
        if not argument or inputs.iac is None:
            return None
        declared = inputs.iac.find(resource)
        if declared is None or declared.tags is None:
            return None
        value = declared.tags.get(argument)
        return value or None
