"""An older store is upgraded in place, its data kept; a fresh store equals the declared tables."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, MetaData, Table, insert, inspect
from store_samples import POLICY, batch, summary

from tagwarden.engine.results import Status
from tagwarden.engine.store import ScanStatus, Store, StoreError
from tagwarden.engine.store.connection import create_store_engine
from tagwarden.engine.store.migrations import CURRENT_VERSION, migrate, schema_version
from tagwarden.engine.store.tables import SCAN, SCHEMA_VERSION


def _write_v1_rows(engine: Engine) -> None:
    """Rows as tagwarden wrote them at schema version 1 (no scan.heartbeat_at yet)."""
    started = datetime.now(UTC) - timedelta(hours=2)
    with engine.begin() as conn:
        v1 = MetaData()
        policy_version, scan, resource, result = (
            Table(name, v1, autoload_with=conn) for name in ("policy_version", "scan", "resource", "result")
        )
        assert "heartbeat_at" not in scan.c
        conn.execute(insert(policy_version).values(digest=POLICY.digest, name=POLICY.name, first_seen=started))
        common = {"source": "aws", "host": "elsewhere", "pid": 1, "policy_name": POLICY.name}
        common |= {"policy_digest": POLICY.digest, "started_at": started}
        inserted = conn.execute(
            insert(scan).values(
                status="complete",
                finished_at=started + timedelta(minutes=5),
                parameters={"regions": ["eu-west-1"]},
                summary=asdict(summary(1, 1)),
                stats={"api_calls": {"ec2.DescribeInstances": 2}},
                **common,
            )
        )
        conn.execute(insert(scan).values(status="running", parameters={}, **common))
        scan_id = inserted.inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            insert(resource).values(
                scan_id=scan_id,
                provider="aws",
                type="ec2:instance",
                address="arn:old",
                instance="",
                resource_id="arn:old",
                taggability="taggable",
                tags={"Owner": "x", "Env": {"unknown": ["var.env"]}},
                open_deps=[],
                context={"managed_by": "terraform"},
                managed=True,
            )
        )
        conn.execute(
            insert(result).values(
                scan_id=scan_id,
                address="arn:old",
                instance="",
                rule="cost-center",
                severity="high",
                status="fail",
                key="CostCenter",
                message="CostCenter is missing",
                depends_on=[],
            )
        )


def test_a_version_1_store_is_upgraded_in_place(store_url: str) -> None:
    engine = create_store_engine(store_url)
    migrate(engine, target=1)
    assert schema_version(engine) == 1
    _write_v1_rows(engine)
    engine.dispose()

    with Store.open(store_url) as store:
        old, abandoned = sorted(store.scans(), key=lambda scan: scan.id)
        assert (old.status, old.heartbeat_at, old.parameters) == (ScanStatus.COMPLETE, None, {"regions": ["eu-west-1"]})
        assert old.summary == summary(1, 1)
        # a v1 scan has no heartbeat: its start time stands in, two hours ago
        assert abandoned.status is ScanStatus.INCOMPLETE and "no write since" in (abandoned.failure or "")
        (kept,) = store.resources_of(old.id)
        assert kept.resource.tags.known["Owner"] == "x" and kept.managed is True
        (failure,) = store.results_of(old.id)
        assert (failure.rule, failure.status, failure.key, failure.instance) == (
            "cost-center",
            Status.FAIL,
            "CostCenter",
            None,
        )

        scan_id = store.begin_scan("aws", POLICY, {})
        store.add_batch(scan_id, *batch("new", 2))
        store.finish_scan(scan_id, summary(2, 2), {})
        assert store.latest_complete_scan("aws").heartbeat_at is not None  # type: ignore[union-attr]
        assert [r.resource.address for r in store.changes(old.id, scan_id).disappeared] == ["arn:old"]

    engine = create_store_engine(store_url)
    assert schema_version(engine) == CURRENT_VERSION
    engine.dispose()


def test_the_migrated_schema_is_the_declared_one(store_url: str) -> None:
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    inspector = inspect(engine)
    for table in (SCAN, *(SCAN.metadata.tables[name] for name in ("policy_version", "resource", "result"))):
        found = {column["name"]: column["nullable"] for column in inspector.get_columns(table.name)}
        assert found == {column.name: column.nullable for column in table.columns}, table.name
        declared_indexes = {index.name for index in table.indexes}
        assert declared_indexes <= {index["name"] for index in inspector.get_indexes(table.name)}, table.name
    unique = inspector.get_unique_constraints("resource")
    assert [(u["name"], u["column_names"]) for u in unique] == [
        ("uq_resource_scan_address_instance", ["scan_id", "address", "instance"])
    ]
    engine.dispose()


def test_opening_twice_migrates_once(store_url: str) -> None:
    Store.open(store_url).close()
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    with engine.connect() as conn:
        versions = conn.execute(SCHEMA_VERSION.select().order_by(SCHEMA_VERSION.c.version)).all()
    engine.dispose()
    assert [row.version for row in versions] == list(range(1, CURRENT_VERSION + 1))


def test_a_store_from_a_newer_tagwarden_is_refused(store_url: str) -> None:
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    with engine.begin() as conn:
        conn.execute(insert(SCHEMA_VERSION).values(version=CURRENT_VERSION + 1, applied_at=datetime.now(UTC)))
    engine.dispose()
    with pytest.raises(StoreError, match=r"schema is version \d+, newer than this tagwarden knows") as raised:
        Store.open(store_url)
    assert str(raised.value).startswith("cannot open store ")
