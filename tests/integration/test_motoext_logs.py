#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The local endpoint answers what `awsx logs` reads as AWS does (motoext_logs.py on
top of moto 5.2.1; each difference is in docs/testing.md): Lambda LoggingConfig, REST
and HTTP API stage logging, state machine logging, X-Ray summaries and traces,
FilterLogEvents' order. boto3 through the verifying proxy; the awsx binary is not run.

X-Ray keeps one store per account and region and every test of the run shares moto:
the X-Ray tests each use a region of their own and windows no other test uses.
"""

import io
import json
import os
import random
import sys
import time
import uuid
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness  # noqa: E402
import logstest  # noqa: E402
import samstack  # noqa: E402

from botocore.exceptions import ClientError  # noqa: E402


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def deploy(template, parameters=None):
    """Create a stack from template text through the proxy (which applies the SAM
    transform); {logical id: physical id}."""
    _, cfn = samstack.clients(harness.env()["endpoint_url"])
    name = unique("logsext")
    samstack.send_template(cfn, name, template, parameters)
    samstack.wait_for_stack(cfn, name)
    return name, samstack.stack_resources(cfn, name)


def update(name, template):
    _, cfn = samstack.clients(harness.env()["endpoint_url"])
    assert samstack.send_template(cfn, name, template) == "update"
    samstack.wait_for_stack(cfn, name)
    return samstack.stack_resources(cfn, name)


def error_of(call):
    try:
        call()
    except ClientError as e:
        return (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"],
                e.response["Error"].get("Message", ""))
    raise AssertionError("the call succeeded but should have failed")


def raw_body(client, operation, call):
    """The body of the HTTP answer to call() (boto3 drops null members)."""
    seen = []

    def keep(http_response, **_):
        seen.append(http_response.content)
    event = "after-call.%s.%s" % (client.meta.service_model.service_id.hyphenize(), operation)
    client.meta.events.register(event, keep)
    try:
        call()
    finally:
        client.meta.events.unregister(event, keep)
    return json.loads(seen[-1])


# --------------------------------------------------------------------------------------
# Lambda
# --------------------------------------------------------------------------------------

def test_lambda_logging_config_api(tmp):
    lam = logstest.client("lambda")
    iam = logstest.client("iam")
    role = iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]
    }))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return 1\n")
    code = {"ZipFile": buf.getvalue()}
    plain, custom = unique("fn"), unique("fn")
    lam.create_function(FunctionName=plain, Runtime="python3.12", Role=role,
                        Handler="index.handler", Code=code)
    created = lam.create_function(FunctionName=custom, Runtime="python3.12", Role=role,
                                  Handler="index.handler", Code=code,
                                  LoggingConfig={"LogFormat": "JSON", "LogGroup": "/custom/x",
                                                 "ApplicationLogLevel": "DEBUG"})
    want = {"LogFormat": "JSON", "LogGroup": "/custom/x", "ApplicationLogLevel": "DEBUG",
            "SystemLogLevel": "INFO"}
    assert created["LoggingConfig"] == want, created.get("LoggingConfig")
    assert lam.get_function_configuration(FunctionName=custom)["LoggingConfig"] == want
    assert lam.get_function(FunctionName=custom)["Configuration"]["LoggingConfig"] == want
    default = {"LogFormat": "Text", "LogGroup": "/aws/lambda/%s" % plain}
    assert lam.get_function_configuration(FunctionName=plain)["LoggingConfig"] == default
    listed = {f["FunctionName"]: f.get("LoggingConfig")
              for page in lam.get_paginator("list_functions").paginate()
              for f in page["Functions"]}
    assert listed[plain] == default and listed[custom] == want, listed
    # an update sets the members it names; the version published before keeps its own
    version = lam.publish_version(FunctionName=custom)["Version"]
    lam.update_function_configuration(FunctionName=custom,
                                      LoggingConfig={"LogGroup": "/custom/y"})
    got = lam.get_function_configuration(FunctionName=custom)["LoggingConfig"]
    assert got == dict(want, LogGroup="/custom/y"), got
    got = lam.get_function_configuration(FunctionName=custom, Qualifier=version)
    assert got["LoggingConfig"] == want, got["LoggingConfig"]


LAMBDA_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: {Bucket: %(bucket)s, Key: %(key)s}
      Tracing: Active
%(sam_logging)s
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: sts:AssumeRole, Principal: {Service: lambda.amazonaws.com}}
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {S3Bucket: %(bucket)s, S3Key: %(key)s}
%(plain_logging)s
"""


def code_zip():
    """(bucket, key) of a handler's zip in moto's S3 (code in S3, not inline: moto
    fails a CloudFormation update of inline ZipFile code with "Incorrect padding")."""
    s3, _ = samstack.clients(harness.env()["endpoint_url"])
    samstack.ensure_bucket(s3, samstack.DEFAULT_BUCKET)
    key = "logsext/%s.zip" % uuid.uuid4().hex
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return 1\n")
    s3.put_object(Bucket=samstack.DEFAULT_BUCKET, Key=key, Body=buf.getvalue())
    return samstack.DEFAULT_BUCKET, key


def test_lambda_logging_config_template(tmp):
    lam = logstest.client("lambda")
    bucket, key = code_zip()
    template = LAMBDA_TEMPLATE % {
        "bucket": bucket, "key": key,
        "sam_logging": "      LoggingConfig: {LogFormat: JSON, LogGroup: /sam/fn}",
        "plain_logging": "      LoggingConfig: {LogFormat: Text, LogGroup: /plain/fn}\n"
                         "      TracingConfig: {Mode: Active}"}
    name, ids = deploy(template)
    sam = lam.get_function_configuration(FunctionName=ids["Sam"])
    assert sam["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": "/sam/fn",
                                    "ApplicationLogLevel": "INFO",
                                    "SystemLogLevel": "INFO"}, sam["LoggingConfig"]
    assert sam["TracingConfig"] == {"Mode": "Active"}, sam["TracingConfig"]
    plain = lam.get_function_configuration(FunctionName=ids["Plain"])
    assert plain["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/plain/fn"}
    assert plain["TracingConfig"] == {"Mode": "Active"}
    # an update without them: the defaults again, as on AWS
    ids = update(name, LAMBDA_TEMPLATE % {"bucket": bucket, "key": key, "sam_logging": "",
                                          "plain_logging": ""})
    plain = lam.get_function_configuration(FunctionName=ids["Plain"])
    assert plain["LoggingConfig"] == {"LogFormat": "Text",
                                      "LogGroup": "/aws/lambda/%s" % ids["Plain"]}
    assert plain["TracingConfig"] == {"Mode": "PassThrough"}
    sam = lam.get_function_configuration(FunctionName=ids["Sam"])
    assert sam["LoggingConfig"]["LogGroup"] == "/aws/lambda/%s" % ids["Sam"]


# --------------------------------------------------------------------------------------
# API Gateway
# --------------------------------------------------------------------------------------

REST_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: beta
      AccessLogSetting:
        DestinationArn: arn:aws:logs:us-east-1:123456789012:log-group:sam-access
        Format: $context.requestId
      MethodSettings:
        - {ResourcePath: /*, HttpMethod: "*", LoggingLevel: ERROR, MetricsEnabled: true}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c): return 1"
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /items, Method: get}}
  Plain:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: plain
      Body:
        openapi: 3.0.1
        info: {title: plain, version: "1"}
        paths:
          /x: {get: {x-amazon-apigateway-integration: {type: mock}}}
  PlainDeployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Plain
      StageName: described
      StageDescription:
        AccessLogSetting: {DestinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:d"}
        MethodSettings: [{ResourcePath: /*, HttpMethod: "*", LoggingLevel: INFO}]
  PlainStage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Plain
      DeploymentId: !Ref PlainDeployment
      StageName: dev
      MethodSettings:
        - {ResourcePath: /x, HttpMethod: GET, LoggingLevel: INFO, DataTraceEnabled: true}
  QuietStage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Plain, DeploymentId: !Ref PlainDeployment, StageName: quiet}
"""


def test_rest_api_stage_logging(tmp):
    apigw = logstest.client("apigateway")
    _, ids = deploy(REST_TEMPLATE)
    stages = {s["stageName"]: s for s in apigw.get_stages(restApiId=ids["Api"])["item"]}
    beta = stages["beta"]
    assert beta["accessLogSettings"] == {
        "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:sam-access",
        "format": "$context.requestId"}, beta
    assert beta["methodSettings"]["*/*"]["loggingLevel"] == "ERROR", beta["methodSettings"]
    assert beta["methodSettings"]["*/*"]["metricsEnabled"] is True
    stages = {s["stageName"]: s for s in apigw.get_stages(restApiId=ids["Plain"])["item"]}
    dev = stages["dev"]
    assert "accessLogSettings" not in dev, dev
    assert dev["methodSettings"]["~1x/GET"]["loggingLevel"] == "INFO", dev["methodSettings"]
    assert dev["methodSettings"]["~1x/GET"]["dataTraceEnabled"] is True
    described = stages["described"]
    assert described["accessLogSettings"] == {
        "destinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:d"}, described
    assert described["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
    # no access logging: no member at all (moto answered null)
    body = raw_body(apigw, "GetStage", lambda: apigw.get_stage(restApiId=ids["Plain"],
                                                                 stageName="quiet"))
    assert "accessLogSettings" not in body, body


HTTP_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Sam:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: v1
      AccessLogSettings:
        DestinationArn: arn:aws:logs:us-east-1:123456789012:log-group:http-access
        Format: $context.requestId
      DefaultRouteSettings: {LoggingLevel: INFO, DetailedMetricsEnabled: true}
  Plain:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: plain, ProtocolType: HTTP}
  PlainStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Plain
      StageName: live
      AutoDeploy: true
      AccessLogSettings:
        DestinationArn: arn:aws:logs:us-east-1:123456789012:log-group:plain-access
        Format: $context.requestId $context.status
      RouteSettings:
        "GET /x": {ThrottlingBurstLimit: 5}
"""


def test_http_api_stage_logging(tmp):
    v2 = logstest.client("apigatewayv2")
    _, ids = deploy(HTTP_TEMPLATE)
    stages = {s["StageName"]: s for s in v2.get_stages(ApiId=ids["Sam"])["Items"]}
    v1 = stages["v1"]
    assert v1["AccessLogSettings"] == {
        "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:http-access",
        "Format": "$context.requestId"}, v1
    assert v1["DefaultRouteSettings"].get("LoggingLevel") == "INFO", v1
    assert v1["DefaultRouteSettings"].get("DetailedMetricsEnabled") is True, v1
    live = v2.get_stage(ApiId=ids["Plain"], StageName="live")
    assert live["AccessLogSettings"]["DestinationArn"].endswith(":log-group:plain-access"), live
    assert live["AccessLogSettings"]["Format"] == "$context.requestId $context.status"
    assert live["RouteSettings"] == {"GET /x": {"ThrottlingBurstLimit": 5}}, live


# --------------------------------------------------------------------------------------
# Step Functions
# --------------------------------------------------------------------------------------

SFN_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Sam:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
      Logging:
        Level: ALL
        IncludeExecutionData: true
        Destinations:
          - CloudWatchLogsLogGroup:
              LogGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/sm/sam:*"
      Tracing: {Enabled: true}
      Policies: []
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: sts:AssumeRole, Principal: {Service: states.amazonaws.com}}
  Plain:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionString: '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
      LoggingConfiguration:
        Level: ERROR
        Destinations:
          - CloudWatchLogsLogGroup:
              LogGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/sm/plain:*"
  Quiet:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionString: '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
"""


def test_state_machine_logging(tmp):
    sfn = logstest.client("stepfunctions")
    _, ids = deploy(SFN_TEMPLATE)
    sam = sfn.describe_state_machine(stateMachineArn=ids["Sam"])
    assert sam["type"] == "EXPRESS", sam["type"]
    assert sam["loggingConfiguration"] == {
        "level": "ALL", "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {
            "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/sm/sam:*"}}]
    }, sam["loggingConfiguration"]
    assert sam["tracingConfiguration"] == {"enabled": True}
    plain = sfn.describe_state_machine(stateMachineArn=ids["Plain"])
    assert plain["type"] == "STANDARD"
    assert plain["loggingConfiguration"]["level"] == "ERROR"
    assert plain["loggingConfiguration"]["destinations"][0]["cloudWatchLogsLogGroup"][
        "logGroupArn"].endswith(":log-group:/sm/plain:*")
    quiet = sfn.describe_state_machine(stateMachineArn=ids["Quiet"])
    assert quiet["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}


# --------------------------------------------------------------------------------------
# X-Ray
# --------------------------------------------------------------------------------------

def quiet_window(hours_back_min=24, hours_back_max=24 * 12):
    """A start time (epoch seconds) no other test puts traces at: some minute days ago."""
    return int(time.time()) - random.randint(hours_back_min * 60, hours_back_max * 60) * 60


def test_xray_summary_fields(tmp):
    region = "eu-west-3"
    t0 = quiet_window() + 0.25
    tid = logstest.make_trace_id(t0)
    root = logstest.segment(tid, "orders-api", t0, t0 + 0.75, origin="AWS::ApiGateway::Stage",
                            method="POST", url="https://api.example.com/prod/orders",
                            status=502, user_agent="curl/8", client_ip="10.0.0.1",
                            annotations={"tenant": "a"},
                            subsegments=[logstest.subsegment("DynamoDB", t0 + 0.1, t0 + 0.2,
                                                             namespace="aws", throttle=True)])
    callee = logstest.segment(tid, "orders-fn", t0 + 0.05, t0 + 1.5, parent_id=root["id"],
                              origin="AWS::Lambda::Function", error=True)
    logstest.put_trace(tid, root, callee, region=region)
    summaries = logstest.trace_summaries(t0 - 60, t0 + 60, region=region)
    assert [s["Id"] for s in summaries] == [tid], summaries
    s = summaries[0]
    assert s["IsPartial"] is False and "IsParital" not in s, s
    assert abs(s["Duration"] - 1.5) < 1e-6, s          # earliest start to last end, float
    assert abs(s["ResponseTime"] - 0.75) < 1e-6, s     # the root segment's
    assert abs(s["StartTime"].timestamp() - t0) < 1e-3, s
    assert s["Http"] == {"HttpURL": "https://api.example.com/prod/orders", "HttpMethod": "POST",
                         "HttpStatus": 502, "UserAgent": "curl/8", "ClientIp": "10.0.0.1"}, s
    # HasFault / HasError: the root segment's; HasThrottle: any (sub)segment's
    assert s["HasFault"] is True and s["HasError"] is False and s["HasThrottle"] is True, s
    assert s["Revision"] == 2, s
    assert s["EntryPoint"]["Name"] == "orders-api", s
    assert {x["Name"] for x in s["ServiceIds"]} == {"orders-api", "orders-fn"}, s
    assert s["Annotations"]["tenant"][0]["AnnotationValue"] == {"StringValue": "a"}, s


def test_xray_in_progress_then_complete(tmp):
    region = "eu-north-1"
    t0 = quiet_window() + 0.5
    tid, docs = logstest.lambda_trace("slow-fn", t0, 2.0, in_progress=True)
    logstest.put_trace(tid, *docs, region=region)
    s = logstest.trace_summaries(t0 - 10, t0 + 10, region=region)
    assert [x["Id"] for x in s] == [tid], s
    assert s[0]["IsPartial"] is True and s[0]["Revision"] == 2, s
    assert "ResponseTime" not in s[0], s               # the root has not ended
    # the same segments again, complete: they replace the earlier documents
    _, done = logstest.lambda_trace("slow-fn", t0, 2.0, trace_id=tid, fault=True, status=200)
    for new, old in zip(done, docs):
        new["id"] = old["id"]
    done[1]["parent_id"] = done[0]["id"]
    logstest.put_trace(tid, *done, region=region)
    s = logstest.trace_summaries(t0 - 10, t0 + 10, region=region)
    assert s[0]["IsPartial"] is False and s[0]["Revision"] == 4, s
    assert abs(s[0]["Duration"] - 2.0) < 1e-6 and abs(s[0]["ResponseTime"] - 2.0) < 1e-6, s
    assert s[0]["HasFault"] is True and s[0]["Http"] == {"HttpStatus": 200}, s
    traces = logstest.batch_get_traces([tid], region=region)
    got = traces[tid]
    assert sorted(d["id"] for d in got) == sorted(d["id"] for d in docs), got
    assert all("in_progress" not in d for d in got), got


def test_xray_window(tmp):
    region = "ap-southeast-2"
    base = quiet_window()
    inside = logstest.make_trace_id(base + 100)
    before = logstest.make_trace_id(base + 10)
    for tid, t in ((inside, base + 100), (before, base + 10)):
        logstest.put_trace(tid, logstest.segment(tid, "w", t + 0.4, t + 0.9), region=region)

    def ids(start, end, **kw):
        return sorted(x["Id"] for x in logstest.trace_summaries(start, end, region=region, **kw))
    # TraceId (the default): the time in the id; both ends of the window count
    # (boto3 sends whole seconds: fractions are checked in test_xray_window_fractions)
    assert ids(base + 50, base + 150) == [inside]
    assert ids(base + 100, base + 100) == [inside]
    assert ids(base + 101, base + 150) == []
    assert ids(base, base + 150) == sorted([inside, before])
    # Service: a segment's end time (base + 100.9)
    assert ids(base + 100, base + 101, TimeRangeType="Service") == [inside]
    assert ids(base + 101, base + 102, TimeRangeType="Service") == []
    # Event: when its last segment arrived (now)
    now = time.time()
    assert set(ids(now - 120, now + 5, TimeRangeType="Event")) >= {inside, before}
    assert ids(base, base + 150, TimeRangeType="Event") == []
    xray = logstest.client("xray", region)
    status, code, message = error_of(lambda: xray.get_trace_summaries(
        StartTime=base, EndTime=base + 24 * 3600 + 1))
    assert (status, code) == (400, "InvalidRequestException"), (status, code, message)
    assert xray.get_trace_summaries(StartTime=base, EndTime=base + 24 * 3600)["TraceSummaries"]
    status, code, _ = error_of(lambda: xray.get_trace_summaries(StartTime=base + 10,
                                                                 EndTime=base))
    assert (status, code) == (400, "InvalidRequestException")


def summaries_fractional(xray, start, end, **kw):
    """GetTraceSummaries with StartTime / EndTime sent with their fractions (boto3
    sends whole seconds; awsx and the other SDKs send milliseconds)."""
    def body(request, **_):
        doc = json.loads(request.data)
        doc.update(StartTime=start, EndTime=end)
        request.data = json.dumps(doc).encode()
    event = "before-sign.xray.GetTraceSummaries"
    xray.meta.events.register(event, body)
    try:
        return [x["Id"] for x in xray.get_trace_summaries(StartTime=int(start),
                                                           EndTime=int(end),
                                                           **kw)["TraceSummaries"]]
    finally:
        xray.meta.events.unregister(event, body)


def test_xray_window_fractions(tmp):
    region = "ap-northeast-3"
    base = quiet_window()
    tid = logstest.make_trace_id(base + 100)
    logstest.put_trace(tid, logstest.segment(tid, "f", base + 100.25, base + 100.75),
                       region=region)
    xray = logstest.client("xray", region)
    assert summaries_fractional(xray, base + 99.5, base + 100.5) == [tid]
    assert summaries_fractional(xray, base + 100.5, base + 101.5) == []
    assert summaries_fractional(xray, base + 99.999, base + 99.9995) == []
    assert summaries_fractional(xray, base + 100.7, base + 100.8,
                                TimeRangeType="Service") == [tid]
    assert summaries_fractional(xray, base + 100.1, base + 100.7,
                                TimeRangeType="Service") == []


def test_xray_paging_newest_first(tmp):
    region = "ca-central-1"
    base = quiet_window()
    ids = []
    docs = []
    for i in range(130):
        tid = logstest.make_trace_id(base + i)
        ids.append(tid)
        docs.append(logstest.segment(tid, "p", base + i + 0.1, base + i + 0.2))
    logstest.put_trace(None, *docs, region=region)
    xray = logstest.client("xray", region)
    first = xray.get_trace_summaries(StartTime=base, EndTime=base + 200)
    assert first.get("NextToken") and len(first["TraceSummaries"]) == 100, len(
        first["TraceSummaries"])
    assert first["TracesProcessedCount"] == 130, first["TracesProcessedCount"]
    got = logstest.trace_summaries(base, base + 200, region=region)
    assert [x["Id"] for x in got] == list(reversed(ids)), "not newest first, or not all once"
    status, code, _ = error_of(lambda: xray.get_trace_summaries(
        StartTime=base, EndTime=base + 200, NextToken="not-a-token"))
    assert (status, code) == (400, "InvalidRequestException")


def test_xray_batch_get_traces(tmp):
    region = "sa-east-1"
    t0 = quiet_window()
    tid = logstest.make_trace_id(t0)
    text = json.dumps(logstest.segment(tid, "doc", t0, t0 + 0.3, fault=True), indent=1)
    sub = logstest.independent_subsegment(tid, json.loads(text)["id"], "call", t0 + 0.1,
                                          t0 + 0.2)
    logstest.put_trace(tid, text, sub, region=region)
    xray = logstest.client("xray", region)
    missing = logstest.make_trace_id(t0)
    r = xray.batch_get_traces(TraceIds=[tid, missing])
    assert r["UnprocessedTraceIds"] == [missing], r
    (trace,) = r["Traces"]
    assert trace["Id"] == tid and abs(trace["Duration"] - 0.3) < 1e-6, trace
    documents = {s["Id"]: s["Document"] for s in trace["Segments"]}
    assert documents[json.loads(text)["id"]] == text, documents     # as sent
    assert json.loads(documents[sub["id"]])["parent_id"] == json.loads(text)["id"]
    status, code, _ = error_of(lambda: xray.batch_get_traces(
        TraceIds=[logstest.make_trace_id() for _ in range(6)]))
    assert (status, code) == (400, "InvalidRequestException")


def test_xray_filter_expression(tmp):
    region = "eu-south-1"
    t0 = quiet_window()
    ok_id, ok_docs = logstest.lambda_trace("fx-ok", t0 + 1, 0.1)
    bad_id, bad_docs = logstest.lambda_trace("fx-bad", t0 + 2, 0.9, fault=True, status=500,
                                             annotations={"tenant": "b"})
    logstest.put_trace(ok_id, *ok_docs, region=region)
    logstest.put_trace(bad_id, *bad_docs, region=region)

    def ids(expr):
        return sorted(x["Id"] for x in logstest.trace_summaries(
            t0, t0 + 10, region=region, FilterExpression=expr))
    assert ids("fault") == [bad_id]
    assert ids("ok") == [ok_id]
    assert ids('service("fx-ok")') == [ok_id]
    assert ids('service(id(name: "fx-bad", type: "AWS::Lambda::Function"))') == [bad_id]
    assert ids("responsetime > 0.5 AND http.status = 500") == [bad_id]
    assert ids('annotation.tenant = "b" OR NOT fault') == sorted([ok_id, bad_id])
    xray = logstest.client("xray", region)
    status, code, message = error_of(lambda: xray.get_trace_summaries(
        StartTime=t0, EndTime=t0 + 10, FilterExpression='edge("a", "b")'))
    assert (status, code) == (400, "InvalidRequestException") and "test endpoint" in message


# --------------------------------------------------------------------------------------
# CloudWatch Logs
# --------------------------------------------------------------------------------------

def test_filter_log_events_interleaved(tmp):
    group = "/awsx/test/" + unique("logs")
    t = logstest.now_ms() - 60000
    logstest.put_events(group, "a", [(t + 2 * i, "a%d" % i) for i in range(5)])
    logstest.put_events(group, "b", [(t + 2 * i + 1, "b%d" % i) for i in range(5)])
    events = logstest.filter_events(group)
    assert [e["message"] for e in events] == [m for i in range(5) for m in ("a%d" % i,
                                                                           "b%d" % i)], events
    assert len({e["eventId"] for e in events}) == 10
    # pages of 3 give every event once, in the same order
    paged = logstest.filter_events(group, limit=3)
    assert [e["eventId"] for e in paged] == [e["eventId"] for e in events]
    # startTime and endTime both count
    window = logstest.filter_events(group, startTime=t + 1, endTime=t + 3)
    assert [e["message"] for e in window] == ["b0", "a1", "b1"], window
    logs = logstest.client("logs")
    status, code, message = error_of(lambda: logs.filter_log_events(logGroupName=group + "-no"))
    assert (status, code) == (400, "ResourceNotFoundException"), (status, code, message)


harness.main(globals())
