"""Live remediation against moto in server mode, the store on SQLite and PostgreSQL, and a real SMTP server.

Every test works in an AWS account of its own: moto keeps one state per account, and credentials
from STS AssumeRole into a fresh account id reach only that account. So tests never see each
other's resources, and moto is never reset under other tests that share the process.
"""

from __future__ import annotations

import importlib.util
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from moto_fixtures import isolate_aws_environment, moto_server

HERE = Path(__file__).resolve().parent
TESTS = HERE.parents[1]


def _load(name: str, path: Path) -> ModuleType:
    """A helper module of another test folder, under a name of its own (conftests are not importable)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_store_fixtures = _load("tagwarden_tests_live_store_conftest", TESTS / "store" / "conftest.py")
pg_server_url = _store_fixtures.pg_server_url
pg_database_url = _store_fixtures.pg_database_url
backend = _store_fixtures.backend
store_url = _store_fixtures.store_url

smtp_receiver = _load("tagwarden_tests_live_smtp_receiver", TESTS / "remediations" / "notify" / "smtp_receiver.py")
http_receiver = _load("tagwarden_tests_live_http_receiver", TESTS / "remediations" / "notify" / "http_receiver.py")


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(autouse=True)
def _isolated_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws_environment(monkeypatch, tmp_path, also=("TAGWARDEN_DB",))


@pytest.fixture
def aws_env(moto_url: str) -> dict[str, str]:
    """Credentials for a fresh moto account of this test's own, and the endpoint."""
    import boto3

    account = "".join(secrets.choice("123456789") for _ in range(12))
    sts = boto3.client(
        "sts",
        endpoint_url=moto_url,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/tagwarden-test", RoleSessionName="test")[
        "Credentials"
    ]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": moto_url,
        "TAGWARDEN_TEST_ACCOUNT": account,
    }


@pytest.fixture
def mailbox() -> Iterator[object]:
    with smtp_receiver.smtp_server(smtp_receiver.Mailbox()) as running:
        yield running


@pytest.fixture
def webhook() -> Iterator[object]:
    with http_receiver.receiving(http_receiver.Receiver(), path="/hook") as running:
        yield running


@pytest.fixture
def slack() -> Iterator[object]:
    with http_receiver.receiving(http_receiver.Receiver(), path="/services/T0/B0/secret") as running:
        yield running


@pytest.fixture
def tagging_proxy(moto_url: str) -> Iterator[object]:
    from tagging_proxy import TaggingProxy

    proxy = TaggingProxy(moto_url)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The store on SQLite only, for tests whose subject is not the journal."""
    return f"sqlite:///{tmp_path / 'store' / 'tagwarden.db'}"


def _fake_cloud_modules() -> tuple[ModuleType, ModuleType]:
    """The writable Azure and Google fakes of tests/remediations/clouds (on the collectors' fakes)."""
    for folder in (TESTS / "collectors" / "azure_gcp", TESTS / "remediations" / "clouds"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    import planted_clouds
    import servers

    return servers, planted_clouds


@pytest.fixture
def arm() -> Iterator[object]:
    servers, _ = _fake_cloud_modules()
    fake = servers.writable_arm()
    with servers.serving_writable(fake):
        yield fake


@pytest.fixture
def google() -> Iterator[object]:
    servers, _ = _fake_cloud_modules()
    fake = servers.writable_google()
    with servers.serving_writable(fake):
        yield fake


@pytest.fixture
def planted_clouds() -> ModuleType:
    return _fake_cloud_modules()[1]
