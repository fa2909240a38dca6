"""The billing formats ``cost import --format`` accepts, in detection order; a duplicate name is an error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from tagwarden.engine.cost.formats.azure import AzureFormat
from tagwarden.engine.cost.formats.cur import CurFormat
from tagwarden.engine.cost.formats.cur2 import Cur2Format
from tagwarden.engine.cost.formats.focus import FocusFormat
from tagwarden.engine.cost.formats.gcp import GcpFormat
from tagwarden.engine.cost.formats.interface import BillingFormat, BillingFormatError, SourceHeader


def build(formats: Iterable[BillingFormat]) -> Mapping[str, BillingFormat]:
    registry: dict[str, BillingFormat] = {}
    for billing_format in formats:
        if billing_format.name in registry:
            raise ValueError(f"two billing formats are named {billing_format.name!r}")
        registry[billing_format.name] = billing_format
    return MappingProxyType(registry)


# FOCUS first: a FOCUS file converted from another source may keep a few of that source's columns
FORMATS: Mapping[str, BillingFormat] = build([FocusFormat(), Cur2Format(), CurFormat(), AzureFormat(), GcpFormat()])


def get_format(name: str) -> BillingFormat:
    found = FORMATS.get(name)
    if found is None:
        raise BillingFormatError(f"unknown billing format {name!r} (known: {', '.join(FORMATS)})")
    return found


def detect_format(header: SourceHeader) -> BillingFormat | None:
    return next((candidate for candidate in FORMATS.values() if candidate.matches(header)), None)
