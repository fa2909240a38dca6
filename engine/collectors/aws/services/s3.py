"""S3 buckets: listed once per account, each located in its region; tags from the
Tagging API index of that region, else read per bucket."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from tagwarden.engine.collectors.aws.build import iso_time, make_resource, tag_map
from tagwarden.engine.collectors.aws.calls import DENIED_CODES, error_code
from tagwarden.engine.collectors.aws.sdk import ClientError
from tagwarden.engine.collectors.aws.services.base import Gone, ReadContext, indexed_or_read, read_tags, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 10000
NO_TAGS = frozenset({"NoSuchTagSet"})  # a bucket that was never tagged
GONE = frozenset({"NoSuchBucket"})
# GetBucketLocation's answers that are not region names.
_LEGACY_LOCATIONS: Mapping[str | None, str] = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


class S3Reader:
    name = "s3"
    is_global = True
    iam_actions = ("s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketTagging")
    resource_types = ("s3:bucket",)
    tagging_api_types = ("s3",)  # bucket ARNs have no resource-type part

    def read(self, context: ReadContext) -> Iterator[Resource]:
        yield from skip_denied(self._buckets(context))

    def _buckets(self, context: ReadContext) -> Iterator[Resource]:
        client = context.client("s3")
        for page in context.pages(client, "list_buckets", MAX_PAGE):
            for bucket in page.get("Buckets", ()):
                try:
                    region = bucket.get("BucketRegion") or _location(client, bucket["Name"])
                    if region is None or region in context.regions:
                        yield _bucket(context, bucket, region)
                except Gone:
                    continue


def _location(client: Any, bucket: str) -> str | None:
    """None when the location may not be read: the bucket is still reported, without a region."""
    try:
        constraint = client.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    except ClientError as error:
        code = error_code(error)
        if code in DENIED_CODES:
            return None
        if code in GONE:
            raise Gone(code) from error
        raise
    return _LEGACY_LOCATIONS.get(constraint) or str(constraint)


def _bucket(context: ReadContext, bucket: Mapping[str, Any], region: str | None) -> Resource:
    name = bucket["Name"]
    arn = f"arn:{context.partition}:s3:::{name}"
    call = partial(_tags, context.client("s3", region), name)
    if region is None:  # no region, no index to look in
        tags = read_tags(call, "s3:GetBucketTagging", GONE, NO_TAGS)
    else:
        tags = indexed_or_read(context, arn, call, "s3:GetBucketTagging", GONE, NO_TAGS, region=region)
    return make_resource(
        resource_type="s3:bucket",
        arn=arn,
        name=name,
        account=context.account,
        region=region,
        tags=tags,
        created_at=iso_time(bucket.get("CreationDate")),
    )


READER = S3Reader()


def _tags(client: Any, bucket: str) -> dict[str, str]:
    return tag_map(client.get_bucket_tagging(Bucket=bucket).get("TagSet"))
