"""Renderers of the governance report dict: one module per format, behind interface.py, listed in registry.py."""
