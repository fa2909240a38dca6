"""Remediation actions: one module per action behind ``interface.py``, listed in ``registry.py``."""
