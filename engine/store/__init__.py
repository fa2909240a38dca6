"""The store: every live scan with its history (and, later, cost aggregates and the audit chain).

One module per concern: ``tables`` (sqlmodel), ``migrations``, ``lifecycle`` (a scan's life),
``rows`` (its resources and results, through ``bulk``), ``changes`` (between two scans);
``store.Store`` is the API.
"""

from tagwarden.engine.store.errors import StoreError
from tagwarden.engine.store.models import (
    ScanChanges,
    ScanInfo,
    ScanStatus,
    StoredResource,
    StoredResult,
    TagChange,
)
from tagwarden.engine.store.store import Store
from tagwarden.engine.store.urls import default_url

__all__ = [
    "ScanChanges",
    "ScanInfo",
    "ScanStatus",
    "Store",
    "StoreError",
    "StoredResource",
    "StoredResult",
    "TagChange",
    "default_url",
]
