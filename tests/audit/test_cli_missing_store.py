"""`audit verify` / `audit log` on a store that is not there: an error, never an "intact" empty trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tagwarden.engine.cli.app import cli


@pytest.mark.parametrize("command", [["audit", "verify"], ["audit", "log"]])
def test_a_sqlite_store_that_does_not_exist_is_an_error_and_is_not_created(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "tagwarden.db"
    result = CliRunner().invoke(cli, [*command, "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2, result.output
    assert f"no store at {missing}" in result.stderr
    assert "intact" not in result.output
    assert not missing.exists() and not missing.parent.exists()


def test_a_report_of_a_period_whose_frozen_figures_were_altered_is_refused(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import text

    from tagwarden.engine.audit.periods import close_period
    from tagwarden.engine.store import Store
    from tagwarden.engine.store.connection import create_store_engine

    url = f"sqlite:///{tmp_path / 'tagwarden.db'}"
    figures = {"tagwarden": "1", "allocation": {"currency": "USD", "total": 1250.0}}
    with Store.open(url) as store:
        close_period(store, "2026-09", "alice", figures, now=datetime(2026, 10, 2, tzinfo=UTC))
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE period_close SET report = replace(report, '1250.0', '1.0')"))
    engine.dispose()
    policy = Path(__file__).resolve().parents[2] / "policies"
    args = ["report", "--period", "2026-09", "-o", "-", "--format", "json", "--db", url, "--policy", str(policy)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "frozen figures of period 2026-09 differ from its close (audit record" in result.stderr
    assert "1.0" not in result.stdout and "Traceback" not in result.output
