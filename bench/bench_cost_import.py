"""Benchmark: `cost import` of 10,000,000 generated FOCUS rows (all FOCUS 1.0 columns), then allocation.

Generates the rows with DuckDB SQL into Parquet and CSV (kept in --dir and reused when present), then,
each in a fresh process so peak memory is its own: import from Parquet (target <= 10 s on 2 cores),
import from CSV (target <= 60 s), peak RSS of the process including DuckDB (VmHWM; target < 2 GB),
and the ratio against a plain pandas implementation of the same import + aggregation on the first
--pandas-rows rows (pandas holds everything in memory; at 10,000,000 rows it would need many GB).

The allocation step is `tagwarden.engine.cost.allocation.allocate` (policy: POLICY below; owners by the
`cost-center` tag, Purchase and Tax shared proportionally) when that module exists, else a DuckDB group-by
of EffectiveCost by the tag (the script says which). pandas does the same allocation in floats.

Run: python bench/bench_cost_import.py [--rows N] [--dir DIR] [--threads 2] [--no-csv] [--no-pandas]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ALLOCATION_TAG = "cost-center"
POLICY = """\
tagwarden: 1
name: bench-allocation
rules:
  - {id: cost-center, severity: high, require: cost-center, pattern: '^cc-[0-9]{4}$'}
allocation:
  key: cost-center
  cost: EffectiveCost
  shared:
    - name: commitments-and-tax
      when: {ChargeCategory: [Purchase, Tax]}
      split: proportional
"""

# every FOCUS 1.0 column, in the specification's order of the sample data; money exact DECIMAL(38,10)
_GENERATE = """
SELECT
    CASE WHEN i % 3 = 0 THEN 'us-east-1a' ELSE NULL END AS AvailabilityZone,
    CAST((i % 100000) / 1000.0 + 0.0000001 * (i % 7) AS DECIMAL(38,10)) AS BilledCost,
    '1234567890123' AS BillingAccountId,
    'Bench Org' AS BillingAccountName,
    CASE WHEN i % 50 = 0 THEN 'EUR' ELSE 'USD' END AS BillingCurrency,
    TIMESTAMP '2026-11-01 00:00:00' AS BillingPeriodEnd,
    TIMESTAMP '2026-10-01 00:00:00' AS BillingPeriodStart,
    CASE WHEN i % 97 = 0 THEN 'Tax' WHEN i % 89 = 0 THEN 'Purchase' ELSE 'Usage' END AS ChargeCategory,
    CASE WHEN i % 1000 = 0 THEN 'Correction' ELSE NULL END AS ChargeClass,
    'Usage of service ' || (i % 40) || ' in region ' || (i % 8) AS ChargeDescription,
    'Usage-Based' AS ChargeFrequency,
    TIMESTAMP '2026-10-01 01:00:00' + INTERVAL (i % 720) HOUR AS ChargePeriodEnd,
    TIMESTAMP '2026-10-01 00:00:00' + INTERVAL (i % 720) HOUR AS ChargePeriodStart,
    CASE WHEN i % 10 = 0 THEN 'Spend' ELSE NULL END AS CommitmentDiscountCategory,
    CASE WHEN i % 10 = 0 THEN 'arn:aws:savingsplans::111:savingsplan/sp-' || (i % 5) ELSE NULL END
        AS CommitmentDiscountId,
    CASE WHEN i % 10 = 0 THEN 'sp-' || (i % 5) ELSE NULL END AS CommitmentDiscountName,
    CASE WHEN i % 10 = 0 THEN 'Used' ELSE NULL END AS CommitmentDiscountStatus,
    CASE WHEN i % 10 = 0 THEN 'Compute Savings Plans' ELSE NULL END AS CommitmentDiscountType,
    CAST((i % 1000) / 10.0 AS DECIMAL(38,10)) AS ConsumedQuantity,
    'Hours' AS ConsumedUnit,
    CAST((i % 100000) / 1000.0 AS DECIMAL(38,10)) AS ContractedCost,
    CAST(0.0416 AS DECIMAL(38,10)) AS ContractedUnitPrice,
    CAST((i % 90000) / 1000.0 AS DECIMAL(38,10)) AS EffectiveCost,
    'Amazon Web Services, Inc.' AS InvoiceIssuerName,
    CAST((i % 110000) / 1000.0 AS DECIMAL(38,10)) AS ListCost,
    CAST(0.0464 AS DECIMAL(38,10)) AS ListUnitPrice,
    'Standard' AS PricingCategory,
    CAST((i % 1000) / 10.0 AS DECIMAL(38,10)) AS PricingQuantity,
    'Hours' AS PricingUnit,
    'AWS' AS ProviderName,
    'Amazon Web Services, Inc.' AS PublisherName,
    'us-east-' || (1 + i % 2) AS RegionId,
    'US East' AS RegionName,
    'arn:aws:ec2:us-east-1:' || (100000000000 + i % 50) || ':instance/i-' || lpad(CAST(i % 2000000 AS VARCHAR), 17, '0')
        AS ResourceId,
    'web-' || (i % 2000000) AS ResourceName,
    'Virtual Machine' AS ResourceType,
    'Compute' AS ServiceCategory,
    'Amazon Elastic Compute Cloud' AS ServiceName,
    'SKU' || (i % 300) AS SkuId,
    'SKU' || (i % 300) || '.PRICE' AS SkuPriceId,
    CAST(100000000000 + i % 50 AS VARCHAR) AS SubAccountId,
    'account-' || (i % 50) AS SubAccountName,
    CASE WHEN i % 10 = 0 THEN NULL
         WHEN i % 10 = 1 THEN '{"env": "prod", " org": "x"}'
         ELSE '{"cost-center": "cc-' || (1000 + i % 40) || '", "environment": "'
              || CASE WHEN i % 4 = 0 THEN 'prod' ELSE 'dev' END || '", "application": "app-' || (i % 300) || '"}'
    END AS Tags
FROM range({rows}) AS t(i)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--pandas-rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "tagwarden-bench-cost")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--no-csv", action="store_true")
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), args)
        return

    print(f"load average before: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    files = _generate(args.dir, args.rows)
    small = _generate(args.dir, args.pandas_rows) if not args.no_pandas else None
    step = "allocate()" if _has_allocate() else f"DuckDB group-by of EffectiveCost by tag {ALLOCATION_TAG!r}"
    print(f"allocation step: {step}")
    runs = [("parquet", files["parquet"], 10.0)]
    if not args.no_csv:
        runs.append(("csv", files["csv"], 60.0))
    for kind, path, target in runs:
        figures = _run_child(kind, path, args)
        _report(f"{args.rows:,} rows from {kind.upper()}", figures, target)
    if small is not None:
        ours = _run_child("parquet", small["parquet"], args)
        theirs = _run_child("pandas", small["parquet"], args)
        _report(f"{args.pandas_rows:,} rows from PARQUET (tagwarden)", ours, None)
        _report(f"{args.pandas_rows:,} rows from PARQUET (pandas)", theirs, None)
        ratio = theirs["total_s"] / ours["total_s"]
        memory = theirs["peak_rss_mb"] / ours["peak_rss_mb"]
        print(f"ratio pandas / tagwarden: {ratio:.1f}x the time, {memory:.1f}x the peak memory")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def _generate(folder: Path, rows: int) -> dict[str, Path]:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    files = {"parquet": folder / f"focus-{rows}.parquet", "csv": folder / f"focus-{rows}.csv"}
    if all(path.exists() for path in files.values()):
        print(f"reusing {files['parquet']} and {files['csv']}")
        return files
    started = time.perf_counter()
    conn = duckdb.connect()
    conn.execute("SET preserve_insertion_order = false")
    query = _GENERATE.replace("{rows}", str(rows))
    partial = {kind: path.with_name(path.name + ".partial") for kind, path in files.items()}
    conn.execute(f"COPY ({query}) TO '{partial['parquet']}' (FORMAT parquet, COMPRESSION zstd)")
    conn.execute(
        f"COPY (SELECT * FROM read_parquet('{partial['parquet']}')) TO '{partial['csv']}' "
        "(HEADER, DELIMITER ',', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%SZ')"
    )
    for kind, path in files.items():
        partial[kind].replace(path)
    sizes = ", ".join(f"{kind} {path.stat().st_size / 1e6:,.0f} MB" for kind, path in files.items())
    print(f"generated {rows:,} rows in {time.perf_counter() - started:.0f} s ({sizes})")
    return files


def _run_child(kind: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, str(path), "--threads", str(args.threads)]
    command += ["--memory-limit", args.memory_limit]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _child(kind: str, path: Path, args: argparse.Namespace) -> None:
    os.environ["TAGWARDEN_DUCKDB_MEMORY"] = args.memory_limit
    figures = _pandas(path) if kind == "pandas" else _tagwarden(path, args.threads)
    figures["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(figures))


def _tagwarden(path: Path, threads: int) -> dict[str, Any]:
    from tagwarden.engine.cost.import_log import CostImportLog
    from tagwarden.engine.cost.importer import import_billing
    from tagwarden.engine.cost.storage import open_billing
    from tagwarden.engine.store import Store
    from tagwarden.engine.store.connection import create_store_engine

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/tagwarden.db"
        Store.open(url).close()
        billing = Path(folder) / "tagwarden.billing.duckdb"
        conn = open_billing(billing)
        conn.execute(f"SET threads = {threads}")
        started = time.perf_counter()
        summary = import_billing(path, conn, CostImportLog(create_store_engine(url)), billing_db=str(billing))
        imported = time.perf_counter()
        groups = _allocate(conn, summary.periods[0], Path(folder))
        finished = time.perf_counter()
        conn.close()
    return {
        "rows": summary.rows,
        "rejected": summary.rejected,
        "import_s": imported - started,
        "allocate_s": finished - imported,
        "total_s": finished - started,
        "groups": groups,
    }


def _allocate(conn: Any, period: str, folder: Path) -> int:
    """Owners found: through ``allocate()`` when it exists, else a DuckDB group-by."""
    if _has_allocate():
        from tagwarden.engine.cost.allocation import allocate
        from tagwarden.engine.policy.loader import load_policy

        policy_file = folder / "policy.yaml"
        policy_file.write_text(POLICY, encoding="utf-8")
        allocations = allocate(conn, load_policy(policy_file), period)
        return sum(len(allocation.owners) for allocation in allocations)
    rows = conn.execute(
        f"""
        SELECT BillingCurrency, Tags['{ALLOCATION_TAG}'] AS owner, sum(EffectiveCost)
        FROM billing WHERE period = ? GROUP BY ALL
        """,
        [period],
    ).fetchall()
    return len(rows)


def _pandas(path: Path) -> dict[str, Any]:
    """The plain pandas way: read the file, parse each row's tags, sum by currency and owner, then share
    Purchase and Tax rows out in proportion to each owner's direct spend (the policy of ``POLICY``)."""
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_parquet(path)
    frame["period"] = frame["BillingPeriodStart"].dt.strftime("%Y-%m")
    imported = time.perf_counter()
    tags = frame["Tags"].map(lambda text: json.loads(text) if isinstance(text, str) else {})
    frame["owner"] = tags.map(lambda found: found.get(ALLOCATION_TAG))
    period = frame["period"].iloc[0]
    rows = frame[frame["period"] == period]
    owner_valid = rows["owner"].str.fullmatch(r"cc-[0-9]{4}").fillna(False).astype(bool)
    shared = rows["ChargeCategory"].isin(["Purchase", "Tax"])
    direct = rows[owner_valid & ~shared].groupby(["BillingCurrency", "owner"])["EffectiveCost"].sum()
    pools = rows[shared].groupby("BillingCurrency")["EffectiveCost"].sum()
    totals = direct.groupby(level=0).transform("sum")
    shares = direct / totals * pools.reindex(direct.index.get_level_values(0)).to_numpy()
    groups = len(direct + shares)
    finished = time.perf_counter()
    return {
        "rows": len(frame),
        "rejected": 0,
        "import_s": imported - started,
        "allocate_s": finished - imported,
        "total_s": finished - started,
        "groups": groups,
    }


def _has_allocate() -> bool:
    return importlib.util.find_spec("tagwarden.engine.cost.allocation") is not None


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(label: str, figures: dict[str, Any], target: float | None) -> None:
    verdict = (
        "" if target is None else f"  target <= {target:.0f} s: {'met' if figures['total_s'] <= target else 'MISSED'}"
    )
    memory = "met" if figures["peak_rss_mb"] < 2048 else "MISSED"
    print(
        f"{label}: import {figures['import_s']:.1f} s + allocation {figures['allocate_s']:.2f} s = "
        f"{figures['total_s']:.1f} s, {figures['rows']:,} rows ({figures['rejected']} rejected), "
        f"{figures['groups']} groups, peak RSS {figures['peak_rss_mb']:,.0f} MB (< 2 GB: {memory}){verdict}"
    )


if __name__ == "__main__":
    main()
