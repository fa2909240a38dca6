"""tagwarden.engine.taggability: which resource types carry tags, and where."""

from tagwarden.engine.taggability.registry import TaggabilityRegistry, TypeInfo, default_registry

__all__ = ["TaggabilityRegistry", "TypeInfo", "default_registry"]
