"""What goes into a scan comes back out: resources, results (with Unknown values), scan records."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_samples import POLICY, resource, result, summary

from tagwarden.engine.resources import Resource, Taggability, TagSet, Unknown
from tagwarden.engine.results import PolicyRef, Status
from tagwarden.engine.store import ScanStatus, Store, StoreError, bulk, default_url
from tagwarden.engine.store.codec import RESOURCE_COLUMNS, resource_values
from tagwarden.engine.store.connection import create_store_engine, writing
from tagwarden.engine.store.tables import RESOURCE


def test_resources_and_results_come_back_as_they_were_stored(store_url: str) -> None:
    planned = Resource(
        provider="aws",
        type="aws_instance",
        address="module.web.aws_instance.this",
        instance='"blue"',
        tags=TagSet(
            known={"Owner": "web@example.org", "Env": Unknown(("var.env", "local.stage"))}, open_deps=("var.tags",)
        ),
        file="modules/web/main.tf",
        line=12,
        context={"managed_by": "terraform", "parent": {"id": "vpc-1"}, "labels": ["a", "b"]},
    )
    live = resource(
        "arn:aws:s3:::logs",
        {"CostCenter": "cc-1000", "Nom": "données ✓"},
        type="s3:bucket",
        name="logs",
        account="111122223333",
        region="eu-west-1",
        taggability=Taggability.UNCLASSIFIED,
    )
    unknown_result = result(
        planned, rule="env", status=Status.UNKNOWN, reason="unknown", key="Env", depends_on=("var.env",), note="n"
    )
    failed = result(live, rule="owner", reason="missing", key="Owner", expected="an e-mail", value=None)
    passed = result(live, rule="cost-center", status=Status.PASS, key="CostCenter", value="cc-1000")

    with Store.open(store_url) as store:
        scan_id = store.begin_scan("inventory", POLICY, {"file": "inv.jsonl", "regions": ["eu-west-1"]})
        store.add_batch(scan_id, [planned, live], [unknown_result, failed, passed])
        store.finish_scan(scan_id, summary(2, 1), {"api_calls": {"ec2.Describe": 3}, "failures": []})

        stored = {item.resource.address: item for item in store.resources_of(scan_id)}
        assert stored[planned.address].resource == planned
        assert stored[planned.address].managed is True
        assert stored[live.address].resource == live
        assert stored[live.address].managed is None
        assert {item.scan_id for item in stored.values()} == {scan_id}

        results = list(store.results_of(scan_id))
        assert [(r.address, r.rule, r.status) for r in results] == [
            ("arn:aws:s3:::logs", "cost-center", Status.PASS),
            ("arn:aws:s3:::logs", "owner", Status.FAIL),
            ("module.web.aws_instance.this", "env", Status.UNKNOWN),
        ]
        env = results[2]
        assert (env.instance, env.key, env.reason, env.depends_on, env.note) == (
            '"blue"',
            "Env",
            "unknown",
            ("var.env",),
            "n",
        )
        owner = results[1]
        assert (owner.instance, owner.expected, owner.value, owner.message) == (None, "an e-mail", None, failed.message)
        assert [r.rule for r in store.results_of(scan_id, {"fail", "unknown"})] == ["owner", "env"]


def test_instances_of_one_address_are_separate_resources(store_url: str) -> None:
    items = [resource("aws_instance.web", {"N": str(n)}, instance=str(n)) for n in range(3)]
    items.append(resource("aws_instance.web", {"N": "none"}))
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("terraform", POLICY, {})
        store.add_batch(scan_id, items, [])
        assert [(r.resource.instance, r.resource.tags.known["N"]) for r in store.resources_of(scan_id)] == [
            (None, "none"),
            ("0", "0"),
            ("1", "1"),
            ("2", "2"),
        ]


def test_resources_and_results_come_in_byte_order_on_every_database(store_url: str) -> None:
    addresses = ["a_b", "B", "a-b", "a.b", "aB", "é", "Z"]
    items = [resource(address) for address in addresses]
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("aws", POLICY, {})
        store.add_batch(scan_id, items, [result(item) for item in items])
        assert [r.resource.address for r in store.resources_of(scan_id)] == sorted(addresses)
        assert [r.address for r in store.results_of(scan_id)] == sorted(addresses)


def test_scan_records_carry_policy_parameters_summary_and_process(store_url: str) -> None:
    with Store.open(store_url) as store:
        first = store.begin_scan("aws", POLICY, {"regions": ["eu-west-1"]})
        store.finish_scan(first, summary(10, 2), {"throttles": 1})
        second = store.begin_scan("aws", PolicyRef("acme-v2", "sha256:" + "cd" * 32), {})

        latest, earlier = store.scans()
        assert (latest.id, earlier.id) == (second, first)
        assert latest.status is ScanStatus.RUNNING and latest.finished_at is None
        assert earlier.status is ScanStatus.COMPLETE
        assert earlier.policy == POLICY and earlier.parameters == {"regions": ["eu-west-1"]}
        assert earlier.summary == summary(10, 2) and earlier.stats == {"throttles": 1}
        assert earlier.finished_at is not None and earlier.started_at <= earlier.finished_at
        assert earlier.started_at.tzinfo is not None
        assert latest.pid > 0 and latest.host
        assert store.latest_complete_scan("aws") == earlier
        assert store.latest_complete_scan("azure") is None
        assert store.scans(limit=1) == [latest]


def test_a_failed_scan_is_incomplete_and_takes_no_more_batches(store_url: str) -> None:
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("aws", POLICY, {})
        store.fail_scan(scan_id, "no credentials for account 1111")
        (info,) = store.scans()
        assert (info.status, info.failure) == (ScanStatus.INCOMPLETE, "no credentials for account 1111")
        with pytest.raises(StoreError, match=f"scan {scan_id} is no longer running: it is incomplete"):
            store.add_batch(scan_id, [resource("a")], [])
        with pytest.raises(StoreError, match="no longer running"):
            store.finish_scan(scan_id, summary(), {})
        assert store.latest_complete_scan() is None
        with pytest.raises(StoreError, match="there is no scan 999"):
            store.add_batch(999, [resource("a")], [])


def test_a_batch_that_fails_leaves_nothing_of_itself(store_url: str) -> None:
    good = resource("kept")
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("aws", POLICY, {})
        store.add_batch(scan_id, [good], [result(good)])
        doomed = resource("doomed")
        with pytest.raises(StoreError, match="cannot write to store"):  # the results fail after the resources went in
            store.add_batch(scan_id, [doomed], [result(doomed, key=object())])
        with pytest.raises(StoreError, match="cannot store a object as JSON"):  # refused before anything is written
            store.add_batch(scan_id, [doomed], [result(doomed, depends_on=(object(),))])
        with pytest.raises(StoreError, match="kept"):  # already in an earlier batch: the unique key says no
            store.add_batch(scan_id, [resource("new"), resource("kept")], [])
        with pytest.raises(StoreError, match="holds twin more than once"):
            store.add_batch(scan_id, [resource("twin"), resource("twin")], [])
        assert [r.resource.address for r in store.resources_of(scan_id)] == ["kept"]
        assert [r.address for r in store.results_of(scan_id)] == ["kept"]
        store.finish_scan(scan_id, summary(1, 1), {})


def test_default_url_is_a_sqlite_file_unless_tagwarden_db_says_otherwise(tmp_path: Path) -> None:
    assert default_url({}, tmp_path) == f"sqlite:///{tmp_path}/.tagwarden/tagwarden.db"
    assert default_url({"TAGWARDEN_DB": " "}, tmp_path) == f"sqlite:///{tmp_path}/.tagwarden/tagwarden.db"
    assert default_url({"TAGWARDEN_DB": "postgresql+psycopg://db/tw"}, tmp_path) == "postgresql+psycopg://db/tw"
    with Store.open(default_url({}, tmp_path)) as store:  # the .tagwarden folder is made
        assert store.scans() == []
    assert (tmp_path / ".tagwarden" / "tagwarden.db").is_file()


def test_the_portable_executemany_path_writes_what_copy_writes(store_url: str) -> None:
    """PostgreSQL drivers other than psycopg 3 take executemany; exercise it on both databases."""
    items = [resource("a", {"Env": Unknown(("var.env",))}, instance="0"), resource("b", {"Owner": "x"})]
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("aws", POLICY, {})
        engine = create_store_engine(store_url)
        with writing(engine) as conn:
            columns = ("scan_id", *RESOURCE_COLUMNS)
            bulk._executemany(conn, RESOURCE, columns, [(scan_id, *resource_values(item)) for item in items])
        engine.dispose()
        assert [stored.resource for stored in store.resources_of(scan_id)] == items


def test_an_empty_batch_keeps_a_scan_alive(store_url: str) -> None:
    with Store.open(store_url) as store:
        scan_id = store.begin_scan("aws", POLICY, {})
        (before,) = store.scans()
        store.add_batch(scan_id, [], [])
        (after,) = store.scans()
        assert after.heartbeat_at > before.heartbeat_at  # type: ignore[operator]
