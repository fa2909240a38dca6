"""Which accounts to read, with which credentials: the default chain, each ``--profile``, and with
``--org-role`` every active account of the organisation through an assumed role."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tagwarden.engine.collectors.aws.calls import CallRecorder, describe_error
from tagwarden.engine.collectors.aws.clients import ClientPool
from tagwarden.engine.collectors.aws.sdk import (
    BotoCoreError,
    ClientError,
    CredentialProvider,
    RefreshableCredentials,
    boto3,
    botocore,
)
from tagwarden.engine.collectors.interface import CollectorError, CollectorOptions

DEFAULT_HOME_REGION = "us-east-1"  # where global calls go when no region is configured
ROLE_SESSION_NAME = "tagwarden-scan"

# Explicit credentials in the environment given to the collector (botocore reads os.environ by
# itself; the collector's environment must win over it).
_CREDENTIAL_VARIABLES = {
    "aws_access_key_id": "AWS_ACCESS_KEY_ID",
    "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
    "aws_session_token": "AWS_SESSION_TOKEN",
}


@dataclass(frozen=True)
class Identity:
    """One set of credentials that works, and where it came from."""

    label: str  # "default credentials", "profile prod"
    account: str
    clients: ClientPool
    home_region: str


@dataclass(frozen=True)
class AccountTarget:
    """An account to read. ``open`` gives its clients, assuming the role when it is another account;
    it raises ``ClientError``/``BotoCoreError`` when that fails (the account is then skipped)."""

    account: str
    label: str
    home_region: str
    connect: Callable[[], ClientPool]
    tags: Mapping[str, str] = field(default_factory=dict)  # the account's own tags (Organizations), with --org-role


def identities(
    options: CollectorOptions, endpoint: str | None, recorder: CallRecorder, pool_size: int
) -> list[Identity]:
    """Every credential source the options name, each checked with GetCallerIdentity.

    Raises ``CollectorError`` with botocore's reason when any of them does not work: a profile the
    user named that cannot authenticate is an error to fix, not a gap to report.
    """
    sources = [f"profile {name}" for name in options.profiles] or ["default credentials"]
    profiles: Sequence[str | None] = options.profiles or (None,)
    found = []
    for label, profile in zip(sources, profiles, strict=True):
        try:
            session = _session(options.environ, profile)
            home_region = session.region_name or DEFAULT_HOME_REGION
            clients = ClientPool(session, endpoint, recorder, pool_size)
            account = clients.get("sts", home_region).get_caller_identity()["Account"]
        except (BotoCoreError, ClientError) as error:
            raise CollectorError(f"AWS {label}: {describe_error(error)}") from error
        found.append(Identity(label, str(account), clients, home_region))
    return found


def targets(
    found: Sequence[Identity], options: CollectorOptions, endpoint: str | None, pool_size: int
) -> list[AccountTarget]:
    """The accounts to read, each once. Listing the organisation is done up front, so that a
    missing permission is a ``CollectorError`` before anything is read; roles are assumed later,
    account by account, so that credentials do not age while other accounts are read."""
    result: list[AccountTarget] = []
    seen: set[str] = set()
    for identity in found:
        for target in _targets_of(identity, options, endpoint, pool_size):
            if target.account not in seen:
                seen.add(target.account)
                result.append(target)
    return result


def _targets_of(
    identity: Identity, options: CollectorOptions, endpoint: str | None, pool_size: int
) -> list[AccountTarget]:
    own = AccountTarget(identity.account, identity.label, identity.home_region, lambda: identity.clients)
    org_role = options.org_role
    if not org_role:
        return [own]
    try:
        accounts = list(_active_accounts(identity))
    except (BotoCoreError, ClientError) as error:
        raise CollectorError(
            f"AWS {identity.label}: cannot list the organisation's accounts: {describe_error(error)}"
        ) from error
    result = []
    for account in accounts:
        tags = _account_tags(identity, account)
        if account == identity.account:  # the management account itself: no role to assume
            result.append(AccountTarget(own.account, own.label, own.home_region, own.connect, tags))
        else:
            label = f"account {account} (role {org_role})"
            connect = _role_connector(identity, account, org_role, options.environ, endpoint, pool_size)
            result.append(AccountTarget(account, label, identity.home_region, connect, tags))
    return result


def _account_tags(identity: Identity, account: str) -> dict[str, str]:
    """The account's tags, the context of ``{account.tags.K}`` remediation values. A denied call is
    counted as a missing permission by the call recorder, and the scan goes on without them."""
    organizations = identity.clients.get("organizations", identity.home_region)
    tags: dict[str, str] = {}
    try:
        for page in organizations.get_paginator("list_tags_for_resource").paginate(ResourceId=account):
            tags.update({str(tag["Key"]): str(tag["Value"]) for tag in page.get("Tags", ())})
    except (BotoCoreError, ClientError):
        return {}
    return tags


def _active_accounts(identity: Identity) -> Iterator[str]:
    organizations = identity.clients.get("organizations", identity.home_region)
    for page in organizations.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 20}):
        for account in page["Accounts"]:
            # `State` replaces `Status` (SUSPENDED, PENDING_CLOSURE, ...); either may be there.
            if (account.get("State") or account.get("Status")) == "ACTIVE":
                yield str(account["Id"])


def _role_connector(
    identity: Identity, account: str, role: str, environ: Mapping[str, str], endpoint: str | None, pool_size: int
) -> Callable[[], ClientPool]:
    def connect() -> ClientPool:
        partition = identity.clients.partition(identity.home_region)
        role_arn = f"arn:{partition}:iam::{account}:role/{role}"
        session = _assumed_session(identity, role_arn, environ)
        return ClientPool(session, endpoint, identity.clients.recorder, pool_size)

    return connect


def _assumed_session(identity: Identity, role_arn: str, environ: Mapping[str, str]) -> boto3.Session:
    sts = identity.clients.get("sts", identity.home_region)

    def fetch() -> dict[str, Any]:
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
        expiration = credentials["Expiration"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": expiration.isoformat() if isinstance(expiration, datetime) else str(expiration),
        }

    # Refreshable, so that an account that takes longer to read than the role session lasts
    # (an hour by default) is re-assumed instead of failing half-way.
    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="assume-role"
    )
    core = _configured_core(environ)
    core.get_component("credential_provider").providers.insert(0, _FixedProvider(credentials))
    return boto3.Session(botocore_session=core, region_name=identity.home_region)


class _FixedProvider(CredentialProvider):  # type: ignore[misc]
    METHOD = "assume-role"
    CANONICAL_NAME = "tagwarden-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def _session(environ: Mapping[str, str], profile: str | None) -> boto3.Session:
    """A boto3 session that reads the collector's environment, which may differ from the process's.

    Precedence as in the AWS CLI: a ``--profile`` beats keys in the environment, which beat
    ``AWS_PROFILE``; with none of them boto3's own chain (SSO, container, instance role...) applies.
    """
    core = _configured_core(environ)
    explicit: dict[str, str] = {}
    if profile is None:
        explicit = {argument: environ[name] for argument, name in _CREDENTIAL_VARIABLES.items() if environ.get(name)}
        if not {"aws_access_key_id", "aws_secret_access_key"} <= explicit.keys():
            explicit = {}
            profile = _first(environ, ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"))
    return boto3.Session(botocore_session=core, profile_name=profile, **explicit)


def _configured_core(environ: Mapping[str, str]) -> Any:
    """A botocore session with the settings (region, config files, CA bundle...) of ``environ``."""
    core = botocore.session.Session()
    for name, (_, variables, _, convert) in core.session_var_map.items():
        value = _first(environ, variables)
        if value is not None and name != "profile":
            core.set_config_variable(name, convert(value) if convert else value)
    return core


def _first(environ: Mapping[str, str], variables: str | Sequence[str] | None) -> str | None:
    if variables is None:
        return None
    names = (variables,) if isinstance(variables, str) else variables
    return next((environ[name] for name in names if environ.get(name)), None)
