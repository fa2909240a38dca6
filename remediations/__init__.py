"""tagwarden.remediations: results -> reviewable plans -> changes (see docs/architecture.md)."""
