"""The command line (see app.py)."""

from tagwarden.engine.cli.app import cli, main

__all__ = ["cli", "main"]
