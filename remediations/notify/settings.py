"""Reading a channel's configuration mapping, with errors that name the channel and the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tagwarden.remediations.notify.interface import NotifyError


def text(channel: str, config: Mapping[str, Any], key: str, default: str | None = None) -> str | None:
    value = config.get(key, default)
    if value is not None and not isinstance(value, str):
        raise NotifyError(f"{channel} channel: {key!r} must be text, not {value!r}")
    return value


def required_text(channel: str, config: Mapping[str, Any], key: str) -> str:
    value = text(channel, config, key)
    if not value:
        raise NotifyError(f"{channel} channel: {key!r} is required")
    return value


def flag(channel: str, config: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise NotifyError(f"{channel} channel: {key!r} must be true or false, not {value!r}")
    return value


def secret_from_env(channel: str, config: Mapping[str, Any], key: str, environ: Mapping[str, str]) -> str | None:
    """The value of the environment variable that ``config[key]`` names (secrets never sit in config)."""
    variable = text(channel, config, key)
    if variable is None:
        return None
    value = environ.get(variable)
    if not value:
        raise NotifyError(f"{channel} channel: environment variable {variable} (named by {key!r}) is not set")
    return value


def refuse_inline_secret(channel: str, config: Mapping[str, Any], key: str, env_key: str) -> None:
    if key in config:
        raise NotifyError(f"{channel} channel: do not put {key!r} in configuration; name an environment variable "
                          f"holding it in {env_key!r}")  # fmt: skip
