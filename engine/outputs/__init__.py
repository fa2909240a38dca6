"""Output formats: each renders a finished :class:`~tagwarden.engine.results.Report`.

Formats never compute results. ``registry.get_format`` is the one way in; see ``interface.py``
for the contract every format keeps.
"""
