"""The hash chain: append, verify, and each kind of tampering named at the first record it breaks."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading

from sqlalchemy import text

from tagwarden.engine.audit.trail import GENESIS_HASH, events, record_event, verify
from tagwarden.engine.store import Store
from tagwarden.engine.store.connection import create_store_engine


def _sql(store_url: str, statement: str, **params: object) -> None:
    engine = create_store_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


def _independent_hash(seq: int, kind: str, actor: str, at: str, payload: dict, prev: str) -> str:
    body = {"seq": seq, "kind": kind, "actor": actor, "at": at, "payload": payload, "prev": prev}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _fill(store: Store, count: int = 5) -> None:
    for n in range(count):
        record_event(store, "test.event", f"user-{n}", {"n": n, "note": "<b>ünïcode</b>", "money": 1.25})


def test_records_chain_by_hash_and_verify_passes(store: Store) -> None:
    assert verify(store).ok and verify(store).records == 0
    _fill(store)
    records = events(store)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(records):
        assert after.prev_hash == before.hash
    for record in records:
        assert record.hash == _independent_hash(
            record.seq, record.kind, record.actor, record.at, dict(record.payload), record.prev_hash
        )
    result = verify(store)
    assert (result.ok, result.records, result.head_seq, result.head_hash) == (True, 5, 5, records[-1].hash)
    assert events(store, "test") == records and events(store, "other") == []


def test_an_altered_record_is_named(store: Store, store_url: str) -> None:
    _fill(store)
    _sql(store_url, "UPDATE audit_record SET payload = :p WHERE seq = 3", p='{"money":1.25,"n":99,"note":"x"}')
    result = verify(store)
    assert not result.ok and result.broken_seq == 3
    assert "does not match its hash" in (result.reason or "")
    assert "record 3" in result.message


def test_an_altered_actor_is_named(store: Store, store_url: str) -> None:
    _fill(store)
    _sql(store_url, "UPDATE audit_record SET actor = 'mallory' WHERE seq = 2")
    assert verify(store).broken_seq == 2


def test_a_deleted_record_is_named(store: Store, store_url: str) -> None:
    _fill(store)
    _sql(store_url, "DELETE FROM audit_record WHERE seq = 2")
    result = verify(store)
    assert not result.ok and result.broken_seq == 3
    assert "record 2 missing" in (result.reason or "")


def test_records_cut_off_the_end_are_noticed(store: Store, store_url: str) -> None:
    _fill(store)
    _sql(store_url, "DELETE FROM audit_record WHERE seq >= 4")
    result = verify(store)
    assert not result.ok and "removed from the end" in (result.reason or "")


def test_an_inserted_record_is_named(store: Store, store_url: str) -> None:
    _fill(store)
    (second,) = [r for r in events(store) if r.seq == 2]
    # make room after record 2 and put a well-formed record there, chained to record 2
    for seq in (5, 4, 3):
        _sql(store_url, "UPDATE audit_record SET seq = :new WHERE seq = :old", new=seq + 1, old=seq)
    at, payload = "2026-01-01T00:00:00.000000Z", {"forged": True}
    forged = _independent_hash(3, "test.event", "mallory", at, payload, second.hash)
    _sql(
        store_url,
        "INSERT INTO audit_record (seq, kind, actor, at, payload, prev_hash, hash) "
        "VALUES (3, 'test.event', 'mallory', :at, :payload, :prev, :hash)",
        at=at,
        payload=json.dumps(payload),
        prev=second.hash,
        hash=forged,
    )
    result = verify(store)
    assert not result.ok and result.broken_seq == 4
    assert "inserted or replaced" in (result.reason or "")


def test_a_record_appended_behind_the_trails_back_is_noticed(store: Store, store_url: str) -> None:
    _fill(store, 2)
    last = events(store)[-1]
    at, payload = "2026-01-01T00:00:00.000000Z", {"forged": True}
    _sql(
        store_url,
        "INSERT INTO audit_record (seq, kind, actor, at, payload, prev_hash, hash) "
        "VALUES (3, 'test.event', 'mallory', :at, :payload, :prev, :hash)",
        at=at,
        payload=json.dumps(payload),
        prev=last.hash,
        hash=_independent_hash(3, "test.event", "mallory", at, payload, last.hash),
    )
    result = verify(store)
    assert not result.ok and "added at the end" in (result.reason or "")


def test_concurrent_appenders_with_their_own_engines_keep_one_chain(store_url: str) -> None:
    Store.open(store_url).close()
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            with Store.open(store_url) as own:
                for n in range(15):
                    record_event(own, "test.concurrent", f"worker-{worker}", {"n": n})
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store.open(store_url) as store:
        result = verify(store)
        assert result.ok and result.records == 60
        records = events(store)
    assert [r.seq for r in records] == list(range(1, 61))
    assert {r.actor for r in records} == {f"worker-{w}" for w in range(4)}


def test_a_rebuilt_chain_passes_alone_but_not_against_a_kept_anchor(store: Store, store_url: str) -> None:
    _fill(store, 3)
    kept = verify(store)
    anchor = (kept.head_seq, kept.head_hash)
    # someone who knows the algorithm alters record 2 and recomputes every hash after it, head included
    prev = events(store)[0].hash
    for record in events(store)[1:]:
        payload = dict(record.payload) | ({"n": 42} if record.seq == 2 else {})
        digest = _independent_hash(record.seq, record.kind, record.actor, record.at, payload, prev)
        _sql(
            store_url,
            "UPDATE audit_record SET payload = :p, prev_hash = :prev, hash = :h WHERE seq = :s",
            p=json.dumps(payload),
            prev=prev,
            h=digest,
            s=record.seq,
        )
        prev = digest
    _sql(store_url, "UPDATE audit_head SET hash = :h", h=prev)
    assert verify(store).ok  # internally consistent again: this is what the anchor is for
    result = verify(store, anchor)
    assert not result.ok and result.broken_seq == 3 and "chain was rebuilt" in (result.reason or "")
