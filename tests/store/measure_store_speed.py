"""How fast a scan is written: 100,000 resources and 500,000 results, on SQLite and PostgreSQL.

Not a test (pytest does not collect it). Run: python tests/store/measure_store_speed.py
[--resources N] [--pg URL]; PostgreSQL gets a database of its own for the run, dropped after.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tagwarden.engine.resources import Resource, TagSet
from tagwarden.engine.results import PolicyRef, Result, Status, Summary
from tagwarden.engine.store import Store

RESULTS_PER_RESOURCE = 5
BATCH = 1_000
RULES = ("owner", "cost-center", "environment", "data-class", "name")


def estate_batch(first: int, size: int) -> tuple[list[Resource], list[Result]]:
    resources = [
        Resource(
            provider="aws",
            type="ec2:instance",
            address=f"arn:aws:ec2:eu-west-1:111122223333:instance/i-{n:012x}",
            id=f"arn:aws:ec2:eu-west-1:111122223333:instance/i-{n:012x}",
            name=f"web-{n}",
            account="111122223333",
            region="eu-west-1",
            tags=TagSet(
                known={
                    "Owner": f"team-{n % 40}@example.org",
                    "CostCenter": f"cc-{1000 + n % 97}",
                    "Environment": ("prod", "staging", "dev")[n % 3],
                    "Name": f"web-{n}",
                }
            ),
            context={"created_at": "2026-09-30T12:00:00Z", "managed_by": "terraform" if n % 2 else None},
        )
        for n in range(first, first + size)
    ]
    results = [
        Result(
            rule=rule,
            severity="high",
            status=Status.FAIL if (index + number) % 4 == 0 else Status.PASS,
            resource=resource,
            reason="missing" if (index + number) % 4 == 0 else None,
            key=rule,
            message=f"{rule} on {resource.name}",
        )
        for index, resource in enumerate(resources)
        for number, rule in enumerate(RULES[:RESULTS_PER_RESOURCE])
    ]
    return resources, results


def measure(url: str, resources: int) -> None:
    with Store.open(url) as store:
        scan_id = store.begin_scan("aws", PolicyRef("bench", "sha256:bench"), {})
        started = time.perf_counter()
        building = 0.0
        for first in range(0, resources, BATCH):
            before = time.perf_counter()
            batch = estate_batch(first, min(BATCH, resources - first))
            building += time.perf_counter() - before
            store.add_batch(scan_id, *batch)
        store.finish_scan(scan_id, Summary(resources, resources, 0, 0, 0, 0, 0, 0.0), {})
        elapsed = time.perf_counter() - started - building
        rows = resources * (1 + RESULTS_PER_RESOURCE)
        started = time.perf_counter()
        streamed = sum(1 for _ in store.resources_of(scan_id)) + sum(1 for _ in store.results_of(scan_id))
        reading = time.perf_counter() - started
    name = make_url(url).get_backend_name()
    print(
        f"{name:10} write {resources:,} resources + {resources * RESULTS_PER_RESOURCE:,} results in {elapsed:.1f} s"
        f" = {rows / elapsed:,.0f} rows/s ({resources / elapsed:,.0f} resources/s);"
        f" read back {streamed:,} rows in {reading:.1f} s = {streamed / reading:,.0f} rows/s"
    )


@contextmanager
def scratch_postgresql(server_url: str) -> Iterator[str]:
    name = f"tagwarden_bench_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument(
        "--pg", default=os.environ.get("TAGWARDEN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1/test")
    )
    parser.add_argument("--no-pg", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'bench.db'}", options.resources)
    if not options.no_pg:
        with scratch_postgresql(options.pg) as url:
            measure(url, options.resources)


if __name__ == "__main__":
    main()
