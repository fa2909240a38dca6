"""The formats ``--format`` accepts, listed explicitly; a duplicate name is an error at import."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from tagwarden.engine.outputs.csv_format import CsvFormat
from tagwarden.engine.outputs.github import GithubFormat
from tagwarden.engine.outputs.interface import OutputError, OutputFormat
from tagwarden.engine.outputs.json_format import JsonFormat
from tagwarden.engine.outputs.junit import JunitFormat
from tagwarden.engine.outputs.markdown import MarkdownFormat
from tagwarden.engine.outputs.sarif import SarifFormat
from tagwarden.engine.outputs.text import TextFormat

Factory = Callable[..., OutputFormat]


def build(factories: Iterable[type[OutputFormat]]) -> Mapping[str, Factory]:
    registry: dict[str, Factory] = {}
    for factory in factories:
        if factory.name in registry:
            raise ValueError(f"two output formats are named {factory.name!r}")
        registry[factory.name] = factory
    return MappingProxyType(registry)


FORMATS: Mapping[str, Factory] = build(
    [TextFormat, JsonFormat, SarifFormat, JunitFormat, MarkdownFormat, GithubFormat, CsvFormat]
)


def options_of(factory: Factory) -> frozenset[str]:
    return frozenset(inspect.signature(factory).parameters)


KNOWN_OPTIONS: frozenset[str] = frozenset().union(*(options_of(f) for f in FORMATS.values()))


def get_format(name: str, **options: Any) -> OutputFormat:
    """The format called ``name``, built with the options it takes.

    Options meant for other formats are dropped, so the CLI can pass ``color`` whatever the
    format; an option that no format takes is a mistake and raises, as does a bad value.
    """
    factory = FORMATS.get(name)
    if factory is None:
        raise OutputError(f"unknown output format {name!r}; known formats: {', '.join(FORMATS)}")
    unknown = sorted(set(options) - KNOWN_OPTIONS)
    if unknown:
        raise OutputError(f"no output format takes the option(s) {', '.join(unknown)}")
    accepted = options_of(factory)
    try:
        return factory(**{key: value for key, value in options.items() if key in accepted})
    except (TypeError, ValueError) as error:
        raise OutputError(f"output format {name!r}: {error}") from error
