"""Rewrite the golden files under tests/fixtures/outputs from the sample report in conftest.py.

Run it after an intended change to a format, then read the diff before committing:

    python tests/outputs/regenerate_golden.py
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tagwarden.engine.outputs.registry import get_format


def load_conftest() -> ModuleType:
    path = Path(__file__).resolve().parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("outputs_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    samples = load_conftest()
    samples.GOLDEN.mkdir(parents=True, exist_ok=True)
    for filename, name, options, show_all in samples.GOLDEN_CASES:
        text = get_format(name, **options).render(samples.sample_report(), show_all=show_all, root=samples.ROOT)
        (samples.GOLDEN / filename).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {samples.GOLDEN / filename}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
