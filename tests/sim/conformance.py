"""Conformance of the wpops simulator, judged by an independent client: botocore.

Calls every operation the README lists for each service, on botocore's default protocol for it
(CloudWatch: whichever botocore's model picks, then each of the other protocols the model lists,
forced by a copy of the model that lists only that one), lets botocore parse each response with
its own model, and then walks the parsed output against the operation's output shape: required
members present, every value of its shape's type, enum values known to the model. For JSON
responses it also checks that the raw body holds no member the model does not know (botocore
drops those silently), and for XML responses the framing (`<OpResponse><OpResult>`,
`ResponseMetadata`) and that no element is one the model lacks. Errors are checked per protocol: botocore must see the modelled code.

Usage: python3 conformance.py ENDPOINT_URL REGION ACCESS_KEY SIM_NOW_MS
Prints one line per call and exits 1 if anything failed. Talks to ENDPOINT_URL only.
"""

import copy
import datetime
import gzip
import json
import os
import sys
import tempfile

import botocore
import botocore.eventstream
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT, REGION, KEY, NOW_MS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
assert ENDPOINT.startswith("http://127.0.0.1:"), "the simulator on loopback only"
NOW = datetime.datetime.fromtimestamp(NOW_MS / 1000, tz=datetime.timezone.utc)
FAILURES = []
CALLS = []


def client(session, service):
    return session.create_client(
        service,
        region_name=REGION,
        endpoint_url=ENDPOINT,
        aws_access_key_id=KEY,
        aws_secret_access_key="conformance",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=20),
    )


def check(shape, value, path, errors):
    """Walks a parsed value against its botocore shape (an event stream's events are walked one
    by one by its caller)."""
    if isinstance(value, botocore.eventstream.EventStream):
        return
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a structure, got {type(value).__name__}")
            return
        for name in getattr(shape, "required_members", []) or []:
            if name not in value:
                errors.append(f"{path}.{name}: required member missing")
        for k, v in value.items():
            if k == "ResponseMetadata" and path == "$":
                continue
            if k not in shape.members:
                errors.append(f"{path}.{k}: not a member of {shape.name}")
                continue
            check(shape.members[k], v, f"{path}.{k}", errors)
    elif t == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, v in enumerate(value):
            check(shape.member, v, f"{path}[{i}]", errors)
    elif t == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map")
            return
        for k, v in value.items():
            check(shape.key, k, f"{path}.<key>", errors)
            check(shape.value, v, f"{path}[{k}]", errors)
    elif t == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string, got {value!r}")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.name}'s values {shape.enum}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: expected an integer, got {value!r}")
    elif t in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            errors.append(f"{path}: expected a number, got {value!r}")
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected a boolean, got {value!r}")
    elif t == "timestamp":
        if not isinstance(value, datetime.datetime):
            errors.append(f"{path}: expected a timestamp, got {value!r}")
    elif t == "blob":
        if not isinstance(value, (bytes, bytearray)):
            errors.append(f"{path}: expected bytes")


def raw_members(shape, value, path, errors):
    """The raw JSON body against the shape: members botocore would drop unseen."""
    if shape.type_name == "structure" and isinstance(value, dict):
        names = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        for k, v in value.items():
            if k not in names:
                errors.append(f"{path}.{k}: sent but not in the model ({shape.name})")
            else:
                raw_members(names[k], v, f"{path}.{k}", errors)
    elif shape.type_name == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            raw_members(shape.member, v, f"{path}[{i}]", errors)
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            raw_members(shape.value, v, f"{path}[{k}]", errors)


def raw_xml(shape, elem, path, errors):
    """The raw XML body against the shape: elements botocore would drop unseen."""
    if shape.type_name == "structure":
        names = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        for child in elem:
            tag = child.tag.split("}")[-1]
            if tag not in names:
                errors.append(f"{path}.{tag}: sent but not in the model ({shape.name})")
            else:
                raw_xml(names[tag], child, f"{path}.{tag}", errors)
    elif shape.type_name == "list":
        item = shape.member.serialization.get("name", "member")
        for i, child in enumerate(elem):
            if child.tag.split("}")[-1] != item:
                errors.append(f"{path}[{i}]: <{child.tag.split('}')[-1]}> where the model has <{item}>")
            else:
                raw_xml(shape.member, child, f"{path}[{i}]", errors)


def raw_query_response(model, body, errors):
    """`<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` with the result against the shape."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(body)
    want = model.output_shape.serialization.get("resultWrapper", f"{model.name}Result")
    tags = [c.tag.split("}")[-1] for c in root]
    if root.tag.split("}")[-1] != f"{model.name}Response" or tags != [want, "ResponseMetadata"]:
        errors.append(f"XML framing: <{root.tag}> holding {tags}")
        return
    raw_xml(model.output_shape, root[0], "$", errors)


class Raw:
    """Keeps the raw response of the last call (headers, body) from botocore's before-parse event."""

    def __init__(self, c):
        self.last = None
        c.meta.events.register("before-parse", self.keep)

    def keep(self, response_dict=None, **_):
        self.last = response_dict


def call(c, raw, op, label=None, **params):
    """One call: botocore parses it; the parsed output is walked against the output shape."""
    model = c.meta.service_model.operation_model(c.meta.method_to_api_mapping[op])
    protocol = c.meta.service_model.resolved_protocol
    name = f"{c.meta.service_model.service_name}.{model.name} [{protocol}]" + (f" {label}" if label else "")
    errors = []
    try:
        out = getattr(c, op)(**params)
    except Exception as e:  # noqa: BLE001 - every failure is a finding
        FAILURES.append(f"{name}: {type(e).__name__}: {e}")
        print(f"FAIL {name}: {e}")
        return None
    if model.output_shape is not None:
        check(model.output_shape, out, "$", errors)
        body = (raw.last or {}).get("body", b"")
        # An event stream's body is the stream itself: its events are walked by the caller.
        if protocol == "json" and isinstance(body, (bytes, bytearray)) and body:
            raw_members(model.output_shape, json.loads(body), "$", errors)
        if protocol == "query" and body:
            raw_query_response(model, body, errors)
    status = (raw.last or {}).get("status_code")
    if status != 200:
        errors.append(f"HTTP {status}")
    for e in errors:
        FAILURES.append(f"{name}: {e}")
    CALLS.append(name)
    print(("ok   " if not errors else "FAIL ") + name + ("" if not errors else ": " + "; ".join(errors[:5])))
    return out


def expect_error(c, raw, op, code, **params):
    protocol = c.meta.service_model.resolved_protocol
    name = f"{c.meta.service_model.service_name}.{op} [{protocol}] error {code}"
    try:
        getattr(c, op)(**params)
    except ClientError as e:
        got = e.response.get("Error", {}).get("Code")
        if got != code or not e.response["Error"].get("Message"):
            FAILURES.append(f"{name}: got {got!r} {e.response.get('Error')}")
            print(f"FAIL {name}: got {got!r}")
        else:
            CALLS.append(name)
            print(f"ok   {name}: {e.response['Error']['Message'][:80]}")
        return
    FAILURES.append(f"{name}: no error")
    print(f"FAIL {name}: no error")


def forced_session(protocol, tmp):
    """A session whose CloudWatch model lists only `protocol`."""
    original = botocore.session.get_session().get_component("data_loader")
    model = copy.deepcopy(original.load_service_model("cloudwatch", "service-2"))
    # A fresh session: its loader has cached nothing yet, so it finds the copy first.
    s = botocore.session.get_session()
    loader = s.get_component("data_loader")
    model["metadata"]["protocols"] = [protocol]
    model["metadata"]["protocol"] = protocol
    d = os.path.join(tmp, protocol, "cloudwatch", model["metadata"]["apiVersion"])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "service-2.json"), "w") as f:
        json.dump(model, f)
    loader.search_paths.insert(0, os.path.join(tmp, protocol))
    return s


def cloudwatch(c):
    raw = Raw(c)
    protocol = c.meta.service_model.resolved_protocol
    dims = [{"Name": "WebACL", "Value": "wordpress-waf"}, {"Name": "Region", "Value": REGION}, {"Name": "Rule", "Value": "ALL"}]
    out = call(
        c,
        raw,
        "get_metric_data",
        MetricDataQueries=[
            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/WAFV2", "MetricName": "BlockedRequests", "Dimensions": dims}, "Period": 60, "Stat": "Sum"}, "ReturnData": False},
            {"Id": "m2", "MetricStat": {"Metric": {"Namespace": "AWS/WAFV2", "MetricName": "AllowedRequests", "Dimensions": dims}, "Period": 60, "Stat": "Sum"}, "ReturnData": False},
            {"Id": "share", "Expression": "m1 / (m1 + m2) * 100", "Label": "blocked %"},
            {"Id": "total", "Expression": "SUM(METRICS())"},
        ],
        StartTime=NOW - datetime.timedelta(minutes=30),
        EndTime=NOW,
        ScanBy="TimestampAscending",
    )
    if out:
        res = {r["Id"]: r for r in out["MetricDataResults"]}
        share, total = res.get("share"), res.get("total")
        if not share or len(share["Values"]) < 20 or not all(0 < v < 100 for v in share["Values"]):
            FAILURES.append(f"cloudwatch [{protocol}]: expression points {share}")
        elif share["Timestamps"] != total["Timestamps"] or share["Label"] != "blocked %":
            FAILURES.append(f"cloudwatch [{protocol}]: timestamps or label differ")
        else:
            minute = share["Timestamps"][0]
            if minute.tzinfo is None or minute.second != 0:
                FAILURES.append(f"cloudwatch [{protocol}]: timestamp {minute!r}")
    out = call(c, raw, "list_metrics", Namespace="AWS/WAFV2", MetricName="BlockedRequests")
    if out and not out["Metrics"]:
        FAILURES.append(f"cloudwatch [{protocol}]: ListMetrics found nothing")
    # A period that is not a multiple of 60 passes botocore's own validation; the service refuses it.
    expect_error(
        c,
        raw,
        "get_metric_data",
        "InvalidParameterValue",
        MetricDataQueries=[{"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/WAFV2", "MetricName": "BlockedRequests"}, "Period": 45, "Stat": "Sum"}}],
        StartTime=NOW - datetime.timedelta(minutes=30),
        EndTime=NOW,
    )
    expect_error(
        c,
        raw,
        "get_metric_data",
        "ValidationError",
        MetricDataQueries=[{"Id": "e1", "Expression": "ANOMALY_DETECTION_BAND(m1)"}],
        StartTime=NOW - datetime.timedelta(minutes=30),
        EndTime=NOW,
    )
    return out


def live_tail(session):
    """StartLiveTail: its event stream as botocore reads it (initial-response, sessionStart, a
    sessionUpdate), each event walked against its shape, and a modelled error. botocore puts the
    model's `stream-` host prefix in front of an endpoint URL too, so `inject_host_prefix=False`."""
    c = session.create_client(
        "logs",
        region_name=REGION,
        endpoint_url=ENDPOINT,
        aws_access_key_id=KEY,
        aws_secret_access_key="conformance",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=20, inject_host_prefix=False),
    )
    raw = Raw(c)
    sts = client(session, "sts")
    account = call(sts, Raw(sts), "get_caller_identity", "for the ARN")["Account"]
    arn = f"arn:aws:logs:{REGION}:{account}:log-group:/ecs/wordpress"
    out = call(c, raw, "start_live_tail", logGroupIdentifiers=[arn], logStreamNamePrefixes=["wp/nginx/"])
    if out is None:
        return
    union = c.meta.service_model.operation_model("StartLiveTail").output_shape.members["responseStream"]
    seen = []
    for event in out["responseStream"]:
        errors = []
        check(union, event, "$.responseStream", errors)
        kind = next(iter(event))
        name = f"logs.StartLiveTail [json] event {kind}"
        for e in errors:
            FAILURES.append(f"{name}: {e}")
        CALLS.append(name)
        print(("ok   " if not errors else "FAIL ") + name + ("" if not errors else ": " + "; ".join(errors[:5])))
        seen.append(kind)
        if kind == "sessionUpdate":
            break
    out["responseStream"].close()
    if seen[:2] != ["sessionStart", "sessionUpdate"]:
        FAILURES.append(f"logs.StartLiveTail: events {seen}, not sessionStart then sessionUpdate")
    expect_error(c, raw, "start_live_tail", "ResourceNotFoundException", logGroupIdentifiers=[arn + "-nope"])


def main():
    session = botocore.session.get_session()
    ecs, logs, waf, elb, sts = (client(session, s) for s in ("ecs", "logs", "wafv2", "elbv2", "sts"))
    r = {name: Raw(c) for name, c in (("ecs", ecs), ("logs", logs), ("waf", waf), ("elb", elb), ("sts", sts))}

    call(sts, r["sts"], "get_caller_identity")

    lbs = call(elb, r["elb"], "describe_load_balancers")
    lb = lbs["LoadBalancers"][0]
    for member in ("CreatedTime", "CanonicalHostedZoneId", "AvailabilityZones", "SecurityGroups", "IpAddressType"):
        if member not in lb:
            FAILURES.append(f"DescribeLoadBalancers: no {member}")
    tgs = call(elb, r["elb"], "describe_target_groups", LoadBalancerArn=lb["LoadBalancerArn"])
    call(elb, r["elb"], "describe_target_health", TargetGroupArn=tgs["TargetGroups"][0]["TargetGroupArn"])
    expect_error(elb, r["elb"], "describe_load_balancers", "LoadBalancerNotFound", Names=["nope"])

    call(ecs, r["ecs"], "list_clusters")
    call(ecs, r["ecs"], "list_services", cluster="wp-prod")
    svc = call(ecs, r["ecs"], "describe_services", cluster="wp-prod", services=["wordpress"])["services"][0]
    arns = call(ecs, r["ecs"], "list_tasks", cluster="wp-prod", serviceName="wordpress")["taskArns"]
    call(ecs, r["ecs"], "describe_tasks", cluster="wp-prod", tasks=arns)
    call(ecs, r["ecs"], "describe_task_definition", taskDefinition=svc["taskDefinition"])
    call(ecs, r["ecs"], "list_task_definitions")
    call(
        ecs,
        r["ecs"],
        "register_task_definition",
        family="conformance",
        containerDefinitions=[{"name": "app", "image": "public.ecr.aws/nginx/nginx:stable", "essential": True}],
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
    )
    # What `wpops audit` reads must come back as registered.
    posture = {
        "name": "php-fpm",
        "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest",
        "essential": True,
        "readonlyRootFilesystem": False,
        "privileged": True,
        "memory": 1536,
        "memoryReservation": 1024,
        "environment": [{"name": "WORDPRESS_DB_HOST", "value": "db:3306"}],
        "secrets": [{"name": "WORDPRESS_DB_PASSWORD", "valueFrom": "arn:aws:ssm:ap-northeast-1:123456789012:parameter/db"}],
        "mountPoints": [{"sourceVolume": "wordpress", "containerPath": "/app/public", "readOnly": True}],
        "dependsOn": [{"containerName": "nginx", "condition": "START"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/wordpress", "awslogs-region": REGION, "awslogs-stream-prefix": "wp", "mode": "non-blocking"}},
    }
    registered = call(
        ecs,
        r["ecs"],
        "register_task_definition",
        "posture fields",
        family="conformance-posture",
        containerDefinitions=[posture],
        volumes=[{"name": "wordpress", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/", "transitEncryption": "DISABLED"}}],
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="1024",
        memory="2048",
    )
    if registered:
        got = registered["taskDefinition"]["containerDefinitions"][0]
        for k, v in posture.items():
            if k != "logConfiguration" and got.get(k) != v:
                FAILURES.append(f"RegisterTaskDefinition: {k} not echoed as sent: {got.get(k)!r}")
        if got.get("logConfiguration", {}).get("options", {}).get("mode") != "non-blocking":
            FAILURES.append(f"RegisterTaskDefinition: log mode not echoed: {got.get('logConfiguration')}")
        vol = registered["taskDefinition"]["volumes"][0].get("efsVolumeConfiguration", {})
        if vol.get("transitEncryption") != "DISABLED":
            FAILURES.append(f"RegisterTaskDefinition: transitEncryption not echoed: {vol}")
    overrides = {"cpu": "512", "memory": "1024", "containerOverrides": [{"name": "warmer", "command": ["true"]}]}
    run = call(
        ecs,
        r["ecs"],
        "run_task",
        cluster="wp-prod",
        taskDefinition="wordpress-warmer",
        launchType="FARGATE",
        overrides=overrides,
        networkConfiguration={"awsvpcConfiguration": {"subnets": [lb["AvailabilityZones"][0]["SubnetId"]]}},
    )
    task = run["tasks"][0]
    if (task.get("cpu"), task.get("memory"), task.get("overrides")) != ("512", "1024", overrides):
        FAILURES.append(f"RunTask: size or overrides not as sent: {task.get('cpu')} {task.get('memory')} {task.get('overrides')}")
    call(ecs, r["ecs"], "stop_task", cluster="wp-prod", task=task["taskArn"], reason="conformance")
    call(ecs, r["ecs"], "update_service", cluster="wp-prod", service="wordpress", forceNewDeployment=True)
    deps = call(ecs, r["ecs"], "list_service_deployments", cluster="wp-prod", service="wordpress")
    dep_arns = [d["serviceDeploymentArn"] for d in deps["serviceDeployments"]][:5]
    described = call(ecs, r["ecs"], "describe_service_deployments", serviceDeploymentArns=dep_arns)
    rev = [d["targetServiceRevision"]["arn"] for d in described["serviceDeployments"] if "targetServiceRevision" in d][:5]
    call(ecs, r["ecs"], "describe_service_revisions", serviceRevisionArns=rev)
    expect_error(ecs, r["ecs"], "describe_services", "ClusterNotFoundException", cluster="nope", services=["x"])

    call(logs, r["logs"], "describe_log_groups")
    streams = call(logs, r["logs"], "describe_log_streams", logGroupName="/ecs/wordpress", logStreamNamePrefix="wp/nginx/")
    call(logs, r["logs"], "filter_log_events", logGroupName="/ecs/wordpress", logStreamNamePrefix="wp/nginx/", limit=50)
    call(logs, r["logs"], "get_log_events", logGroupName="/ecs/wordpress", logStreamName=streams["logStreams"][0]["logStreamName"], limit=20)
    call(logs, r["logs"], "create_log_group", logGroupName=f"/conformance/{NOW_MS}")
    call(logs, r["logs"], "create_log_stream", logGroupName=f"/conformance/{NOW_MS}", logStreamName="s")
    call(logs, r["logs"], "put_log_events", logGroupName=f"/conformance/{NOW_MS}", logStreamName="s", logEvents=[{"timestamp": NOW_MS, "message": "conformance"}])
    expect_error(logs, r["logs"], "filter_log_events", "ResourceNotFoundException", logGroupName="/nope")
    live_tail(session)

    acls = call(waf, r["waf"], "list_web_acls", Scope="REGIONAL")["WebACLs"]
    acl = call(waf, r["waf"], "get_web_acl", Name=acls[0]["Name"], Scope="REGIONAL", Id=acls[0]["Id"])["WebACL"]
    call(waf, r["waf"], "get_web_acl_for_resource", ResourceArn=lb["LoadBalancerArn"])
    call(
        waf,
        r["waf"],
        "get_sampled_requests",
        WebAclArn=acl["ARN"],
        RuleMetricName=acl["Rules"][0]["VisibilityConfig"]["MetricName"],
        Scope="REGIONAL",
        TimeWindow={"StartTime": NOW - datetime.timedelta(minutes=30), "EndTime": NOW},
        MaxItems=100,
    )

    call(waf, r["waf"], "get_logging_configuration", ResourceArn=acl["ARN"])

    ecr = client(session, "ecr")
    r["ecr"] = Raw(ecr)
    repos = call(ecr, r["ecr"], "describe_repositories", repositoryNames=["wordpress", "wordpress-warmer"])
    images = call(ecr, r["ecr"], "describe_images", repositoryName="wordpress", imageIds=[{"imageTag": "php-latest"}])
    if repos and images:
        digest = images["imageDetails"][0]["imageDigest"]
        found = call(ecr, r["ecr"], "describe_image_scan_findings", repositoryName="wordpress", imageId={"imageDigest": digest}, maxResults=5)
        if found and len(found["imageScanFindings"].get("findings", [])) > 5:
            FAILURES.append("DescribeImageScanFindings: more findings than maxResults")
    call(ecr, r["ecr"], "describe_images", "all", repositoryName="wordpress-warmer")
    expect_error(ecr, r["ecr"], "describe_repositories", "RepositoryNotFoundException", repositoryNames=["nope"])
    expect_error(ecr, r["ecr"], "describe_images", "ImageNotFoundException", repositoryName="wordpress", imageIds=[{"imageTag": "nope"}])

    # CloudWatch: botocore's default protocol, then each other protocol its model lists.
    cw = client(session, "cloudwatch")
    default = cw.meta.service_model.resolved_protocol
    listed = cw.meta.service_model.metadata.get("protocols", [default])
    print(f"cloudwatch: botocore {botocore.__version__} picks {default} of {listed}")
    cloudwatch(cw)
    with tempfile.TemporaryDirectory() as tmp:
        for protocol in listed:
            if protocol == default:
                continue
            forced = client(forced_session(protocol, tmp), "cloudwatch")
            if forced.meta.service_model.resolved_protocol != protocol:
                FAILURES.append(f"cloudwatch: could not force {protocol}")
                continue
            cloudwatch(forced)

    print(f"{len(CALLS)} calls checked, {len(FAILURES)} failures")
    for f in FAILURES:
        print("  " + f)
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
