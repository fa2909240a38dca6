"""Test support for the AWS collector: what is planted in moto, and a fault-injecting reverse proxy.

Everything goes over real HTTP: boto3 plants through moto's API, the collector reads through it
(directly, or through the proxy when a test needs throttling, denials or answers moto does not
implement, such as CloudTrail's LookupEvents).
"""

from __future__ import annotations

import http.client
import io
import json
import re
import socket
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3

from tagwarden.engine.collectors.interface import CollectorOptions

MAIN_ACCOUNT = "123456789012"  # moto's account for the plain test credentials
REGION_A = "eu-west-1"
REGION_B = "us-east-1"
PAGED_QUEUES = 120  # more than two pages at the page size the scans use
SCAN_PAGE_SIZE = 50
ORG_ROLE = "TagwardenAudit"


def credentials_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION_A,
        "AWS_ENDPOINT_URL": endpoint,
    }


def options_for(url: str, **overrides: Any) -> CollectorOptions:
    """Options that reach ``url`` (moto or the proxy) through AWS_ENDPOINT_URL, with test credentials."""
    values: dict[str, Any] = {"regions": (REGION_A, REGION_B), "environ": credentials_env(url)}
    values.update(overrides)
    return CollectorOptions(**values)


# --- what is planted ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    type: str
    arn: str
    region: str | None
    tags: Mapping[str, str]
    name: str | None = None
    account: str = MAIN_ACCOUNT


@dataclass
class Estate:
    """Planted resources by a name that says what the scan must make of them."""

    resources: dict[str, Planted] = field(default_factory=dict)
    paged_queue_arns: list[str] = field(default_factory=list)
    absent: dict[str, str] = field(default_factory=dict)  # label -> ARN the scan must not report
    member_account: str = ""
    suspended_account: str = ""
    locked_account: str = ""

    def add(self, label: str, planted: Planted) -> None:
        assert label not in self.resources, label
        self.resources[label] = planted


def _tags(values: Mapping[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in values.items()]


def _spec(resource_type: str, values: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": _tags(values)}]


class _Planter:
    def __init__(self, session: boto3.Session, endpoint: str, estate: Estate, account: str = MAIN_ACCOUNT) -> None:
        self.session = session
        self.endpoint = endpoint
        self.estate = estate
        self.account = account

    def client(self, service: str, region: str = REGION_A) -> Any:
        return self.session.client(service, region_name=region, endpoint_url=self.endpoint)

    def ec2_arn(self, region: str, kind: str, resource_id: str, account: str | None = None) -> str:
        return f"arn:aws:ec2:{region}:{self.account if account is None else account}:{kind}/{resource_id}"

    def plant_ec2(self, region: str) -> None:
        ec2 = self.client("ec2", region)
        add = self.estate.add
        vpc_tags = {"Name": "core", "Owner": "net@example.org", "CostCenter": "cc-1000"}
        vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16", TagSpecifications=_spec("vpc", vpc_tags))["Vpc"]["VpcId"]
        add("vpc_tagged", Planted("ec2:vpc", self.ec2_arn(region, "vpc", vpc), region, vpc_tags, "core"))
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24", AvailabilityZone=f"{region}a")["Subnet"]
        subnet_id = subnet["SubnetId"]
        add("subnet_never_tagged", Planted("ec2:subnet", self.ec2_arn(region, "subnet", subnet_id), region, {}))
        sg_tags = {"ManagedBy": "Terraform", "Owner": "net@example.org"}
        group = ec2.create_security_group(
            GroupName="web", Description="web", VpcId=vpc, TagSpecifications=_spec("security-group", sg_tags)
        )["GroupId"]
        add(
            "security_group_managed_by_terraform",
            Planted("ec2:security-group", self.ec2_arn(region, "security-group", group), region, sg_tags),
        )
        eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
        add(
            "eni_never_tagged",
            Planted("ec2:network-interface", self.ec2_arn(region, "network-interface", eni), region, {}),
        )

        self._instance(region, "instance_missing_owner", {"Name": "web-1", "CostCenter": "cc-1000"}, subnet_id)
        tagged = self._instance(
            region, "instance_tagged", {"Name": "api-1", "Owner": "api@example.org", "CostCenter": "cc-2000"}
        )
        self._instance(
            region,
            "instance_from_cloudformation",
            {
                "Name": "cfn-web",
                "aws:cloudformation:stack-id": f"arn:aws:cloudformation:{region}:{self.account}:stack/web/1",
            },
        )
        gone = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        ec2.terminate_instances(InstanceIds=[gone])
        self.estate.absent["instance_terminated"] = self.ec2_arn(region, "instance", gone)
        volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=1)["VolumeId"]
        add("volume_never_tagged", Planted("ec2:volume", self.ec2_arn(region, "volume", volume), region, {}))
        mistagged = {"costcenter": "cc-1000"}
        volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=1, TagSpecifications=_spec("volume", mistagged))[
            "VolumeId"
        ]
        add("volume_mistagged", Planted("ec2:volume", self.ec2_arn(region, "volume", volume), region, mistagged))
        snapshot_tags = {"Owner": "backup@example.org", "CostCenter": "cc-1000"}
        snapshot = ec2.create_snapshot(VolumeId=volume, TagSpecifications=_spec("snapshot", snapshot_tags))[
            "SnapshotId"
        ]
        # Snapshots and AMIs have no account in their ARN.
        add(
            "snapshot_tagged",
            Planted("ec2:snapshot", f"arn:aws:ec2:{region}::snapshot/{snapshot}", region, snapshot_tags),
        )
        image = ec2.create_image(InstanceId=tagged, Name="api-image")["ImageId"]
        add("image_never_tagged", Planted("ec2:image", f"arn:aws:ec2:{region}::image/{image}", region, {}))
        eip_tags = {"Owner": "net@example.org"}
        eip = ec2.allocate_address(Domain="vpc", TagSpecifications=_spec("elastic-ip", eip_tags))["AllocationId"]
        add("eip_tagged", Planted("ec2:elastic-ip", self.ec2_arn(region, "elastic-ip", eip), region, eip_tags))
        nat_eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat_tags = {"Owner": "net@example.org"}
        nat = ec2.create_nat_gateway(
            SubnetId=subnet_id, AllocationId=nat_eip, TagSpecifications=_spec("natgateway", nat_tags)
        )["NatGateway"]["NatGatewayId"]
        add(
            "nat_gateway_missing_costcenter",
            Planted("ec2:natgateway", self.ec2_arn(region, "natgateway", nat), region, nat_tags),
        )

    def _instance(self, region: str, label: str, tags: Mapping[str, str], subnet: str | None = None) -> str:
        extra = {"SubnetId": subnet} if subnet else {}
        instance = self.client("ec2", region).run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, TagSpecifications=_spec("instance", tags), **extra
        )["Instances"][0]["InstanceId"]
        user_tags = {k: v for k, v in tags.items() if not k.startswith("aws:")}
        arn = self.ec2_arn(region, "instance", instance)
        self.estate.add(label, Planted("ec2:instance", arn, region, user_tags, tags.get("Name")))
        return str(instance)

    def plant_s3(self) -> None:
        s3a = self.client("s3", REGION_A)
        s3a.create_bucket(Bucket="tw-bucket-never-tagged", CreateBucketConfiguration={"LocationConstraint": REGION_A})
        self.estate.add(
            "bucket_never_tagged",
            Planted("s3:bucket", "arn:aws:s3:::tw-bucket-never-tagged", REGION_A, {}, "tw-bucket-never-tagged"),
        )
        s3b = self.client("s3", REGION_B)
        s3b.create_bucket(Bucket="tw-bucket-tagged")
        tags = {"Owner": "data@example.org", "CostCenter": "cc-3000"}
        s3b.put_bucket_tagging(Bucket="tw-bucket-tagged", Tagging={"TagSet": _tags(tags)})
        self.estate.add(
            "bucket_tagged", Planted("s3:bucket", "arn:aws:s3:::tw-bucket-tagged", REGION_B, tags, "tw-bucket-tagged")
        )

    def plant_databases(self) -> None:
        rds = self.client("rds")
        tags = {"Owner": "dba@example.org", "CostCenter": "cc-1000"}
        db = rds.create_db_instance(
            DBInstanceIdentifier="orders-db",
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="admin_user",
            MasterUserPassword="password-123",
            AllocatedStorage=20,
            Tags=_tags(tags),
        )["DBInstance"]
        self.estate.add("db_instance_tagged", Planted("rds:db", db["DBInstanceArn"], REGION_A, tags, "orders-db"))
        cluster_tags = {"CostCenter": "cc-1000"}
        cluster = rds.create_db_cluster(
            DBClusterIdentifier="orders-cluster",
            Engine="aurora-postgresql",
            MasterUsername="admin_user",
            MasterUserPassword="password-123",
            Tags=_tags(cluster_tags),
        )["DBCluster"]
        self.estate.add(
            "db_cluster_missing_owner",
            Planted("rds:cluster", cluster["DBClusterArn"], REGION_A, cluster_tags, "orders-cluster"),
        )
        dynamodb = self.client("dynamodb")
        dynamodb.create_table(
            TableName="events",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        arn = f"arn:aws:dynamodb:{REGION_A}:{self.account}:table/events"
        self.estate.add("table_never_tagged", Planted("dynamodb:table", arn, REGION_A, {}, "events"))

    def plant_compute(self) -> None:
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": []}
        role = iam.create_role(RoleName="tw-service-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
        tags = {"Owner": "img@example.org", "CostCenter": "cc-2000"}
        function = self.client("lambda").create_function(
            FunctionName="resize",
            Runtime="python3.11",
            Role=role,
            Handler="handler.handle",
            Code={"ZipFile": package.getvalue()},
            Tags=tags,
        )
        self.estate.add(
            "function_tagged", Planted("lambda:function", function["FunctionArn"], REGION_A, tags, "resize")
        )
        ecs_tags = {"Owner": "apps@example.org"}
        cluster = self.client("ecs").create_cluster(clusterName="apps", tags=_tags(ecs_tags, "key", "value"))["cluster"]
        self.estate.add(
            "ecs_cluster_missing_costcenter", Planted("ecs:cluster", cluster["clusterArn"], REGION_A, ecs_tags, "apps")
        )
        subnets = self._default_subnets(REGION_A)
        eks_tags = {"Owner": "k8s@example.org", "CostCenter": "cc-2000"}
        eks = self.client("eks").create_cluster(
            name="k8s", roleArn=role, resourcesVpcConfig={"subnetIds": subnets}, tags=eks_tags
        )["cluster"]
        self.estate.add("eks_cluster_tagged", Planted("eks:cluster", eks["arn"], REGION_A, eks_tags, "k8s"))
        ecr_tags = {"Owner": "apps@example.org"}
        repository = self.client("ecr").create_repository(repositoryName="orders", tags=_tags(ecr_tags))["repository"]
        self.estate.add(
            "repository_missing_costcenter",
            Planted("ecr:repository", repository["repositoryArn"], REGION_A, ecr_tags, "orders"),
        )

    def _default_subnets(self, region: str) -> list[str]:
        subnets = self.client("ec2", region).describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
        return [subnet["SubnetId"] for subnet in subnets["Subnets"]][:2]

    def plant_load_balancers(self) -> None:
        elbv2 = self.client("elbv2")
        subnets = self._default_subnets(REGION_A)
        tags = {"Owner": "web@example.org"}
        alb = elbv2.create_load_balancer(Name="public-alb", Subnets=subnets, Tags=_tags(tags))["LoadBalancers"][0]
        self.estate.add(
            "alb_missing_costcenter",
            Planted("elasticloadbalancing:loadbalancer/app", alb["LoadBalancerArn"], REGION_A, tags, "public-alb"),
        )
        nlb = elbv2.create_load_balancer(Name="internal-nlb", Subnets=subnets, Type="network")["LoadBalancers"][0]
        self.estate.add(
            "nlb_never_tagged",
            Planted("elasticloadbalancing:loadbalancer/net", nlb["LoadBalancerArn"], REGION_A, {}, "internal-nlb"),
        )
        self.client("elb").create_load_balancer(
            LoadBalancerName="legacy-elb",
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
            AvailabilityZones=[f"{REGION_A}a"],
        )
        arn = f"arn:aws:elasticloadbalancing:{REGION_A}:{self.account}:loadbalancer/legacy-elb"
        self.estate.add(
            "classic_elb_never_tagged", Planted("elasticloadbalancing:loadbalancer", arn, REGION_A, {}, "legacy-elb")
        )

    def plant_messaging(self) -> None:
        sqs = self.client("sqs")
        sqs.create_queue(QueueName="jobs-untagged")
        arn = f"arn:aws:sqs:{REGION_A}:{self.account}:jobs-untagged"
        self.estate.add("queue_never_tagged", Planted("sqs:queue", arn, REGION_A, {}, "jobs-untagged"))
        tags = {"Owner": "jobs@example.org", "CostCenter": "cc-1000"}
        sqs.create_queue(QueueName="jobs", tags=tags)
        self.estate.add(
            "queue_tagged", Planted("sqs:queue", f"arn:aws:sqs:{REGION_A}:{self.account}:jobs", REGION_A, tags, "jobs")
        )
        sqs_b = self.client("sqs", REGION_B)
        for number in range(PAGED_QUEUES):
            sqs_b.create_queue(QueueName=f"page-{number:03d}")
            self.estate.paged_queue_arns.append(f"arn:aws:sqs:{REGION_B}:{self.account}:page-{number:03d}")
        topic_tags = {"owner": "ops@example.org"}  # wrong case: mis-tagged
        topic = self.client("sns").create_topic(Name="alerts", Tags=_tags(topic_tags))["TopicArn"]
        self.estate.add("topic_mistagged", Planted("sns:topic", topic, REGION_A, topic_tags, "alerts"))

    def plant_observability(self) -> None:
        logs = self.client("logs")
        logs.create_log_group(logGroupName="/app/untagged")
        arn = f"arn:aws:logs:{REGION_A}:{self.account}:log-group:/app/untagged"
        self.estate.add("log_group_never_tagged", Planted("logs:log-group", arn, REGION_A, {}, "/app/untagged"))
        tags = {"Owner": "orders@example.org"}
        logs.create_log_group(logGroupName="/app/orders", tags=tags)
        arn = f"arn:aws:logs:{REGION_A}:{self.account}:log-group:/app/orders"
        self.estate.add("log_group_missing_costcenter", Planted("logs:log-group", arn, REGION_A, tags, "/app/orders"))
        kms = self.client("kms")
        key_tags = {"Owner": "sec@example.org", "CostCenter": "cc-1000"}
        key = kms.create_key(Tags=_tags(key_tags, "TagKey", "TagValue"))["KeyMetadata"]
        kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
        self.estate.add("key_tagged", Planted("kms:key", key["Arn"], REGION_A, key_tags, "orders"))

    def plant_region_b(self) -> None:
        self._instance(REGION_B, "instance_missing_owner_b", {"Name": "batch-1", "CostCenter": "cc-3000"})


def plant_estate(endpoint: str) -> Estate:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION_A)
    planted = Estate()
    planter = _Planter(session, endpoint, planted)
    planter.plant_ec2(REGION_A)
    planter.plant_s3()
    planter.plant_databases()
    planter.plant_compute()
    planter.plant_load_balancers()
    planter.plant_messaging()
    planter.plant_observability()
    planter.plant_region_b()
    _plant_member_accounts(session, endpoint, planted)
    return planted


MEMBER_ACCOUNT_TAGS = {"CostCenter": "cc-2000", "Owner": "data-team@example.org"}


def _plant_member_accounts(session: boto3.Session, endpoint: str, estate: Estate) -> None:
    organizations = session.client("organizations", region_name=REGION_B, endpoint_url=endpoint)
    organizations.create_organization(FeatureSet="ALL")
    member = _create_account(organizations, "member")
    suspended = _create_account(organizations, "closed")
    locked = _create_account(organizations, "locked")
    for account, queue in ((member, "member-jobs"), (suspended, "closed-jobs"), (locked, "locked-jobs")):
        assumed = _assume(session, endpoint, account)
        tags = {"Owner": f"{queue}@example.org"}
        assumed.client("sqs", region_name=REGION_A, endpoint_url=endpoint).create_queue(QueueName=queue, tags=tags)
        arn = f"arn:aws:sqs:{REGION_A}:{account}:{queue}"
        estate.add(f"queue_in_{queue.split('-')[0]}_account", Planted("sqs:queue", arn, REGION_A, tags, queue, account))
    organizations.tag_resource(ResourceId=member, Tags=[{"Key": k, "Value": v} for k, v in MEMBER_ACCOUNT_TAGS.items()])
    organizations.close_account(AccountId=suspended)
    estate.member_account, estate.suspended_account, estate.locked_account = member, suspended, locked


def _create_account(organizations: Any, name: str) -> str:
    status = organizations.create_account(Email=f"{name}@example.org", AccountName=name)["CreateAccountStatus"]
    return str(status["AccountId"])


def _assume(session: boto3.Session, endpoint: str, account: str) -> boto3.Session:
    sts = session.client("sts", region_name=REGION_A, endpoint_url=endpoint)
    role = f"arn:aws:iam::{account}:role/{ORG_ROLE}"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="planter")["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


# --- the fault-injecting proxy -----------------------------------------------------------------

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Call:
    """One request as the proxy saw it."""

    action: str
    service: str
    region: str
    body: bytes
    json_protocol: bool


@dataclass
class Fault:
    matches: Callable[[Call], bool]
    code: str | Callable[[Call], str]  # a code, or one per call (the right one for each protocol)
    status: int = 400
    times: int | None = None  # None: every matching request
    served: int = 0


@dataclass
class Canned:
    matches: Callable[[Call], bool]
    answer: Callable[[Call], tuple[str, bytes]]  # -> (content type, body)


class FaultProxy:
    """A reverse proxy on loopback that answers some requests itself: errors in the protocol of
    the service (EC2 XML, query XML or JSON), or canned answers; everything else goes to moto."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlparse(upstream)
        self.faults: list[Fault] = []
        self.canned: list[Canned] = []
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.canned.clear()
            self.calls.clear()

    def fail(self, action: str, code: str, *, times: int | None = None, status: int = 400) -> Fault:
        fault = Fault(lambda call: call.action == action, code, status, times)
        self.faults.append(fault)
        return fault

    def fail_when(
        self, matches: Callable[[Call], bool], code: str | Callable[[Call], str], *, status: int = 400
    ) -> Fault:
        fault = Fault(matches, code, status)
        self.faults.append(fault)
        return fault

    def answer(self, matches: Callable[[Call], bool], answer: Callable[[Call], tuple[str, bytes]]) -> None:
        self.canned.append(Canned(matches, answer))

    def served(self) -> int:
        return sum(fault.served for fault in self.faults)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _decide(self, call: Call) -> Fault | Canned | None:
        with self._lock:
            self.calls.append(call)
            for fault in self.faults:
                if fault.matches(call) and (fault.times is None or fault.served < fault.times):
                    fault.served += 1
                    return fault
            return next((canned for canned in self.canned if canned.matches(call)), None)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's algorithm and the
                # client's delayed ACK add ~40 ms to every response.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                self._handle()

            do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                call = _call_of(self.command, self.path, dict(self.headers.items()), body)
                decision = proxy._decide(call)
                if isinstance(decision, Fault):
                    code = decision.code if isinstance(decision.code, str) else decision.code(call)
                    content_type, payload = _error_body(call, code)
                    self._reply(decision.status, content_type, payload)
                elif isinstance(decision, Canned):
                    content_type, payload = decision.answer(call)
                    self._reply(200, content_type, payload)
                else:
                    self._forward(body)

            def _reply(self, status: int, content_type: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-amzn-RequestId", "proxy")
                self.end_headers()
                self.wfile.write(payload)

            def _forward(self, body: bytes) -> None:
                upstream = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                upstream.close()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

        return Handler


def _call_of(method: str, path: str, headers: Mapping[str, str], body: bytes) -> Call:
    lower = {key.lower(): value for key, value in headers.items()}
    scope = _CREDENTIAL_SCOPE.search(lower.get("authorization", ""))
    region, service = (scope.group(1), scope.group(2)) if scope else ("", "")
    target = lower.get("x-amz-target")
    if target:
        return Call(target.rsplit(".", 1)[-1], service, region, body, True)
    form = parse_qs(body.decode("utf-8", "replace")) if b"Action=" in body else parse_qs(urlparse(path).query)
    action = (form.get("Action") or [f"{method} {urlparse(path).path}"])[0]
    return Call(action, service, region, body, False)


REST_JSON_SERVICES = frozenset({"lambda", "eks"})  # JSON errors without X-Amz-Target


def _error_body(call: Call, code: str) -> tuple[str, bytes]:
    message = f"injected by the test proxy: {code}"
    if call.json_protocol or call.service in REST_JSON_SERVICES:
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    if call.service == "s3":
        return "application/xml", f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
    error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    if call.service == "ec2":
        xml = f"<Response><Errors>{error}</Errors><RequestID>proxy</RequestID></Response>"
    else:
        xml = f"<ErrorResponse>{error}<RequestId>proxy</RequestId></ErrorResponse>"
    return "text/xml", xml.encode()


def count_actions(calls: list[Call]) -> Counter[str]:
    return Counter(call.action for call in calls)
