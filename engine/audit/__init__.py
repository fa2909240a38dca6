"""The audit trail: a hash chain of records (trail.py), closed periods (periods.py), policy changes."""
