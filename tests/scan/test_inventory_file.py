"""Inventory JSON Lines: round trip, streaming, and bad lines named by number."""

from __future__ import annotations

import json

from tagwarden.engine.collectors.inventory_file import read_inventory, record_of, write_inventory
from tagwarden.engine.resources import Resource, SourceProblem, Taggability, TagSet
from tagwarden.engine.taggability.registry import default_registry

REGISTRY = default_registry()


def test_round_trip_keeps_every_field(tmp_path) -> None:
    resource = Resource(provider="aws", type="ec2:instance", address="arn:aws:ec2:eu-west-1:1:instance/i-1",
                        id="arn:aws:ec2:eu-west-1:1:instance/i-1", name="web", account="1", region="eu-west-1",
                        tags=TagSet({"Owner": "a@example.org", "Formula": "=HYPERLINK(1)"}),
                        context={"created_by": "arn:aws:iam::1:user/alice", "account_tags": {"CostCenter": "cc"}})
    path = tmp_path / "inv.jsonl"
    assert write_inventory([resource], path) == 1
    (read,) = list(read_inventory(path, REGISTRY))
    assert isinstance(read, Resource)
    assert (read.provider, read.type, read.id, read.name, read.account, read.region) == (
        "aws", "ec2:instance", resource.id, "web", "1", "eu-west-1")
    assert dict(read.tags.known) == dict(resource.tags.known)
    assert read.context["created_by"] == "arn:aws:iam::1:user/alice"
    assert read.context["account_tags"] == {"CostCenter": "cc"}
    assert read.taggability is Taggability.TAGGABLE


def test_bad_lines_are_problems_with_their_number_and_the_rest_is_read(tmp_path) -> None:
    good = json.dumps(record_of(Resource(provider="gcp", type="storage.googleapis.com/Bucket", address="b", id="b",
                                         tags=TagSet({"owner": "x"}))))
    lines = [good, "{not json", "", '{"provider": "aws", "type": "s3:bucket"}', "[1, 2]",
             '{"provider": "aws", "id": "x", "type": "s3:bucket", "tags": {"a": 1}}', good]
    path = tmp_path / "inv.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = list(read_inventory(path, REGISTRY))
    problems = [(item.line, item.message) for item in items if isinstance(item, SourceProblem)]
    assert [line for line, _message in problems] == [2, 4, 5, 6]
    assert "not valid JSON" in problems[0][1]
    assert "missing required field(s): id, tags" in problems[1][1]
    assert "tag values must be strings" in problems[3][1]
    assert sum(isinstance(item, Resource) for item in items) == 2
