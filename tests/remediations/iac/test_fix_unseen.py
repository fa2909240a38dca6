"""Regressions found by running `fix` on IaC it had not seen (CRLF files, CloudFormation conditions)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from fix_helpers import FIX, fix, write_fixed

POLICY = FIX / "policy-literal" / "policy.yaml"


@pytest.fixture
def deadline() -> Iterator[None]:
    """A fix that loops forever fails the test instead of hanging the suite."""

    def expire(_signum: int, _frame: object) -> None:
        raise TimeoutError("fix did not finish within 20 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_crlf_terraform_gets_new_tags_argument_with_crlf_and_finishes(tmp_path: Path, deadline: None) -> None:
    source = (
        'resource "aws_instance" "tagged" {\r\n  ami = "ami-1"\r\n  tags = {\r\n    Name = "t"\r\n  }\r\n}\r\n'
        'resource "aws_instance" "untagged" {\r\n  ami = "ami-1"\r\n}\r\n'
    )
    (tmp_path / "main.tf").write_bytes(source.encode())
    result = fix(tmp_path, POLICY)
    fixed = result.fixed["main.tf"]
    assert not result.left
    assert '\r\n  tags = {\r\n    CostCenter  = "cc-1000"\r\n' in fixed
    assert fixed.count("\n") == fixed.count("\r\n")  # no bare \n slipped in
    write_fixed(result)
    assert fix(tmp_path, POLICY).fixed == {}


CONDITIONAL_TAGS = """\
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  ShortIf:
    Type: AWS::S3::Bucket
    Properties:
      Tags: !If
        - IsProd
        - - Key: Environment
            Value: prod
        - - Key: Environment
            Value: dev
  LongIf:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        Fn::If:
          - IsProd
          - [{Key: Environment, Value: prod}]
          - [{Key: Environment, Value: dev}]
  IfItem:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: Name
          Value: x
        - !If [IsProd, {Key: Environment, Value: prod}, !Ref AWS::NoValue]
"""


def test_cloudformation_conditional_tags_are_never_edited_inside(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(CONDITIONAL_TAGS)
    result = fix(tmp_path, POLICY)
    fixed = result.fixed["template.yaml"]
    short_if, rest = fixed.split("  LongIf:\n")
    long_if, if_item = rest.split("  IfItem:\n")
    assert short_if == CONDITIONAL_TAGS.split("  LongIf:\n")[0]  # an edit inside !If would break its arguments
    assert long_if == CONDITIONAL_TAGS.split("  LongIf:\n")[1].split("  IfItem:\n")[0]
    assert "- Key: CostCenter" in if_item and "- Key: Team" in if_item
    assert "Key: Environment\n" not in if_item  # the !If item may set it: a second one would be a duplicate
    left = {(finding.address, finding.rule) for finding in result.left}
    assert {("ShortIf", "team"), ("LongIf", "cost-center"), ("IfItem", "environment")} <= left
    write_fixed(result)
    assert fix(tmp_path, POLICY).fixed == {}


SHARED_AND_COMMENTED = """\
Resources:
  A:
    Type: AWS::S3::Bucket
    Properties:
      Tags: &common
        - Key: Name
          Value: shared
  B:
    Type: AWS::SNS::Topic
    Properties:
      Tags: *common
  C:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: Name
          Value: c   # why c
"""


def test_yaml_anchor_is_left_and_a_trailing_comment_stays_on_its_line(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(SHARED_AND_COMMENTED)
    result = fix(tmp_path, POLICY)
    fixed = result.fixed["template.yaml"]
    shared, queue = fixed.split("  C:\n")
    assert shared == SHARED_AND_COMMENTED.split("  C:\n")[0]  # one edit per user of the anchor duplicated keys
    assert queue.startswith(SHARED_AND_COMMENTED.split("  C:\n")[1])  # the comment is not pushed below new lines
    assert "        - Key: Team\n          Value: platform\n" in queue
    assert {finding.address for finding in result.left} == {"A", "B"}
    write_fixed(result)
    assert fix(tmp_path, POLICY).fixed == {}


def test_json_template_with_byte_order_mark_is_fixed(tmp_path: Path) -> None:
    template = '\ufeff{\n  "Resources": {\n    "B": {\n      "Type": "AWS::S3::Bucket",\n      "Properties": {\n'
    template += '        "Tags": [{"Key": "Name", "Value": "b"}]\n      }\n    }\n  }\n}\n'
    (tmp_path / "template.json").write_text(template, encoding="utf-8")
    result = fix(tmp_path, POLICY)
    assert not result.left
    fixed = result.fixed["template.json"]
    assert fixed.startswith("\ufeff{") and '{"Key": "Team", "Value": "platform"}' in fixed


def test_json_conditional_item_key_is_not_added_beside_it(tmp_path: Path) -> None:
    template = """{
  "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}},
  "Resources": {
    "B": {
      "Type": "AWS::S3::Bucket",
      "Properties": {
        "Tags": [
          {"Key": "Name", "Value": "b"},
          {"Fn::If": ["IsProd", {"Key": "Environment", "Value": "prod"}, {"Ref": "AWS::NoValue"}]}
        ]
      }
    }
  }
}
"""
    (tmp_path / "template.json").write_text(template)
    result = fix(tmp_path, POLICY)
    fixed = result.fixed["template.json"]
    assert '{"Key": "Team", "Value": "platform"}' in fixed
    assert '{"Key": "Environment", "Value": "dev"}' not in fixed
    assert [(finding.address, finding.rule) for finding in result.left] == [("B", "environment")]


def test_a_heredoc_value_left_for_a_person_stays_on_one_line_of_the_list(tmp_path: Path) -> None:
    source = 'resource "aws_s3_bucket" "h" {\n  bucket = "h"\n  tags = {\n    Environment = <<EOT\nDev\nEOT\n  }\n}\n'
    (tmp_path / "main.tf").write_text(source)
    result = fix(tmp_path, POLICY)
    [left] = result.left
    assert left.rule == "environment" and "\n" not in str(left) and "'Dev\\n'" in str(left)
    assert '    CostCenter = "cc-1000"\n' in result.fixed["main.tf"]
