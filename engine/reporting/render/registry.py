"""The formats ``tagwarden report --format`` accepts, listed explicitly; a duplicate name is an error at import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from tagwarden.engine.reporting.render.csv_format import CsvRenderer
from tagwarden.engine.reporting.render.html import HtmlRenderer
from tagwarden.engine.reporting.render.interface import RenderError, ReportRenderer
from tagwarden.engine.reporting.render.json_format import JsonRenderer


def build(renderers: Iterable[ReportRenderer]) -> Mapping[str, ReportRenderer]:
    registry: dict[str, ReportRenderer] = {}
    for renderer in renderers:
        if renderer.name in registry:
            raise ValueError(f"two report formats are named {renderer.name!r}")
        registry[renderer.name] = renderer
    return MappingProxyType(registry)


RENDERERS: Mapping[str, ReportRenderer] = build([HtmlRenderer(), CsvRenderer(), JsonRenderer()])


def get_renderer(name: str) -> ReportRenderer:
    renderer = RENDERERS.get(name)
    if renderer is None:
        raise RenderError(f"unknown report format {name!r}; known formats: {', '.join(RENDERERS)}")
    return renderer
