"""--org-role across the organisation's accounts, and --profile, against moto (which derives the
account of assumed-role credentials from the role's ARN)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_moto_support import MAIN_ACCOUNT, MEMBER_ACCOUNT_TAGS, ORG_ROLE, REGION_A, Estate, FaultProxy, options_for

from tagwarden.engine.collectors.aws import AwsCollector
from tagwarden.engine.collectors.interface import CollectorError, CollectStats


def test_org_role_reads_every_active_account_and_records_the_one_it_cannot_enter(
    proxy: FaultProxy, estate: Estate
) -> None:
    locked = estate.locked_account
    proxy.fail_when(
        lambda call: call.action == "AssumeRole" and locked.encode() in call.body, "AccessDenied", status=403
    )
    stats = CollectStats()
    options = options_for(proxy.url, regions=(REGION_A,), org_role=ORG_ROLE)
    resources = list(AwsCollector(services=["sqs"]).collect(options, stats))
    found = {resource.id: resource for resource in resources}

    member_queue = estate.resources["queue_in_member_account"]
    assert found[member_queue.arn].account == estate.member_account
    assert dict(found[member_queue.arn].tags.known) == dict(member_queue.tags)
    assert estate.resources["queue_tagged"].arn in found  # the management account itself, without a role
    assert estate.resources["queue_in_closed_account"].arn not in found  # suspended: skipped
    assert estate.resources["queue_in_locked_account"].arn not in found
    assert {resource.account for resource in resources} == {MAIN_ACCOUNT, estate.member_account}

    assert found[member_queue.arn].context["account_tags"] == MEMBER_ACCOUNT_TAGS  # for {account.tags.K}

    assert stats.failures == [f"account {locked}: AccessDenied: injected by the test proxy: AccessDenied"]
    assert stats.missing_permissions == {"sts:AssumeRole"}
    roles_assumed = [call.body.decode() for call in proxy.calls if call.action == "AssumeRole"]
    assert not any(estate.suspended_account in body for body in roles_assumed)
    assert any(f"{estate.member_account}%3Arole%2F{ORG_ROLE}" in body for body in roles_assumed)


def test_account_tags_that_cannot_be_read_are_a_missing_permission_and_the_scan_goes_on(
    proxy: FaultProxy, estate: Estate
) -> None:
    proxy.fail("ListTagsForResource", "AccessDeniedException", status=403)
    stats = CollectStats()
    options = options_for(proxy.url, regions=(REGION_A,), org_role=ORG_ROLE)
    resources = list(AwsCollector(services=["sqs"]).collect(options, stats))
    member_queue = next(r for r in resources if r.id == estate.resources["queue_in_member_account"].arn)
    assert "account_tags" not in member_queue.context
    assert "organizations:ListTagsForResource" in stats.missing_permissions
    assert not stats.failures or all("ListTagsForResource" not in failure for failure in stats.failures)


def test_org_role_without_access_to_the_organisation_is_a_collector_error(proxy: FaultProxy) -> None:
    proxy.fail("ListAccounts", "AccessDeniedException", status=403)
    options = options_for(proxy.url, regions=(REGION_A,), org_role=ORG_ROLE)
    with pytest.raises(CollectorError, match="cannot list the organisation's accounts: AccessDeniedException"):
        list(AwsCollector(services=["sqs"]).collect(options, CollectStats()))


def _profiles(tmp_path: Path) -> dict[str, str]:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[alpha]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
        "[beta]\naws_access_key_id = testing2\naws_secret_access_key = testing2\n",
        encoding="utf-8",
    )
    config = tmp_path / "config"
    config.write_text(f"[profile alpha]\nregion = {REGION_A}\n[profile beta]\nregion = {REGION_A}\n", encoding="utf-8")
    return {"AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_CONFIG_FILE": str(config)}


def test_each_profile_is_a_session_and_an_account_is_read_once(moto_url: str, estate: Estate, tmp_path: Path) -> None:
    environ = {"AWS_ENDPOINT_URL": moto_url, **_profiles(tmp_path)}
    options = options_for(moto_url, regions=(REGION_A,), profiles=("alpha", "beta"), environ=environ)
    stats = CollectStats()
    resources = list(AwsCollector(services=["sqs"]).collect(options, stats))

    ids = [resource.id for resource in resources]
    assert len(ids) == len(set(ids))  # both profiles reach moto's one account: read once
    assert estate.resources["queue_tagged"].arn in ids
    assert stats.api_calls["sts.GetCallerIdentity"] == 2
    assert stats.failures == []


def test_an_unknown_profile_is_a_collector_error(moto_url: str, tmp_path: Path) -> None:
    environ = {"AWS_ENDPOINT_URL": moto_url, **_profiles(tmp_path)}
    options = options_for(moto_url, profiles=("alpha", "gamma"), environ=environ)
    with pytest.raises(CollectorError, match=r"profile gamma: The config profile \(gamma\) could not be found"):
        list(AwsCollector().collect(options, CollectStats()))
