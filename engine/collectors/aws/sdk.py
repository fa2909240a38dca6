"""The one place the AWS SDK is imported from: boto3 and botocore ship no type information, so
their names are ``Any`` to mypy here rather than at every import."""

import boto3  # type: ignore[import-untyped,unused-ignore]
import botocore.session  # type: ignore[import-untyped,unused-ignore]
from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]
from botocore.credentials import (  # type: ignore[import-untyped,unused-ignore]
    CredentialProvider,
    RefreshableCredentials,
)
from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
    BotoCoreError,
    ClientError,
    UnknownRegionError,
)

__all__ = [
    "BotoCoreError",
    "ClientError",
    "Config",
    "CredentialProvider",
    "RefreshableCredentials",
    "UnknownRegionError",
    "boto3",
    "botocore",
]
