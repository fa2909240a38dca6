"""Every format against its golden file (regenerate with ``regenerate_golden.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tagwarden.engine.outputs.registry import FORMATS, get_format
from tagwarden.engine.results import Report


def test_output_matches_golden_file(
    golden_case: tuple[str, str, dict[str, Any], bool], report: Report, root: str, golden_dir: Path
) -> None:
    filename, name, options, show_all = golden_case
    rendered = get_format(name, **options).render(report, show_all=show_all, root=root)
    expected = (golden_dir / filename).read_text(encoding="utf-8")
    assert rendered == expected, f"{filename} differs; run tests/outputs/regenerate_golden.py and read the diff"


def test_every_golden_file_is_a_case(golden_dir: Path, golden_cases: tuple[tuple[str, ...], ...]) -> None:
    assert sorted(p.name for p in golden_dir.iterdir()) == sorted(case[0] for case in golden_cases)


def test_every_format_has_a_golden_file(golden_cases: tuple[tuple[str, ...], ...]) -> None:
    assert {case[1] for case in golden_cases} == set(FORMATS)
