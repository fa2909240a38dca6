"""Terraform utility providers: their resources live in the state file, never in a cloud, so they
carry no tags (random_id, null_resource, terraform_data, time_sleep, tls_private_key, local_file...).
"""

from __future__ import annotations

from tagwarden.engine.taggability.groups import UNTAGGABLE, TypeGroup

# Type-name prefix -> provider name. Every type of these providers is untaggable.
UNTAGGABLE_PREFIXES: dict[str, str] = {
    "random_": "random",
    "null_": "null",
    "time_": "time",
    "tls_": "tls",
    "local_": "local",
    "archive_": "archive",
    "cloudinit_": "cloudinit",
    "template_": "template",
}

GROUPS: tuple[TypeGroup, ...] = (
    TypeGroup("terraform", UNTAGGABLE, ("terraform_data", "terraform_remote_state")),
    TypeGroup("external", UNTAGGABLE, ("external",)),
    TypeGroup("http", UNTAGGABLE, ("http",)),
    TypeGroup("null", UNTAGGABLE, ("null_resource", "null_data_source")),
    TypeGroup("random", UNTAGGABLE, ("random_id", "random_integer", "random_password", "random_pet")),
    TypeGroup("random", UNTAGGABLE, ("random_shuffle", "random_string", "random_uuid")),
    TypeGroup("time", UNTAGGABLE, ("time_offset", "time_rotating", "time_sleep", "time_static")),
    TypeGroup("tls", UNTAGGABLE, ("tls_cert_request", "tls_locally_signed_cert", "tls_private_key")),
    TypeGroup("tls", UNTAGGABLE, ("tls_self_signed_cert", "tls_certificate", "tls_public_key")),
    TypeGroup("local", UNTAGGABLE, ("local_file", "local_sensitive_file")),
    TypeGroup("archive", UNTAGGABLE, ("archive_file",)),
)
