# SPDX-License-Identifier: Apache-2.0
"""test_samstack.py: SAM stacks in moto, run by ctest as samstack-<name>.

Checks the test infrastructure `awsx sync` is tested with: the SAM transform the
verifying proxy applies to CreateStack / UpdateStack / change sets (samtransform.py),
the CloudFormation types added to moto (motoext.py), and the deploy helper
(samstack.py, harness.deploy_sam_stack) on examples/blog and on small templates
written here. Everything is read back with boto3 through the proxy, as AWS answers.
Needs the local endpoint (AWSX_ENV_DIR), not the awsx binary.
"""

import base64
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
import harness  # noqa: E402
import samstack  # noqa: E402

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BLOG = ROOT / "examples" / "blog"
# A key of this test process's own, so request-log entries read back are ours.
KEY = "AKIASAMS" + hashlib.sha1(
    (sys.argv[1] if len(sys.argv) > 1 else "").encode()).hexdigest()[:12].upper()


def client(service):
    cfg = botocore.config.Config(region_name="us-east-1", connect_timeout=10,
                                 read_timeout=60, retries={"mode": "standard",
                                                           "max_attempts": 3})
    return boto3.session.Session().client(
        service, endpoint_url=harness.env()["endpoint_url"], config=cfg,
        aws_access_key_id=KEY, aws_secret_access_key=harness.TEST_SECRET)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def deploy(stack, template_dir, **kw):
    return harness.deploy_sam_stack(stack, str(template_dir), access_key=KEY, **kw)


def code_sha256(folder):
    """Lambda's CodeSha256 of the zip the helper makes of folder."""
    return base64.b64encode(hashlib.sha256(samstack.zip_folder(str(folder))).digest()).decode()


def original(cfn, stack):
    return cfn.get_template(StackName=stack, TemplateStage="Original")["TemplateBody"]


def processed(cfn, stack):
    body = cfn.get_template(StackName=stack)["TemplateBody"]
    return body if isinstance(body, dict) else json.loads(body)


def upload_zip(s3, folder, key):
    samstack.ensure_bucket(s3, samstack.DEFAULT_BUCKET)
    s3.put_object(Bucket=samstack.DEFAULT_BUCKET, Key=key, Body=samstack.zip_folder(str(folder)))


def s3_client():
    return samstack.clients(harness.env()["endpoint_url"], access_key=KEY)[0]


def transformed_requests(mark, operation):
    return [e for e in harness.requests_since(mark, access_key=KEY, operation=operation)
            if e.get("sam_transform")]


# --------------------------------------------------------------------------------------
# examples/blog through the helper
# --------------------------------------------------------------------------------------

def test_blog_functions_created(tmp):
    stack = unique("blog")
    mark = harness.log_mark()
    ids = deploy(stack, BLOG)
    lam = client("lambda")
    for lid, folder in (("HelloWorldFunction", "hello_world"), ("GreetingFunction", "greeting")):
        assert ids.get(lid), ids
        conf = lam.get_function(FunctionName=ids[lid])["Configuration"]
        # Globals applied by the transform, code from the zip the helper uploaded.
        assert conf["Runtime"] == "python3.12", conf
        assert conf["Handler"] == "app.lambda_handler", conf
        assert conf["Timeout"] == 10 and conf["Architectures"] == ["x86_64"], conf
        assert conf["Environment"]["Variables"] == {"GREETING": "Hello"}, conf
        assert conf["CodeSha256"] == code_sha256(BLOG / folder), conf
        assert conf["Role"].endswith("/" + ids[lid + "Role"]), (conf["Role"], ids)
    assert "" not in ids, "moto listed a resource type it skipped: %r" % ids
    created = transformed_requests(mark, "CreateStack")
    assert len(created) == 1 and created[0]["verified"] and created[0]["status"] == 200, created


def test_blog_rest_api_and_outputs(tmp):
    stack = unique("blogapi")
    ids = deploy(stack, BLOG)
    api = ids["ServerlessRestApi"]
    apigw = client("apigateway")
    assert apigw.get_rest_api(restApiId=api)["name"] == stack      # info.title
    paths = {r["path"]: sorted(r.get("resourceMethods", {}))
             for r in apigw.get_resources(restApiId=api)["items"]}
    assert paths.get("/hello") == ["GET"] and paths.get("/greeting") == ["GET"], paths
    integ = apigw.get_integration(restApiId=api, httpMethod="GET", resourceId=next(
        r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/hello"))
    assert integ["type"] == "AWS_PROXY" and ids["HelloWorldFunction"] in integ["uri"], integ
    stages = {s["stageName"]: s["deploymentId"] for s in apigw.get_stages(restApiId=api)["item"]}
    deployment = next(v for k, v in ids.items() if k.startswith("ServerlessRestApiDeployment"))
    assert ids["ServerlessRestApiProdStage"] == "Prod" and stages.get("Prod") == deployment, \
        (ids, stages)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in client("cloudformation").describe_stacks(
        StackName=stack)["Stacks"][0]["Outputs"]}
    assert outputs["HelloWorldApi"] == (
        "https://%s.execute-api.us-east-1.amazonaws.com/Prod/hello/" % api), outputs
    assert outputs["GreetingFunction"].endswith(":function:" + ids["GreetingFunction"]), outputs


def test_update_stack_transformed(tmp):
    stack = unique("blogupd")
    first = deploy(stack, BLOG)
    app = tmp / "blog"
    shutil.copytree(BLOG, app)
    text = (app / "template.yaml").read_text()
    text = text.replace("            Path: /greeting\n            Method: get\n",
                        "            Path: /greeting\n            Method: get\n"
                        "        GreetingByName:\n          Type: Api\n          Properties:\n"
                        "            Path: /greeting/{name}\n            Method: get\n")
    text = text.replace("\nOutputs:", "  ByeFunction:\n    Type: AWS::Serverless::Function\n"
                        "    Properties:\n      CodeUri: hello_world/\n"
                        "      Handler: app.lambda_handler\n\nOutputs:")
    assert "ByeFunction" in text and "GreetingByName" in text
    (app / "template.yaml").write_text(text)
    with open(app / "greeting" / "app.py", "a") as f:
        f.write("# changed\n")
    mark = harness.log_mark()
    second = deploy(stack, app)
    assert transformed_requests(mark, "UpdateStack"), harness.requests_since(mark, access_key=KEY)
    lam = client("lambda")
    assert lam.get_function(FunctionName=second["ByeFunction"])["Configuration"]["Handler"] \
        == "app.lambda_handler"
    assert second["GreetingFunction"] == first["GreetingFunction"], (first, second)
    conf = lam.get_function(FunctionName=second["GreetingFunction"])["Configuration"]
    assert conf["CodeSha256"] == code_sha256(app / "greeting") != code_sha256(BLOG / "greeting")
    cfn = client("cloudformation")
    orig = original(cfn, stack)
    assert "ByeFunction" in orig and "Transform: AWS::Serverless-2016-10-31" in orig, orig
    proc = processed(cfn, stack)
    assert "Transform" not in proc and proc["Resources"]["ByeFunction"]["Type"] == \
        "AWS::Lambda::Function", proc
    apigw = client("apigateway")
    paths = {r["path"] for r in apigw.get_resources(restApiId=second["ServerlessRestApi"])["items"]}
    assert "/greeting/{name}" in paths, paths
    stage = apigw.get_stage(restApiId=second["ServerlessRestApi"], stageName="Prod")
    deployment = next(v for k, v in second.items() if k.startswith("ServerlessRestApiDeployment"))
    assert stage["deploymentId"] == deployment, (stage, second)


def test_cli_deploy(tmp):
    stack = unique("blogcli")
    env = dict(os.environ, AWSX_ENV_DIR=os.environ["AWSX_ENV_DIR"])
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "support" / "samstack.py"), "deploy",
                        "--stack-name", stack, "--template-dir", str(BLOG)],
                       env=env, capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, r.stderr
    ids = json.loads(r.stdout)
    assert ids["HelloWorldFunction"].startswith(stack + "-HelloWorldFunction-"), ids
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "support" / "samstack.py"), "deploy",
                        "--stack-name", unique("nothing"), "--template-dir", str(tmp)],
                       env=env, capture_output=True, text=True, timeout=150)
    assert r.returncode == 1 and "no template.yaml" in r.stderr, (r.returncode, r.stderr)


# --------------------------------------------------------------------------------------
# The transform in the proxy, with CloudFormation calls made here
# --------------------------------------------------------------------------------------

HAND_WRITTEN = (
    "# written by hand: AWS keeps the original, comments and all\r\n"
    "AWSTemplateFormatVersion: 2010-09-09\r\n"
    "Transform: AWS::Serverless-2016-10-31\r\n"
    "Description: Grüße, kept byte for byte\r\n"
    "Parameters:\r\n"
    "  Greeting: {Type: String, Default: Hello}\r\n"
    "Resources:\r\n"
    "  Fn:\r\n"
    "    Type: AWS::Serverless::Function\r\n"
    "    Properties:\r\n"
    "      CodeUri: {Bucket: %(bucket)s, Key: %(key)s}\r\n"
    "      Handler: app.lambda_handler\r\n"
    "      Runtime: python3.12\r\n"
    "      Environment:\r\n"
    "        Variables:\r\n"
    "          GREETING: !Ref Greeting\r\n"
    "          SELF: !Sub '${AWS::StackName}-fn'\r\n"
    "Outputs:\r\n"
    "  FnArn:\r\n"
    "    Value: !GetAtt Fn.Arn\r\n"
)


def hand_written(stack):
    key = "%s/code.zip" % stack
    upload_zip(s3_client(), BLOG / "hello_world", key)
    return HAND_WRITTEN % {"bucket": samstack.DEFAULT_BUCKET, "key": key}


def wait(cfn, stack):
    samstack.wait_for_stack(cfn, stack)
    return samstack.stack_resources(cfn, stack)


def test_original_template_as_sent(tmp):
    stack = unique("orig")
    body = hand_written(stack)
    cfn = client("cloudformation")
    sid = cfn.create_stack(StackName=stack, TemplateBody=body,
                           Parameters=[{"ParameterKey": "Greeting", "ParameterValue": "Hi"}],
                           Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])["StackId"]
    ids = wait(cfn, stack)
    by_name = cfn.get_template(StackName=stack, TemplateStage="Original")
    assert by_name["TemplateBody"] == body, by_name["TemplateBody"]
    assert by_name["StagesAvailable"] == ["Original", "Processed"], by_name
    assert original(cfn, sid) == body
    proc = processed(cfn, stack)
    assert "Transform" not in proc and proc["Resources"]["Fn"]["Type"] == "AWS::Lambda::Function"
    assert cfn.get_template(StackName=stack, TemplateStage="Processed")["TemplateBody"] == \
        cfn.get_template(StackName=stack)["TemplateBody"]
    env = client("lambda").get_function(FunctionName=ids["Fn"])["Configuration"]["Environment"]
    assert env["Variables"] == {"GREETING": "Hi", "SELF": stack + "-fn"}, env

    # Updated to a template without the transform (the translation plus a topic):
    # that one is the original now.
    proc["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic"}
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(proc),
                     Parameters=[{"ParameterKey": "Greeting", "UsePreviousValue": True}],
                     Capabilities=["CAPABILITY_IAM"])
    assert "Topic" in wait(cfn, stack)
    assert original(cfn, stack) == proc


def test_template_url(tmp):
    stack = unique("url")
    body = hand_written(stack)
    s3 = s3_client()
    s3.put_object(Bucket=samstack.DEFAULT_BUCKET, Key=stack + "/template.yaml",
                  Body=body.encode("utf-8"))
    url = "https://%s.s3.amazonaws.com/%s/template.yaml" % (samstack.DEFAULT_BUCKET, stack)
    cfn = client("cloudformation")
    cfn.create_stack(StackName=stack, TemplateURL=url,
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    ids = wait(cfn, stack)
    assert client("lambda").get_function(FunctionName=ids["Fn"])
    assert original(cfn, stack) == body
    missing = url.replace("template.yaml", "absent.yaml")
    try:
        cfn.create_stack(StackName=unique("url"), TemplateURL=missing,
                         Capabilities=["CAPABILITY_AUTO_EXPAND"])
        raise AssertionError("a TemplateURL naming nothing was accepted")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ValidationError", e.response


def test_change_set_keeps_original(tmp):
    stack = unique("cs")
    body = hand_written(stack)
    cfn = client("cloudformation")
    cs = cfn.create_change_set(StackName=stack, ChangeSetName="first", ChangeSetType="CREATE",
                               TemplateBody=body, Capabilities=["CAPABILITY_IAM"])
    cfn.get_waiter("change_set_create_complete").wait(
        ChangeSetName=cs["Id"], WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    pending = cfn.get_template(StackName=stack, ChangeSetName="first", TemplateStage="Original")
    assert pending["TemplateBody"] == body, pending
    cfn.execute_change_set(ChangeSetName=cs["Id"])
    ids = wait(cfn, stack)
    assert client("lambda").get_function(FunctionName=ids["Fn"])
    assert original(cfn, stack) == body


def test_auto_expand_required(tmp):
    cfn = client("cloudformation")
    stack = unique("noexpand")
    body = hand_written(stack)
    try:
        cfn.create_stack(StackName=stack, TemplateBody=body, Capabilities=["CAPABILITY_IAM"])
        raise AssertionError("CreateStack of a SAM template without CAPABILITY_AUTO_EXPAND "
                             "was accepted")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InsufficientCapabilitiesException", e.response
        assert "CAPABILITY_AUTO_EXPAND" in e.response["Error"]["Message"], e.response
    assert samstack.stack_status(cfn, stack) is None


def test_invalid_sam_template_rejected(tmp):
    cfn = client("cloudformation")
    body = ("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
            "    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Handler: app.handler\n      Runtime: python3.12\n")    # no CodeUri
    try:
        cfn.create_stack(StackName=unique("invalid"), TemplateBody=body,
                         Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
        raise AssertionError("a SAM function without code was accepted")
    except ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == "ValidationError", err
        assert err["Message"].startswith("Transform AWS::Serverless-2016-10-31 failed with: "), err


# --------------------------------------------------------------------------------------
# State machine with a local definition, HTTP API
# --------------------------------------------------------------------------------------

FLOW_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Work:
          Type: HttpApi
          Properties:
            Path: /work
            Method: post
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
      DefinitionSubstitutions:
        WorkerArn: !GetAtt Worker.Arn
      Policies:
        - LambdaInvokePolicy:
            FunctionName: !Ref Worker
Outputs:
  HttpApiUrl:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com/"
"""

FLOW_DEFINITION = {
    "Comment": "calls the worker once",
    "StartAt": "Work",
    "States": {"Work": {"Type": "Task", "Resource": "${WorkerArn}", "End": True}},
}


def test_state_machine_and_http_api(tmp):
    app = tmp / "flow"
    (app / "worker").mkdir(parents=True)
    (app / "statemachine").mkdir()
    (app / "template.yaml").write_text(FLOW_TEMPLATE)
    (app / "worker" / "app.py").write_text("def handler(event, context):\n    return event\n")
    (app / "statemachine" / "flow.asl.json").write_text(json.dumps(FLOW_DEFINITION, indent=2))
    stack = unique("flow")
    ids = deploy(stack, app)
    assert "" not in ids, ids

    definition = json.loads(client("stepfunctions").describe_state_machine(
        stateMachineArn=ids["Flow"])["definition"])
    worker_arn = client("lambda").get_function(
        FunctionName=ids["Worker"])["Configuration"]["FunctionArn"]
    assert definition["States"]["Work"]["Resource"] == worker_arn, definition

    v2 = client("apigatewayv2")
    api = v2.get_api(ApiId=ids["ServerlessHttpApi"])
    assert api["ProtocolType"] == "HTTP" and api["Name"] == stack, api
    routes = [r["RouteKey"] for r in v2.get_routes(ApiId=api["ApiId"])["Items"]]
    assert routes == ["POST /work"], routes
    assert ids["ServerlessHttpApiApiGatewayDefaultStage"] == "$default", ids
    assert [s["StageName"] for s in v2.get_stages(ApiId=api["ApiId"])["Items"]] == ["$default"]
    outputs = client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    assert outputs[0]["OutputValue"] == api["ApiEndpoint"] + "/", (outputs, api)


# --------------------------------------------------------------------------------------
# Nested stacks with local templates
# --------------------------------------------------------------------------------------

NESTED_FILES = {
    "template.yaml": """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child/template.yaml
      Parameters:
        Greeting: hello
  Plain:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: plain/stack.yaml
""",
    # a SAM child: its paths are relative to child/
    "child/template.yaml": """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
Resources:
  ChildFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          GREETING: !Ref Greeting
""",
    "child/src/app.py": "def handler(event, context):\n    return 'child'\n",
    # a plain CloudFormation child with a nested SAM grandchild of its own
    "plain/stack.yaml": """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  PlainFunction:
    Type: AWS::Lambda::Function
    Properties:
      Code: code/
      Handler: app.handler
      Runtime: python3.12
      Role: !GetAtt Role.Arn
  Grand:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: grand/template.yaml
""",
    "plain/code/app.py": "def handler(event, context):\n    return 'plain'\n",
    "plain/grand/template.yaml": """\
Transform: AWS::Serverless-2016-10-31
Resources:
  GrandFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.12
""",
    "plain/grand/fn/app.py": "def handler(event, context):\n    return 'grand'\n",
}


def test_nested_stacks(tmp):
    app = tmp / "nested"
    for name, text in NESTED_FILES.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(text)
    stack = unique("nested")
    ids = deploy(stack, app)
    cfn, lam = client("cloudformation"), client("lambda")
    child = samstack.stack_resources(cfn, ids["Child"])
    plain = samstack.stack_resources(cfn, ids["Plain"])
    grand = samstack.stack_resources(cfn, plain["Grand"])
    for nested in (ids["Child"], ids["Plain"], plain["Grand"]):
        assert samstack.stack_status(cfn, nested)[0] == "CREATE_COMPLETE", nested
    for rows, lid, folder in ((child, "ChildFunction", "child/src"),
                              (plain, "PlainFunction", "plain/code"),
                              (grand, "GrandFunction", "plain/grand/fn")):
        conf = lam.get_function(FunctionName=rows[lid])["Configuration"]
        assert conf["CodeSha256"] == code_sha256(app / folder), (lid, conf)
    conf = lam.get_function(FunctionName=child["ChildFunction"])["Configuration"]
    assert conf["Environment"]["Variables"] == {"GREETING": "hello"}, conf

    # the parent names the children by URL; a SAM child is uploaded with its
    # transform, as `sam package` does (moto's process applies it, motoext.py)
    url = processed(cfn, stack)["Resources"]["Child"]["Properties"]["TemplateURL"]
    assert url.startswith("https://s3.amazonaws.com/%s/" % samstack.DEFAULT_BUCKET), url
    body = s3_client().get_object(Bucket=samstack.DEFAULT_BUCKET,
                                  Key=url.split("/", 4)[4])["Body"].read().decode()
    assert "Transform: AWS::Serverless-2016-10-31" in body and "CodeUri:" in body, body

    # an edit in a child's code reaches its function through UpdateStack
    with open(app / "child" / "src" / "app.py", "a") as f:
        f.write("# changed\n")
    ids = deploy(stack, app)
    child = samstack.stack_resources(cfn, ids["Child"])
    conf = lam.get_function(FunctionName=child["ChildFunction"])["Configuration"]
    assert conf["CodeSha256"] == code_sha256(app / "child" / "src"), conf


# --------------------------------------------------------------------------------------
# Resource events, failures and rollbacks, layers (motoext.py)
# --------------------------------------------------------------------------------------

FAILING = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Break:
    Type: String
    Default: "false"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {Bucket: %(bucket)s, Key: %(key)s}
      Handler: app.lambda_handler
      Runtime: python3.12
      Timeout: %(timeout)d
  Breaker:
    Type: AWSX::Test::Fail
    DependsOn: Fn
    Properties:
      Fail: !Ref Break
      Reason: broken on purpose
"""


def failing(stack, timeout):
    key = "%s/code.zip" % stack
    upload_zip(s3_client(), BLOG / "hello_world", key)
    return FAILING % {"bucket": samstack.DEFAULT_BUCKET, "key": key, "timeout": timeout}


def events(cfn, stack):
    """(logical id, status, reason) of the stack's events, oldest first."""
    out = []
    for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack):
        out += [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
                for e in page["StackEvents"]]
    return out[::-1]


def test_failed_update_rolls_back_with_events(tmp):
    stack = unique("rollback")
    cfn, lam = client("cloudformation"), client("lambda")
    caps = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    first = failing(stack, 10)
    cfn.create_stack(StackName=stack, TemplateBody=first, Capabilities=caps)
    ids = wait(cfn, stack)
    seen = events(cfn, stack)
    for lid in ("FnRole", "Fn", "Breaker"):
        mine = [status for who, status, _ in seen if who == lid]
        assert mine == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"], (lid, seen)
    assert seen[0][1:] == ("CREATE_IN_PROGRESS", "User Initiated"), seen
    assert seen[-1][:2] == (stack, "CREATE_COMPLETE"), seen

    # Fn's Timeout changes, then Breaker fails: the call succeeds, the stack rolls back
    cfn.update_stack(StackName=stack, TemplateBody=failing(stack, 20), Capabilities=caps,
                     Parameters=[{"ParameterKey": "Break", "ParameterValue": "true"}])
    status, _ = samstack.stack_status(cfn, stack)
    assert status == "UPDATE_ROLLBACK_COMPLETE", status
    seen = events(cfn, stack)
    update = seen[[s for _, s, _ in seen].index("UPDATE_IN_PROGRESS"):]
    assert ("Breaker", "UPDATE_FAILED", "broken on purpose") in update, update
    assert (stack, "UPDATE_ROLLBACK_IN_PROGRESS",
            "The following resource(s) failed to update: [Breaker]. ") in update, update
    assert update[-1][:2] == (stack, "UPDATE_ROLLBACK_COMPLETE"), update
    assert lam.get_function(FunctionName=ids["Fn"])["Configuration"]["Timeout"] == 10
    params = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Parameters"]
    assert params == [{"ParameterKey": "Break", "ParameterValue": "false"}], params
    # the original is the one deployed again (the proxy kept both)
    assert original(cfn, stack) == first

    # the same template, no Parameters (Break takes its default): nothing to do
    try:
        cfn.update_stack(StackName=stack, TemplateBody=first, Capabilities=caps)
        raise AssertionError("an update without changes was accepted")
    except ClientError as e:
        assert "No updates are to be performed" in str(e), e


def test_failed_create_rolls_back(tmp):
    stack = unique("createfail")
    cfn, lam = client("cloudformation"), client("lambda")
    cfn.create_stack(StackName=stack, TemplateBody=failing(stack, 10),
                     Parameters=[{"ParameterKey": "Break", "ParameterValue": "true"}],
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    status, _ = samstack.stack_status(cfn, stack)
    assert status == "ROLLBACK_COMPLETE", status
    seen = events(cfn, stack)
    assert ("Breaker", "CREATE_FAILED", "broken on purpose") in seen, seen
    assert (stack, "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: "
            "[Breaker]. Rollback requested by user.") in seen, seen
    assert ("Fn", "DELETE_COMPLETE", None) in seen, seen
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert not [n for n in names if n.startswith(stack + "-")], names


def test_function_layers_and_limits(tmp):
    stack = unique("layers")
    lam, cfn = client("lambda"), client("cloudformation")
    s3 = s3_client()
    upload_zip(s3, BLOG / "hello_world", stack + "/layer.zip")
    arn = lam.publish_layer_version(
        LayerName=stack + "-layer",
        Content={"S3Bucket": samstack.DEFAULT_BUCKET, "S3Key": stack + "/layer.zip"},
    )["LayerVersionArn"]
    body = HAND_WRITTEN.replace("      Runtime: python3.12\r\n", "      Runtime: python3.12\r\n"
                                "      Layers: [%s]\r\n" % arn)
    key = "%s/code.zip" % stack
    upload_zip(s3, BLOG / "hello_world", key)
    body %= {"bucket": samstack.DEFAULT_BUCKET, "key": key}
    caps = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    cfn.create_stack(StackName=stack, TemplateBody=body, Capabilities=caps)
    ids = wait(cfn, stack)
    conf = lam.get_function(FunctionName=ids["Fn"])["Configuration"]
    assert [x["Arn"] for x in conf.get("Layers", [])] == [arn], conf
    # an update without Layers removes them
    cfn.update_stack(StackName=stack, TemplateBody=body.replace("      Layers: [%s]\r\n" % arn,
                                                                ""), Capabilities=caps)
    wait(cfn, stack)
    assert not lam.get_function(FunctionName=ids["Fn"])["Configuration"].get("Layers")
    # over Lambda's limits the resource fails, with Lambda's message
    cfn.update_stack(StackName=stack, TemplateBody=body.replace(
        "      Runtime: python3.12\r\n", "      Runtime: python3.12\r\n      Timeout: 901\r\n"),
        Capabilities=caps)
    assert samstack.stack_status(cfn, stack)[0] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [r for lid, st, r in events(cfn, stack) if lid == "Fn" and st == "UPDATE_FAILED"]
    assert reasons and "Value '901' at 'timeout' failed to satisfy constraint: Member must " \
        "have value less than or equal to 900" in reasons[0], reasons


harness.main(globals())
