"""EC2 and VPC: instances, volumes, snapshots, AMIs, security groups, VPCs, subnets, network
interfaces, Elastic IPs and NAT gateways. Every Describe* returns the tags inline."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tagwarden.engine.collectors.aws.build import iso_time, tag_map
from tagwarden.engine.collectors.aws.services.base import ReadContext, skip_denied
from tagwarden.engine.resources import Resource

MAX_PAGE = 1000
MAX_VOLUME_PAGE = 500  # DescribeVolumes caps its pages at 500
MIN_PAGE = 5
LIVE_INSTANCE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"]  # not terminated
GONE_NAT_STATES = frozenset({"deleting", "deleted"})


class Ec2Reader:
    name = "ec2"
    is_global = False
    iam_actions = (
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:DescribeSnapshots",
        "ec2:DescribeImages",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeAddresses",
        "ec2:DescribeNatGateways",
    )
    resource_types = (
        "ec2:instance",
        "ec2:volume",
        "ec2:snapshot",
        "ec2:image",
        "ec2:security-group",
        "ec2:vpc",
        "ec2:subnet",
        "ec2:network-interface",
        "ec2:elastic-ip",
        "ec2:natgateway",
    )

    def read(self, context: ReadContext) -> Iterator[Resource]:
        client = context.client("ec2")
        listings: tuple[Callable[[ReadContext, Any], Iterator[Resource]], ...] = (
            _instances,
            _volumes,
            _snapshots,
            _images,
            _security_groups,
            _vpcs,
            _subnets,
            _network_interfaces,
            _elastic_ips,
            _nat_gateways,
        )
        for listing in listings:
            yield from skip_denied(listing(context, client))


READER = Ec2Reader()


def _resource(
    context: ReadContext,
    kind: str,
    resource_id: str,
    tags: Any,
    *,
    created_at: str | None = None,
    parent: str | None = None,
    owned_by_account: bool = True,
    fallback_name: str | None = None,
) -> Resource:
    tag_values = tag_map(tags)
    # Snapshots and AMIs have no account in their ARN: arn:aws:ec2:REGION::snapshot/ID.
    arn = context.arn("ec2", f"{kind}/{resource_id}", account=None if owned_by_account else "")
    name = tag_values.get("Name") or fallback_name or resource_id
    return context.resource(f"ec2:{kind}", arn, name, tag_values, created_at=created_at, parent=parent)


def _vpc_arn(context: ReadContext, item: Mapping[str, Any]) -> str | None:
    vpc = item.get("VpcId")
    return context.arn("ec2", f"vpc/{vpc}") if vpc else None


def _instances(context: ReadContext, client: Any) -> Iterator[Resource]:
    live = [{"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}]
    for page in context.pages(client, "describe_instances", MAX_PAGE, MIN_PAGE, Filters=live):
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                created = iso_time(_instance_created(instance))
                yield _resource(context, "instance", instance["InstanceId"], instance.get("Tags"), created_at=created)


def _instance_created(instance: Mapping[str, Any]) -> Any:
    # LaunchTime moves on every start; the primary interface is attached once, at creation.
    for interface in instance.get("NetworkInterfaces") or ():
        attachment = interface.get("Attachment") or {}
        if attachment.get("DeviceIndex") == 0 and attachment.get("AttachTime"):
            return attachment["AttachTime"]
    return instance.get("LaunchTime")


def _volumes(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_volumes", MAX_VOLUME_PAGE, MIN_PAGE):
        for volume in page["Volumes"]:
            attached = [item["InstanceId"] for item in volume.get("Attachments") or () if item.get("InstanceId")]
            parent = context.arn("ec2", f"instance/{attached[0]}") if attached else None
            created = iso_time(volume.get("CreateTime"))
            yield _resource(
                context, "volume", volume["VolumeId"], volume.get("Tags"), created_at=created, parent=parent
            )


def _snapshots(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_snapshots", MAX_PAGE, MIN_PAGE, OwnerIds=["self"]):
        for snapshot in page["Snapshots"]:
            created = iso_time(snapshot.get("StartTime"))
            yield _resource(
                context,
                "snapshot",
                snapshot["SnapshotId"],
                snapshot.get("Tags"),
                created_at=created,
                owned_by_account=False,
            )


def _images(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_images", MAX_PAGE, MIN_PAGE, Owners=["self"]):
        for image in page["Images"]:
            created = iso_time(image.get("CreationDate"))
            yield _resource(
                context, "image", image["ImageId"], image.get("Tags"), created_at=created, owned_by_account=False
            )


def _security_groups(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_security_groups", MAX_PAGE, MIN_PAGE):
        for group in page["SecurityGroups"]:
            tags = group.get("Tags")
            yield _resource(context, "security-group", group["GroupId"], tags, parent=_vpc_arn(context, group))


def _vpcs(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_vpcs", MAX_PAGE, MIN_PAGE):
        for vpc in page["Vpcs"]:
            yield _resource(context, "vpc", vpc["VpcId"], vpc.get("Tags"))


def _subnets(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_subnets", MAX_PAGE, MIN_PAGE):
        for subnet in page["Subnets"]:
            yield _resource(context, "subnet", subnet["SubnetId"], subnet.get("Tags"), parent=_vpc_arn(context, subnet))


def _network_interfaces(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_network_interfaces", MAX_PAGE, MIN_PAGE):
        for interface in page["NetworkInterfaces"]:
            tags = interface.get("TagSet")  # this one API spells it TagSet
            parent = _vpc_arn(context, interface)
            yield _resource(context, "network-interface", interface["NetworkInterfaceId"], tags, parent=parent)


def _elastic_ips(context: ReadContext, client: Any) -> Iterator[Resource]:
    # DescribeAddresses is not paginated: an account has at most a few hundred addresses per region.
    for address in client.describe_addresses().get("Addresses", ()):
        allocation = address.get("AllocationId")
        if not allocation:
            continue  # EC2-Classic addresses have no allocation id and no ARN
        yield _resource(context, "elastic-ip", allocation, address.get("Tags"), fallback_name=address.get("PublicIp"))


def _nat_gateways(context: ReadContext, client: Any) -> Iterator[Resource]:
    for page in context.pages(client, "describe_nat_gateways", MAX_PAGE, MIN_PAGE):
        for gateway in page["NatGateways"]:
            if gateway.get("State") in GONE_NAT_STATES:
                continue
            created = iso_time(gateway.get("CreateTime"))
            parent = _vpc_arn(context, gateway)
            yield _resource(
                context, "natgateway", gateway["NatGatewayId"], gateway.get("Tags"), created_at=created, parent=parent
            )
