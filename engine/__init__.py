"""tagwarden.engine: the core every user shares (policy, resources, evaluation, outputs)."""

__version__ = "0.1.0"
