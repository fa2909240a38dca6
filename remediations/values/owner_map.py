"""``{owner_map.K}``: the policy's owner map (``Policy.owner_rows``, loaded with the policy).

Each row has a ``match`` glob and value columns (``owner``, ``cost_center``, ...). A row matches a live
resource when its glob matches the account id, the resource id, its address or its name. Rows are
tried in order and the first matching row that has a non-empty ``K`` gives the value, so specific
rows go before catch-all ones (``*``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tagwarden.engine.globs import name_matches
from tagwarden.engine.resources import Resource
from tagwarden.remediations.values.interface import ValueInputs


@dataclass(frozen=True)
class OwnerMap:
    rows: tuple[Mapping[str, str], ...] = ()

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, str]]) -> OwnerMap | None:
        return cls(tuple(rows)) if rows else None

    def lookup(self, resource: Resource, column: str) -> str | None:
        names = [name for name in (resource.account, resource.id, resource.address, resource.name) if name]
        for row in self.rows:
            pattern = row.get("match") or ""
            if pattern and any(name_matches(pattern, name) for name in names):
                value = row.get(column)
                if value:
                    return str(value)
        return None


class OwnerMapSource:
    name = "owner_map"
    prefix = "owner_map"

    def resolve(self, argument: str | None, resource: Resource, inputs: ValueInputs) -> str | None:
        if not argument or inputs.owner_map is None:
            return None
        return inputs.owner_map.lookup(resource, argument)
