"""Every cloud's tag writer, by provider name. Modules are imported on first use (cloud SDKs are heavy)."""

from __future__ import annotations

import importlib
from typing import Any

from tagwarden.remediations.clouds.interface import TagWriter, WriterError, WriterOptions, WriterStats

WRITERS: dict[str, str] = {
    "aws": "tagwarden.remediations.clouds.aws:AwsTagWriter",
    "azure": "tagwarden.remediations.clouds.azure:AzureTagWriter",
    "gcp": "tagwarden.remediations.clouds.gcp:GcpTagWriter",
}


def writer_for(provider: str, options: WriterOptions, stats: WriterStats) -> TagWriter:
    """The writer for ``provider``, constructed as ``Writer(options, stats)``."""
    try:
        module_name, class_name = WRITERS[provider].split(":")
    except KeyError:
        raise WriterError(f"no tag writer for provider {provider!r} (known: {', '.join(sorted(WRITERS))})") from None
    writer_class: Any = getattr(importlib.import_module(module_name), class_name)
    writer: TagWriter = writer_class(options, stats)
    return writer
