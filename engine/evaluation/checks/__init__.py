"""Value checks: each tests one property of a required key's value (see registry.py)."""
