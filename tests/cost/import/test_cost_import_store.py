"""The store's side of an import (table ``cost_import``), on SQLite and PostgreSQL; the CLI end to end."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cost_import_support import FOCUS_SAMPLE, Importer
from sqlalchemy import inspect

from tagwarden.engine.cli.app import cli
from tagwarden.engine.cost.storage import billing_path, open_billing
from tagwarden.engine.store.connection import create_store_engine
from tagwarden.engine.store.cost_tables import COST_IMPORT


def test_the_migrated_cost_import_table_is_the_declared_one(store_importer: Importer) -> None:
    inspector = inspect(store_importer.engine)
    found = {column["name"]: column["nullable"] for column in inspector.get_columns("cost_import")}
    assert found == {column.name: column.nullable for column in COST_IMPORT.columns}
    declared = {index.name for index in COST_IMPORT.indexes}
    assert declared <= {index["name"] for index in inspector.get_indexes("cost_import")}


def test_an_import_is_recorded_in_the_store_and_replacing_it_is_too(store_importer: Importer) -> None:
    first = store_importer.run(FOCUS_SAMPLE)
    second = store_importer.run(FOCUS_SAMPLE, replace=True)
    records = store_importer.log.imports()

    assert [(r.import_id, r.replaced_by) for r in records] == [(first.import_id, second.import_id), (2, None)]
    latest = records[-1]
    assert (latest.format, latest.rows, latest.rejected, latest.sha256) == ("focus", 1000, 0, first.sha256)
    assert latest.periods == ("2024-09", "2024-10") and latest.currencies == ("USD",)
    assert Decimal(latest.totals["USD"]["effective"]) == second.totals[0].effective
    assert [r.import_id for r in store_importer.log.imports(include_replaced=False)] == [2]


def test_import_ids_continue_after_the_store_even_with_a_new_billing_database(
    store_importer: Importer, tmp_path: Path
) -> None:
    store_importer.run(FOCUS_SAMPLE)
    other = Importer(store_importer.url, tmp_path / "other-billing.duckdb")
    try:
        assert other.run(FOCUS_SAMPLE).import_id == 2  # no clash in the store's cost_import
    finally:
        other.close()


def test_the_billing_database_sits_beside_a_sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert billing_path(f"sqlite:///{tmp_path}/x/tagwarden.db") == tmp_path / "x" / "tagwarden.billing.duckdb"
    monkeypatch.setenv("TAGWARDEN_BILLING_DB", str(tmp_path / "b.duckdb"))
    assert billing_path("postgresql+psycopg://u@h/db") == tmp_path / "b.duckdb"
    monkeypatch.delenv("TAGWARDEN_BILLING_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert billing_path("postgresql+psycopg://u@h/db") == tmp_path / "data" / "tagwarden" / "billing.duckdb"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_import_prints_a_summary_and_lists_imports(store_url: str, tmp_path: Path) -> None:
    billing = tmp_path / "billing.duckdb"
    done = run("cost", "import", str(FOCUS_SAMPLE), "--db", store_url, "--billing-db", str(billing))
    assert done.exit_code == 0, done.output
    assert "FOCUS 1.0-1.2, detected" in done.stdout
    assert "rows:       1,000" in done.stdout and "currencies: USD" in done.stdout
    assert "total USD: EffectiveCost 14.9765141858, BilledCost 20.5202267289" in done.stdout

    again = run("cost", "import", str(FOCUS_SAMPLE), "--db", store_url, "--billing-db", str(billing))
    assert again.exit_code == 2 and "already imported" in again.stderr and "--replace" in again.stderr

    listed = run("cost", "imports", "--db", store_url, "--format", "json")
    assert [(entry["import_id"], entry["rows"]) for entry in json.loads(listed.stdout)] == [(1, 1000)]
    conn = open_billing(billing, read_only=True)
    try:
        assert conn.execute("SELECT count(*) FROM billing").fetchone() == (1000,)
    finally:
        conn.close()


def test_cli_names_missing_columns_and_rejected_lines(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'tagwarden.db'}"
    short = tmp_path / "short.csv"
    short.write_text("BilledCost,BillingCurrency,ChargePeriodStart\n1,USD,2026-10-01\n")
    done = run("cost", "import", str(short), "--db", store)
    assert done.exit_code == 2
    assert str(short) in done.stderr and "BillingPeriodStart" in done.stderr and "EffectiveCost" in done.stderr

    bad = tmp_path / "bad.csv"
    header = "BillingPeriodStart,ChargePeriodStart,BilledCost,EffectiveCost,BillingCurrency,Tags"
    bad.write_text(f"{header}\n2026-10-01,2026-10-02,1,1,USD,\n2026-10-01,2026-10-02,x,1,USD,\n")
    done = run("cost", "import", str(bad), "--db", store, "--format", "focus")
    assert done.exit_code == 0, done.output
    assert "(FOCUS 1.0-1.2, given)" in done.stdout
    assert "rejected:   1" in done.stdout and f"{bad}:3:" in done.stdout


def test_cli_files_rows_of_a_period_closed_by_the_audit_module_as_adjustments(store_url: str, tmp_path: Path) -> None:
    from tagwarden.engine.audit.periods import close_period

    run("cost", "imports", "--db", store_url)  # creates and migrates the store
    engine = create_store_engine(store_url)
    try:
        close_period(engine, "2024-09", "ci", {})
    finally:
        engine.dispose()
    billing = tmp_path / "billing.duckdb"
    done = run("cost", "import", str(FOCUS_SAMPLE), "--db", store_url, "--billing-db", str(billing))
    assert done.exit_code == 0, done.output
    assert "period 2024-09 is closed: its 999 rows are recorded as adjustments in 2024-10" in done.stdout
    conn = open_billing(billing, read_only=True)
    try:
        found = conn.execute("SELECT period, adjustment_of, count(*) FROM billing GROUP BY ALL ORDER BY ALL")
        assert found.fetchall() == [
            ("2024-10", "2024-09", 999), ("2024-10", None, 1),
        ]  # fmt: skip
    finally:
        conn.close()
