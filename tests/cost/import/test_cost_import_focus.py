"""FOCUS import: the shared sample (against an independent csv + Decimal computation), gz and Parquet
copies of it, nulls, bad rows with their line numbers, missing columns, currencies, re-import, atomicity,
closed periods."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from cost_import_support import FOCUS_SAMPLE, Importer, to_parquet
from sqlalchemy import text

from tagwarden.engine.cost.formats.interface import BillingFormatError
from tagwarden.engine.cost.importer import ImportRefused
from tagwarden.engine.cost.storage import open_billing

FOCUS_HEADER = [
    "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency",
    "BilledCost", "EffectiveCost", "ListCost", "ProviderName", "SubAccountId", "ResourceId", "Tags",
]  # fmt: skip


def focus_row(cost: str, *, currency: str = "USD", start: str = "2026-10-01T00:00:00Z", tags: str = "") -> list[str]:
    resource = "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
    return [start, "2026-11-01T00:00:00Z", "2026-10-05T00:00:00Z", "2026-10-06T00:00:00Z", currency,
            cost, cost, cost, "AWS", "111122223333", resource, tags]  # fmt: skip


def independent_totals(path: Path) -> dict[str, tuple[int, Decimal, Decimal]]:
    """Per currency: rows, BilledCost, EffectiveCost, with the csv module and Decimal (rounded as stored)."""
    places = Decimal("0.0000000001")
    totals: dict[str, list[object]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            entry = totals[row["BillingCurrency"]]
            entry[0] = int(str(entry[0])) + 1
            entry[1] = Decimal(str(entry[1])) + Decimal(row["BilledCost"]).quantize(places)
            entry[2] = Decimal(str(entry[2])) + Decimal(row["EffectiveCost"]).quantize(places)
    return {currency: (int(str(n)), Decimal(str(b)), Decimal(str(e))) for currency, (n, b, e) in totals.items()}


def test_the_shared_sample_imports_whole_and_exact(importer: Importer) -> None:
    summary = importer.run(FOCUS_SAMPLE)

    assert (summary.format, summary.detected, summary.rows, summary.rejected) == ("focus", True, 1000, 0)
    expected = independent_totals(FOCUS_SAMPLE)
    assert {t.currency: (t.rows, t.billed, t.effective) for t in summary.totals} == expected
    providers = dict(importer.rows("SELECT ProviderName, count(*) FROM billing GROUP BY ALL"))
    assert providers == {"AWS": 942, "Microsoft": 51, "Oracle": 7}
    assert summary.periods == ("2024-09", "2024-10")


def test_messy_tag_keys_are_kept_exactly(importer: Importer) -> None:
    importer.run(FOCUS_SAMPLE)
    keys = {row[0] for row in importer.rows("SELECT DISTINCT unnest(map_keys(Tags)) FROM billing")}
    assert {"env", "environment", " org"} <= keys
    with FOCUS_SAMPLE.open(encoding="utf-8", newline="") as stream:
        literal_null_tags = sum(row["Tags"] == "NULL" for row in csv.DictReader(stream))
    empty = importer.rows("SELECT count(*) FROM billing WHERE cardinality(Tags) = 0")[0][0]
    assert literal_null_tags > 0 and empty == literal_null_tags


def test_source_lines_point_at_the_file(importer: Importer) -> None:
    importer.run(FOCUS_SAMPLE)
    with FOCUS_SAMPLE.open(encoding="utf-8", newline="") as stream:
        ids = {index + 2: row["Id"] for index, row in enumerate(csv.DictReader(stream))}
    stored = dict(importer.rows("SELECT source_line, ResourceId FROM billing"))
    with FOCUS_SAMPLE.open(encoding="utf-8", newline="") as stream:
        resources = {index + 2: (row["ResourceId"] if row["ResourceId"] != "NULL" else None)
                     for index, row in enumerate(csv.DictReader(stream))}  # fmt: skip
    assert set(stored) == set(ids) and stored == resources


def test_gzip_and_parquet_copies_give_the_same_figures(importer: Importer, tmp_path: Path) -> None:
    gz = tmp_path / "focus.csv.gz"
    with FOCUS_SAMPLE.open("rb") as source, gzip.open(gz, "wb") as target:
        shutil.copyfileobj(source, target)
    parquet = to_parquet(FOCUS_SAMPLE, tmp_path / "focus.parquet", _typed_focus_columns())
    expected = independent_totals(FOCUS_SAMPLE)
    for path in (gz, parquet):
        summary = importer.run(path)
        assert (summary.format, summary.rows, summary.rejected) == ("focus", 1000, 0), path
        assert {t.currency: (t.rows, t.billed, t.effective) for t in summary.totals} == expected, path
    by_import = importer.rows(
        "SELECT import_id, count(DISTINCT source_line), sum(cardinality(Tags)) FROM billing GROUP BY ALL ORDER BY 1"
    )
    assert [row[1:] for row in by_import] == [(1000, by_import[0][2])] * 2


def _typed_focus_columns() -> str:
    money = ", ".join(f"CAST({c} AS DECIMAL(38,10)) AS {c}" for c in ("BilledCost", "EffectiveCost", "ListCost"))
    times = ", ".join(f"CAST({c} AS TIMESTAMP) AS {c}" for c in ("BillingPeriodStart", "ChargePeriodStart"))
    return f"* REPLACE ({money}, {times})"


def test_nulls_written_empty_or_as_null_are_nulls(importer: Importer, csv_file) -> None:
    path = csv_file("nulls.csv", FOCUS_HEADER, focus_row("1.5"), focus_row("2.5"))
    rows = path.read_text().splitlines()
    rows[1] = rows[1].replace(",AWS,", ",NULL,")
    rows[2] = rows[2].replace(",AWS,", ",,")
    path.write_text("\n".join(rows) + "\n")
    importer.run(path)
    assert importer.rows("SELECT count(*) FROM billing WHERE ProviderName IS NULL") == [(2,)]


def test_unparseable_rows_are_counted_with_their_lines_and_the_rest_kept(importer: Importer, csv_file) -> None:
    path = csv_file(
        "bad.csv",
        FOCUS_HEADER,
        focus_row("1.00"),  # line 2
        focus_row("abc"),  # line 3: not a number
        focus_row("2.00"),  # line 4
        focus_row("3.00", start="yesterday"),  # line 5: not a date
        focus_row("4.00", tags='{"env": "prod"'),  # line 6: broken JSON
        focus_row("5.00", tags='["a"]'),  # line 7: JSON, not an object
        focus_row("6.00"),  # line 8
    )
    with path.open("a", encoding="utf-8") as stream:
        stream.write("2026-10-01,too,few\r\n")  # line 9 (csv.writer ends lines with CRLF)
        stream.write(",".join(focus_row("7.00")) + "\r\n")  # line 10
    summary = importer.run(path)

    assert summary.rejected == 5
    assert [rejection.line for rejection in summary.rejections] == [3, 5, 6, 7, 9]
    assert summary.rows == 4
    assert importer.rows("SELECT source_line, BilledCost FROM billing ORDER BY 1") == [
        (2, Decimal("1.00")), (4, Decimal("2.00")), (8, Decimal("6.00")), (10, Decimal("7.00")),
    ]  # fmt: skip
    assert summary.totals[0].billed == Decimal("16.00")


def test_missing_required_columns_are_named_with_the_file(importer: Importer, csv_file) -> None:
    header = [c for c in FOCUS_HEADER if c not in ("EffectiveCost", "BillingCurrency")]
    path = csv_file("short.csv", header, ["x"] * len(header))
    with pytest.raises(BillingFormatError) as raised:
        importer.run(path, format_name="focus")
    assert str(path) in str(raised.value)
    assert "EffectiveCost" in str(raised.value) and "BillingCurrency" in str(raised.value)
    assert importer.rows("SELECT count(*) FROM billing") == [(0,)]


def test_an_unknown_header_is_refused_naming_its_columns(importer: Importer, csv_file) -> None:
    path = csv_file("other.csv", ["name", "amount"], ["a", "1"])
    with pytest.raises(BillingFormatError, match=r"not a billing format.*name, amount"):
        importer.run(path)


def test_a_mixed_currency_file_is_recorded_per_currency(importer: Importer, csv_file) -> None:
    path = csv_file(
        "mixed.csv", FOCUS_HEADER,
        focus_row("10.10"), focus_row("20.20", currency="EUR"), focus_row("0.05"), focus_row("1", currency="JPY"),
    )  # fmt: skip
    summary = importer.run(path)
    assert {t.currency: t.billed for t in summary.totals} == {
        "EUR": Decimal("20.20"), "JPY": Decimal("1"), "USD": Decimal("10.15"),
    }  # fmt: skip
    assert summary.currencies == ("EUR", "JPY", "USD")


def test_the_same_content_twice_is_refused_unless_replaced(importer: Importer, csv_file, tmp_path: Path) -> None:
    path = csv_file("a.csv", FOCUS_HEADER, focus_row("1.25"))
    first = importer.run(path)
    copy = tmp_path / "copy-of-a.csv"
    shutil.copy(path, copy)
    with pytest.raises(ImportRefused, match=r"already imported.*import 1"):
        importer.run(copy)
    second = importer.run(copy, replace=True)
    assert second.replaced == (first.import_id,)
    assert importer.rows("SELECT import_id, count(*) FROM billing GROUP BY ALL") == [(second.import_id, 1)]
    assert importer.rows("SELECT import_id FROM billing_import") == [(second.import_id,)]
    assert [(r.import_id, r.replaced_by) for r in importer.log.imports()] == [(1, 2), (2, None)]


def test_a_failed_import_leaves_nothing_behind(importer: Importer, csv_file) -> None:
    path = csv_file("a.csv", FOCUS_HEADER, focus_row("1.25"), focus_row("2.50"))
    with importer.engine.begin() as conn:  # the store's side of the import cannot be written
        conn.execute(text("ALTER TABLE cost_import RENAME TO cost_import_elsewhere"))
    with pytest.raises(Exception, match="cost_import"):
        importer.run(path)
    assert importer.rows("SELECT count(*) FROM billing") == [(0,)]
    assert importer.rows("SELECT count(*) FROM billing_import") == [(0,)]
    with importer.engine.begin() as conn:
        conn.execute(text("ALTER TABLE cost_import_elsewhere RENAME TO cost_import"))
    assert importer.run(path).rows == 2  # and the same file imports once the store is back


def test_rows_of_closed_periods_become_adjustments_in_the_next_open_period(importer: Importer, csv_file) -> None:
    path = csv_file(
        "late.csv", FOCUS_HEADER,
        focus_row("1.00", start="2026-08-01T00:00:00Z"), focus_row("2.00", start="2026-09-01T00:00:00Z"),
        focus_row("4.00", start="2026-10-01T00:00:00Z"),
    )  # fmt: skip
    summary = importer.run(path, closed={"2026-08", "2026-09"})
    assert [(a.of_period, a.period, a.rows) for a in summary.adjustments] == [
        ("2026-08", "2026-10", 1), ("2026-09", "2026-10", 1),
    ]  # fmt: skip
    assert summary.periods == ("2026-10",)
    assert importer.rows("SELECT adjustment_of, period, BilledCost FROM billing ORDER BY BilledCost") == [
        ("2026-08", "2026-10", Decimal("1.00")), ("2026-09", "2026-10", Decimal("2.00")),
        (None, "2026-10", Decimal("4.00")),
    ]  # fmt: skip


def test_an_import_with_rows_in_a_closed_period_cannot_be_replaced(importer: Importer, csv_file) -> None:
    path = csv_file("a.csv", FOCUS_HEADER, focus_row("1.25", start="2026-09-01T00:00:00Z"))
    importer.run(path)
    with pytest.raises(ImportRefused, match=r"closed period.*2026-09"):
        importer.run(path, replace=True, closed={"2026-09"})


def test_provider_counts_of_the_sample_match_the_data_readme() -> None:
    with FOCUS_SAMPLE.open(encoding="utf-8", newline="") as stream:
        assert Counter(row["ProviderName"] for row in csv.DictReader(stream)) == {
            "AWS": 942, "Microsoft": 51, "Oracle": 7,
        }  # fmt: skip


def test_parquet_with_float_money_and_a_tags_map(importer: Importer, csv_file, tmp_path: Path) -> None:
    source = csv_file("f.csv", FOCUS_HEADER, focus_row("0.1", tags='{"team": "a"}'), focus_row("0.2"))
    retyped = (
        "* REPLACE (CAST(BilledCost AS DOUBLE) AS BilledCost, CAST(EffectiveCost AS DOUBLE) AS EffectiveCost,"
        " CAST(CAST(Tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS Tags)"
    )
    summary = importer.run(to_parquet(source, tmp_path / "f.parquet", retyped))
    assert summary.totals[0].billed == Decimal("0.3")  # 0.1 + 0.2 from their shortest decimal text, not binary
    assert importer.rows("SELECT Tags FROM billing ORDER BY source_line") == [({"team": "a"},), ({},)]


def test_a_big_file_hashed_during_the_import_is_refused_and_replaced_the_same_way(
    importer: Importer, csv_file, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tagwarden.engine.cost import importer as importer_module

    monkeypatch.setattr(importer_module, "HASH_FIRST_BELOW_BYTES", 0)  # every file counts as big here
    path = csv_file("a.csv", FOCUS_HEADER, focus_row("1.25"))
    first = importer.run(path)
    with pytest.raises(ImportRefused, match="already imported"):
        importer.run(path)
    assert importer.rows("SELECT import_id, count(*) FROM billing GROUP BY ALL") == [(first.import_id, 1)]
    second = importer.run(path, replace=True)
    assert second.replaced == (first.import_id,) and second.sha256 == first.sha256
    assert importer.rows("SELECT import_id, count(*) FROM billing GROUP BY ALL") == [(second.import_id, 1)]


def test_line_numbers_stay_exact_when_duckdb_reads_a_big_csv_in_parallel(importer: Importer, tmp_path: Path) -> None:
    """~80 MB, so the CSV reader splits it between threads; every 40,000th row has a cost that is no number."""
    path = tmp_path / "big.csv"
    rows = 250_000
    with duckdb.connect() as conn:
        conn.execute(
            f"""
            COPY (SELECT '2026-10-01' AS BillingPeriodStart, '2026-10-02' AS ChargePeriodStart,
                         CASE WHEN i % 40000 = 39999 THEN 'bad' ELSE '0.01' END AS BilledCost,
                         '0.01' AS EffectiveCost, 'USD' AS BillingCurrency, 'line-' || (i + 2) AS ResourceId,
                         repeat('x', 250) AS ChargeDescription
                  FROM range({rows}) AS t(i)) TO '{path}' (HEADER)
            """
        )
    importer.conn.execute("SET threads = 4")
    summary = importer.run(path)

    bad_lines = [i + 2 for i in range(rows) if i % 40000 == 39999]
    assert [rejection.line for rejection in summary.rejections] == bad_lines
    assert summary.rows == rows - len(bad_lines)
    mismatched = importer.rows("SELECT count(*) FROM billing WHERE ResourceId IS DISTINCT FROM 'line-' || source_line")
    assert mismatched == [(0,)]


def test_parquet_tags_parsed_once_per_distinct_text_keep_rows_and_rejections(
    importer: Importer, csv_file, tmp_path: Path
) -> None:
    source = csv_file(
        "t.csv", FOCUS_HEADER,
        focus_row("1", tags='{"team": "a"}'), focus_row("2", tags="NULL"), focus_row("3", tags='{"team": "a"}'),
        focus_row("4", tags='{"team": '), focus_row("5", tags='{"team": "b", "Team": "c"}'),
    )  # fmt: skip
    summary = importer.run(to_parquet(source, tmp_path / "t.parquet"))
    assert [(r.line, r.reason) for r in summary.rejections] == [(4, "tags are not a JSON object with distinct keys")]
    assert importer.rows("SELECT source_line, BilledCost, Tags FROM billing ORDER BY source_line") == [
        (1, Decimal("1"), {"team": "a"}), (2, Decimal("2"), {}), (3, Decimal("3"), {"team": "a"}),
        (5, Decimal("5"), {"team": "b", "Team": "c"}),
    ]  # fmt: skip


def test_a_parquet_import_survives_moving_the_store_folder(tmp_path: Path) -> None:
    """Parquet imports keep their rows as files beside the billing database; the view names them
    relative to their folder, so a store restored elsewhere (a CI cache, a backup) still reads them."""
    parquet = to_parquet(FOCUS_SAMPLE, tmp_path / "focus.parquet", _typed_focus_columns())
    store = tmp_path / "first" / ".tagwarden"
    importer = Importer(f"sqlite:///{store / 'tagwarden.db'}", store / "tagwarden.billing.duckdb")
    importer.run(parquet)
    before = importer.rows("SELECT count(*), sum(EffectiveCost) FROM billing")
    importer.close()
    assert list((store / "tagwarden.billing.parquet").glob("import-*.parquet"))

    moved = tmp_path / "elsewhere"
    shutil.move(str(tmp_path / "first"), str(moved))
    conn = open_billing(moved / ".tagwarden" / "tagwarden.billing.duckdb", read_only=True)
    try:
        assert conn.execute("SELECT count(*), sum(EffectiveCost) FROM billing").fetchall() == before
    finally:
        conn.close()
