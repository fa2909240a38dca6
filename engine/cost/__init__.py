"""Billing data: import into DuckDB (``storage``, ``importer``, ``formats``), allocation and reports."""
