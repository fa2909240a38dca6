"""Where a remediation takes a tag value from: one module per source behind ``interface.py``."""
