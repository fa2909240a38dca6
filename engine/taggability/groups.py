"""The shape of the per-cloud data tables: groups of types that carry tags the same way.

The data modules (``aws``, ``aws_cloudformation``, ``azure``, ``gcp``, ``utility``) are plain tuples
and dicts of :class:`TypeGroup` so that importing them is cheap; the registry turns them into
``TypeInfo`` objects once.
"""

from __future__ import annotations

from typing import NamedTuple

from tagwarden.engine.resources import Taggability

# How the tags are written where ``tag_paths`` points.
MAP = "map"  # {"Key": "value"} (Terraform tags/labels, CloudFormation map-style Tags)
AWS_TAG_BLOCKS = "aws_tag_blocks"  # aws_autoscaling_group: repeated `tag { key value propagate_at_launch }`
CFN_LIST = "cfn_list"  # CloudFormation: [{"Key": ..., "Value": ...}, ...]
KEY_VALUE_LIST = "key_value_list"  # awscc-style Terraform: [{key = ..., value = ...}, ...]

TAG_STYLES: frozenset[str] = frozenset({MAP, AWS_TAG_BLOCKS, CFN_LIST, KEY_VALUE_LIST})

TAGS: tuple[tuple[str, ...], ...] = (("tags",),)
LABELS: tuple[tuple[str, ...], ...] = (("labels",),)
CFN_TAGS: tuple[tuple[str, ...], ...] = (("Tags",),)

TAGGABLE = Taggability.TAGGABLE
UNTAGGABLE = Taggability.UNTAGGABLE


class TypeGroup(NamedTuple):
    """Types of one provider that share taggability, tag location, default-tag support and style."""

    provider: str
    taggability: Taggability
    types: tuple[str, ...]
    tag_paths: tuple[tuple[str, ...], ...] = ()
    default_tags: bool = False
    tag_style: str = MAP
