"""Grace period, owner notice, escalation and an approved stop: moto for AWS, a real SMTP server for mail."""

from __future__ import annotations

import email
import json
from email.policy import default as default_policy
from pathlib import Path

import pytest
from live_support import AS_OF, Estate, scan_into_store, tagwarden, write_policy

NOTIFY = """
  - id: data-class
    require: DataClassification
    scope: {{resource_types: ["ec2:instance"]}}
    remediation:
      grace_days: 7
      stop_after_grace: true
notify:
  channels:
    mail: {{type: smtp, host: 127.0.0.1, port: {port}, from: tagwarden@acme.example}}
  owner: {{channel: mail, to: "{{owner_map.owner}}"}}
  escalation:
    - {{channel: mail, to: lead@acme.example}}
    - {{channel: mail, to: cto@acme.example}}
"""

COMPLETE = {"CostCenter": "cc-1000", "Environment": "prod", "Owner": "web@acme.example"}


@pytest.fixture
def graced(tmp_path: Path, aws_env: dict[str, str], sqlite_url: str, mailbox):
    estate = Estate(aws_env)
    estate.instance("fresh", COMPLETE)  # no deadline yet: marked, owner told
    estate.instance("overdue", {**COMPLETE, "tagwarden:deadline": "2026-11-15"})  # 5 days late: level 1
    estate.instance("long-overdue", {**COMPLETE, "tagwarden:deadline": "2026-11-01"})  # 19 days: level 2 (the last)
    policy = write_policy(
        tmp_path / "policy", aws_env["TAGWARDEN_TEST_ACCOUNT"], extra=NOTIFY.format(port=mailbox.port)
    )
    scan_into_store(sqlite_url, policy, aws_env)
    plan = tmp_path / "plan.json"
    done = tagwarden(aws_env, "remediate", "plan", "--policy", str(policy), "--db", sqlite_url, "-o", str(plan),
                     "--as-of", AS_OF)  # fmt: skip
    assert done.exit_code == 0, done.output
    return estate, plan, {**aws_env, "TAGWARDEN_DB": sqlite_url}, mailbox


def state(estate: Estate, label: str) -> str:
    instance = estate.arns[label].rsplit("/", 1)[1]
    reservations = estate.client("ec2").describe_instances(InstanceIds=[instance])["Reservations"]
    return str(reservations[0]["Instances"][0]["State"]["Name"])


def test_grace_period_notices_and_escalation_reach_the_right_people(graced) -> None:
    estate, plan_path, env, mailbox = graced
    plan = json.loads(plan_path.read_text())
    items = {item["resource"]["id"]: item for item in plan["items"]}
    fresh = items[estate.arns["fresh"]]
    assert fresh["changes"][0]["action"] == "mark_deadline"
    assert fresh["changes"][0]["edits"] == [{"key": "tagwarden:deadline", "before": None, "after": "2026-11-27"}]
    assert [(n["level"], n["to"]) for n in fresh["notices"]] == [(0, "ops@acme.example")]
    assert [(n["level"], n["to"]) for n in items[estate.arns["overdue"]]["notices"]] == [(1, "lead@acme.example")]
    assert [(n["level"], n["to"]) for n in items[estate.arns["long-overdue"]]["notices"]] == [(2, "cto@acme.example")]
    assert items[estate.arns["overdue"]]["stop"]["deadline"] == "2026-11-15"

    done = tagwarden(env, "remediate", "apply", str(plan_path), "--approved-by", "alice@acme.example", "--yes",
                     "--format", "json")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert estate.tags("fresh")["tagwarden:deadline"] == "2026-11-27"
    recipients = sorted(r for message in mailbox.messages for r in message.recipients)
    assert recipients == ["cto@acme.example", "lead@acme.example", "ops@acme.example"]
    to_ops = next(m for m in mailbox.messages if m.recipients == ("ops@acme.example",))
    body = email.message_from_bytes(to_ops.data, policy=default_policy).get_body(("plain",)).get_content()
    assert estate.arns["fresh"] in body
    # alice is not an approver of the policy: no instance was stopped
    assert state(estate, "overdue") == "running" and "a stop needs approval" in done.stderr + done.output

    again = tagwarden(env, "remediate", "apply", str(plan_path), "--approved-by", "alice@acme.example", "--yes")
    assert again.exit_code == 0 and len(mailbox.messages) == 3  # notices are sent once per plan


def test_a_stop_happens_only_when_an_approver_approves(graced) -> None:
    estate, plan_path, env, _ = graced
    done = tagwarden(env, "remediate", "apply", str(plan_path), "--approved-by", "finops@acme.example", "--yes",
                     "--format", "json")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert state(estate, "overdue") in ("stopping", "stopped")
    assert state(estate, "long-overdue") in ("stopping", "stopped")
    assert state(estate, "fresh") == "running"  # still in its grace period


def test_a_refused_notice_fails_the_run_and_resume_sends_it(graced) -> None:
    _, plan_path, env, mailbox = graced
    mailbox.refuse = {"cto@acme.example"}
    done = tagwarden(env, "remediate", "apply", str(plan_path), "--approved-by", "alice@acme.example", "--yes",
                     "--format", "json")  # fmt: skip
    assert done.exit_code == 1
    result = json.loads(done.stdout)
    assert result["failed"] == 1 and "cto@acme.example" in done.stderr and "550" in done.stderr
    assert sorted(r for m in mailbox.messages for r in m.recipients) == ["lead@acme.example", "ops@acme.example"]

    mailbox.refuse = set()
    resumed = tagwarden(env, "remediate", "apply", "--resume", str(result["run"]), "--approved-by",
                        "alice@acme.example", "--yes", "--format", "json")  # fmt: skip
    assert resumed.exit_code == 0, resumed.output
    assert sorted(r for m in mailbox.messages for r in m.recipients) == [
        "cto@acme.example",
        "lead@acme.example",
        "ops@acme.example",
    ]


HOOKS = """
  - id: data-class
    require: DataClassification
    scope: {{resource_types: ["ec2:instance"]}}
    remediation:
      grace_days: 7
notify:
  channels:
    hook: {{type: webhook, url: "{hook}", secret_env: TAGWARDEN_TEST_HOOK_SECRET}}
    chat: {{type: slack, url: "{slack}"}}
  owner: {{channel: hook, to: "{{owner_map.owner}}"}}
  escalation:
    - {{channel: chat, to: "#finops"}}
"""


def test_owner_notices_go_to_a_signed_webhook_and_escalations_to_slack_through_apply(
    tmp_path: Path, aws_env: dict[str, str], sqlite_url: str, webhook, slack
) -> None:
    import hashlib
    import hmac

    estate = Estate(aws_env)
    estate.instance("fresh", COMPLETE)
    estate.instance("overdue", {**COMPLETE, "tagwarden:deadline": "2026-11-15"})
    extra = HOOKS.format(hook=webhook.url, slack=slack.url)
    policy = write_policy(tmp_path / "policy", aws_env["TAGWARDEN_TEST_ACCOUNT"], extra=extra)
    scan_into_store(sqlite_url, policy, aws_env)
    plan = tmp_path / "plan.json"
    done = tagwarden(aws_env, "remediate", "plan", "--policy", str(policy), "--db", sqlite_url, "-o", str(plan),
                     "--as-of", AS_OF)  # fmt: skip
    assert done.exit_code == 0, done.output
    env = {**aws_env, "TAGWARDEN_DB": sqlite_url, "TAGWARDEN_TEST_HOOK_SECRET": "s3cret"}
    done = tagwarden(env, "remediate", "apply", str(plan), "--approved-by", "alice@acme.example", "--yes")
    assert done.exit_code == 0, done.output

    (posted,) = webhook.posts
    expected = "sha256=" + hmac.new(b"s3cret", posted.body, hashlib.sha256).hexdigest()
    assert posted.headers["x-tagwarden-signature"] == expected
    notice = json.loads(posted.body)
    assert estate.arns["fresh"] in json.dumps(notice)
    (chat,) = slack.posts
    assert "blocks" in json.loads(chat.body) and estate.arns["overdue"] in chat.body.decode()
