"""What the API calls cost and what their errors mean.

``CallRecorder`` hangs on botocore's event hooks of every client the collector makes, so that calls,
retries, throttled responses and denied permissions are counted where they happen, whichever
reader made them and on whichever worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from tagwarden.engine.collectors.aws.sdk import ClientError
from tagwarden.engine.collectors.interface import CollectStats

# botocore's own list (botocore.retries.standard.ThrottledRetryableChecker), so that what we count
# as a throttle is exactly what its retry logic backs off from.
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",  # SNS
        "AuthorizationErrorException",
        "UnauthorizedException",
        "AllAccessDisabled",  # S3
    }
)

# The credentials are no longer good anywhere: the rest of the account is skipped.
ACCOUNT_FAILURE_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})

# What a region that is not enabled for the account (or that the credentials cannot use) answers.
REGION_FAILURE_CODES = frozenset(
    {"AuthFailure", "OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId"}
)

# Operations whose IAM action is not named after them.
_IAM_ACTIONS: Mapping[tuple[str, str], str] = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("tagging", "GetResources"): "tag:GetResources",  # the Resource Groups Tagging API
}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code") or "")


def describe_error(error: BaseException) -> str:
    """The cloud's own words: ``ExpiredToken: The security token included in the request is expired``."""
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        code = detail.get("Code") or "Error"
        message = detail.get("Message") or str(error)
        return f"{code}: {message}"
    return str(error) or type(error).__name__


def iam_action(signing_name: str, operation: str) -> str:
    return _IAM_ACTIONS.get((signing_name, operation), f"{signing_name}:{operation}")


class CallRecorder:
    """Counts into one ``CollectStats`` from any number of clients and threads."""

    def __init__(self, stats: CollectStats) -> None:
        self._stats = stats
        self._lock = threading.Lock()

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-call", self._before_call)
        events.register("needs-retry", self._needs_retry)
        events.register("after-call", self._after_call)

    def fail(self, message: str) -> None:
        with self._lock:
            self._stats.failures.append(message)

    def _before_call(self, model: Any, **_: Any) -> None:
        key = f"{model.service_model.service_name}.{model.name}"
        with self._lock:
            self._stats.api_calls[key] += 1

    def _needs_retry(self, response: Any = None, **_: Any) -> None:
        if response is None:
            return
        http_response, parsed = response
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, Mapping) else None
        if code in THROTTLE_CODES or getattr(http_response, "status_code", None) == 429:
            with self._lock:
                self._stats.throttles += 1

    def _after_call(self, parsed: Any, model: Any, context: Any = None, **_: Any) -> None:
        if not isinstance(parsed, Mapping):
            return
        retries = parsed.get("ResponseMetadata", {}).get("RetryAttempts") or 0
        code = (context or {}).get("error_code_override") or parsed.get("Error", {}).get("Code")
        with self._lock:
            self._stats.retries += retries
            if code in DENIED_CODES:
                self._stats.missing_permissions.add(iam_action(model.service_model.signing_name, model.name))
