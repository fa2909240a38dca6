"""Every notification channel, by the ``type`` of its configuration."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from tagwarden.remediations.notify.interface import Notifier, NotifyError

NOTIFIERS: dict[str, str] = {
    "smtp": "tagwarden.remediations.notify.smtp:SmtpNotifier",
    "email": "tagwarden.remediations.notify.smtp:SmtpNotifier",
    "slack": "tagwarden.remediations.notify.slack:SlackNotifier",
    "webhook": "tagwarden.remediations.notify.webhook:WebhookNotifier",
}


def notifier_for(channel_config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Notifier:
    """The channel ``channel_config["type"]`` names, built from the rest of the mapping.

    Secrets (SMTP password, webhook signing secret) are read from ``environ`` (default
    ``os.environ``) through the variable the configuration names. A configuration that cannot
    work raises ``NotifyError`` now, not at the first send.
    """
    if not isinstance(channel_config, Mapping):
        raise NotifyError(f"a notification channel is a mapping with a 'type', not {channel_config!r}")
    kind = channel_config.get("type")
    if kind not in NOTIFIERS:
        known = ", ".join(sorted(NOTIFIERS))
        raise NotifyError(f"notification channel type {kind!r} is not known (known: {known})")
    module_name, class_name = NOTIFIERS[str(kind)].split(":")
    notifier_class: Any = getattr(importlib.import_module(module_name), class_name)
    notifier: Notifier = notifier_class(channel_config, environ)
    return notifier
