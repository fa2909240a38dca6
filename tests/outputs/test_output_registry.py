from __future__ import annotations

import pytest

from tagwarden.engine.outputs.interface import OutputError
from tagwarden.engine.outputs.markdown import MarkdownFormat
from tagwarden.engine.outputs.registry import FORMATS, build, get_format
from tagwarden.engine.outputs.text import TextFormat


def test_registry_lists_the_contract_formats() -> None:
    assert list(FORMATS) == ["text", "json", "sarif", "junit", "markdown", "github", "csv"]


def test_every_format_is_registered_under_its_own_name_and_describes_itself() -> None:
    for name in FORMATS:
        output = get_format(name)
        assert output.name == name
        assert output.description


def test_a_duplicate_name_is_refused() -> None:
    with pytest.raises(ValueError, match="'text'"):
        build([TextFormat, TextFormat])


def test_registry_cannot_be_changed_after_import() -> None:
    with pytest.raises(TypeError):
        FORMATS["html"] = TextFormat  # type: ignore[index]


def test_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(OutputError) as raised:
        get_format("xml")
    assert str(raised.value) == (
        "unknown output format 'xml'; known formats: text, json, sarif, junit, markdown, github, csv"
    )


def test_options_go_to_the_formats_that_take_them() -> None:
    assert get_format("text", color=True) == TextFormat(color=True)
    assert get_format("markdown", max_rows=5, color=True) == MarkdownFormat(max_rows=5)
    assert get_format("json", color=True, max_rows=5).name == "json"


def test_an_option_no_format_takes_is_refused() -> None:
    with pytest.raises(OutputError, match="colour"):
        get_format("text", colour=True)


def test_a_bad_option_value_is_an_output_error() -> None:
    with pytest.raises(OutputError, match="max_rows must be at least 1"):
        get_format("markdown", max_rows=0)
