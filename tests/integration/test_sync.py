# SPDX-License-Identifier: Apache-2.0
"""awsx sync --code against moto behind the SigV4-verifying proxy.

Stacks are created by tests/support/samstack.py (the proxy applies the SAM transform).
Dependencies are "installed" by tests/support/fakebin/python3.X (no PyPI here).  Write
calls are counted from the proxy's request log, never from awsx's own report."""

import json
import os
import pathlib
import random
import shutil
import subprocess
import sys
import uuid
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import harness  # noqa: E402
import samstack  # noqa: E402
import synctest  # noqa: E402

from synctest import KEY, boto, by_id, sync, writes  # noqa: E402

BLOG = synctest.ROOT / "examples" / "blog"


def setup(tmp, app=BLOG):
    """A copy of app in tmp/app, its stack deployed; (env, app dir, stack name, ids)."""
    env = synctest.environment(tmp)
    d = synctest.write_app(tmp, app)
    stack = "sync-" + uuid.uuid4().hex[:10]
    ids = samstack.deploy_sam_stack(stack, str(d))
    return env, d, stack, ids


def test_first_sync_updates_then_nothing_to_write(tmp):
    env, d, stack, ids = setup(tmp)
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    res = by_id(doc)
    assert set(res) == {"HelloWorldFunction", "GreetingFunction"}, res
    for r in res.values():
        assert r["Result"] == "updated", r
    lam = boto("lambda")
    for fid in ("HelloWorldFunction", "GreetingFunction"):
        conf = lam.get_function(FunctionName=ids[fid])["Configuration"]
        assert conf["CodeSha256"] == res[fid]["CodeSha256"], (conf, res[fid])
        layers = [x["Arn"] for x in conf.get("Layers", [])]
        assert layers == [res[fid]["LayerVersionArn"]], layers
    assert writes(mark), "the first sync wrote nothing"
    # the built package is a valid zip holding the function's own code only
    z = d / ".awsx" / "build" / "HelloWorldFunction.zip"
    with zipfile.ZipFile(z) as zf:
        assert zf.testzip() is None
        assert "app.py" in zf.namelist() and not any(
            n.startswith("requests/") for n in zf.namelist()), zf.namelist()
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-tq", str(z)], check=True, capture_output=True)

    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    assert all(r["Result"] == "unchanged" for r in doc["Resources"]), doc
    w = writes(mark)
    assert not w, "an unchanged sync made write calls: %s" % [e["api"] for e in w]


def test_one_edit_updates_only_its_function(tmp):
    env, d, stack, ids = setup(tmp)
    sync(env, d, stack)
    with open(d / "hello_world" / "app.py", "a") as f:
        f.write("\n# edited\n")
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    res = by_id(doc)
    assert res["HelloWorldFunction"]["Result"] == "updated"
    assert res["GreetingFunction"]["Result"] == "unchanged"
    w = writes(mark)
    assert [e["api"] for e in w] == ["UpdateFunctionCode"], [e["api"] for e in w]
    assert ids["HelloWorldFunction"] in w[0]["path"], w[0]
    # an edit of what the last sync left needs no GetFunction first (one round trip less)
    reads = [e for e in harness.requests_since(mark, access_key=KEY)
             if e["api"] == "GetFunction" and ids["HelloWorldFunction"] in e["path"]]
    assert not reads, reads
    # no dependency was reinstalled for a code edit
    log = (pathlib.Path(tmp) / "pip.log").read_text().splitlines()
    assert len(log) == 1, log   # the first sync's install, shared by both functions


def test_requirements_change_publishes_new_dependency_layer(tmp):
    env, d, stack, ids = setup(tmp)
    first, _ = sync(env, d, stack)
    old = by_id(first)["GreetingFunction"]["LayerVersionArn"]
    (d / "greeting" / "requirements.txt").write_text("requests\nsix==1.16.0\n")
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    res = by_id(doc)
    assert res["HelloWorldFunction"]["Result"] == "unchanged", res
    assert res["GreetingFunction"]["Result"] == "updated", res
    new = res["GreetingFunction"]["LayerVersionArn"]
    assert new != old
    apis = [e["api"] for e in writes(mark)]
    # (requirements.txt ships in the package too, as with SAM: so the code changes)
    assert apis == ["PublishLayerVersion", "UpdateFunctionConfiguration",
                    "UpdateFunctionCode", "DeleteLayerVersion"], apis
    for e in writes(mark):
        assert "HelloWorld" not in e["path"], e
    conf = boto("lambda").get_function(FunctionName=ids["GreetingFunction"])["Configuration"]
    assert [x["Arn"] for x in conf["Layers"]] == [new]
    # the dependencies live in the layer, never in the package
    with zipfile.ZipFile(d / ".awsx" / "build" / "GreetingFunction.zip") as zf:
        assert not any(n.startswith("six/") for n in zf.namelist()), zf.namelist()


def test_no_dependency_layer_puts_dependencies_in_the_package(tmp):
    env, d, stack, ids = setup(tmp)
    doc, _ = sync(env, d, stack, "--no-dependency-layer")
    r = by_id(doc)["HelloWorldFunction"]
    assert "LayerVersionArn" not in r, r
    with zipfile.ZipFile(d / ".awsx" / "build" / "HelloWorldFunction.zip") as zf:
        assert "requests/__init__.py" in zf.namelist(), zf.namelist()


LAYER_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: shared/
      CompatibleRuntimes: [python3.12]
  UserFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: user/
      Handler: app.handler
      Runtime: python3.12
      Layers:
        - !Ref SharedLayer
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: other/
      Handler: app.handler
      Runtime: python3.12
""",
    "shared/python/shared.py": "VALUE = 1\n",
    "user/app.py": "import shared\n\ndef handler(e, c):\n    return shared.VALUE\n",
    "other/app.py": "def handler(e, c):\n    return 2\n",
}


def test_changed_layer_updates_its_users(tmp):
    env, d, stack, ids = setup(tmp, LAYER_APP)
    sync(env, d, stack)
    (d / "shared" / "python" / "shared.py").write_text("VALUE = 2\n")
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    res = by_id(doc)
    assert res["SharedLayer"]["Result"] == "updated", res
    new = res["SharedLayer"]["LayerVersionArn"]
    apis = [e["api"] for e in writes(mark)]
    assert apis == ["PublishLayerVersion", "UpdateFunctionConfiguration",
                    "DeleteLayerVersion"], apis
    assert res["OtherFunction"]["Result"] == "unchanged"
    conf = boto("lambda").get_function(FunctionName=ids["UserFunction"])["Configuration"]
    assert [x["Arn"] for x in conf["Layers"]] == [new], conf.get("Layers")
    # --resource-id of the layer alone still moves its users
    (d / "shared" / "python" / "shared.py").write_text("VALUE = 3\n")
    doc, _ = sync(env, d, stack, "--resource-id", "SharedLayer")
    res = by_id(doc)
    assert set(res) == {"SharedLayer", "UserFunction"}, res
    conf = boto("lambda").get_function(FunctionName=ids["UserFunction"])["Configuration"]
    assert [x["Arn"] for x in conf["Layers"]] == [res["SharedLayer"]["LayerVersionArn"]]


FLOWS_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  WorkFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: work/
      Handler: app.handler
      Runtime: python3.12
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
      DefinitionSubstitutions:
        WorkArn: !GetAtt WorkFunction.Arn
        Greeting: hello
      Policies: []
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: http.yaml
""",
    "work/app.py": "def handler(e, c):\n    return e\n",
    "statemachine/flow.asl.json": json.dumps({
        "Comment": "${Greeting}",
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": "${WorkArn}", "End": True}}}, indent=2),
    "http.yaml": """openapi: "3.0.1"
info:
  title: flows-http
  version: "1.0"
paths:
  /work:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:x/invocations
        payloadFormatVersion: "2.0"
""",
}


def test_state_machine_and_http_api_flows(tmp):
    env, d, stack, ids = setup(tmp, FLOWS_APP)
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    res = by_id(doc)
    # the deployed definition already is the local one (substitutions applied the same
    # way as CloudFormation did): nothing to write for it
    assert res["Flow"]["Result"] == "unchanged", res
    assert res["HttpApi"]["Result"] == "updated", res
    apis = sorted(e["api"] for e in writes(mark))
    assert "UpdateStateMachine" not in apis and "ReimportApi" in apis, apis
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    assert all(r["Result"] == "unchanged" for r in doc["Resources"]), doc
    assert not writes(mark), [e["api"] for e in writes(mark)]
    # an edit of the definition is one UpdateStateMachine
    p = d / "statemachine" / "flow.asl.json"
    p.write_text(p.read_text().replace("${Greeting}", "${Greeting} again"))
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    assert [e["api"] for e in writes(mark)] == ["UpdateStateMachine"]
    sfn = boto("stepfunctions")
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=ids["Flow"])["definition"])
    assert definition["Comment"] == "hello again", definition
    assert definition["States"]["Work"]["Resource"].endswith(":function:" + ids["WorkFunction"])


REST_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  RestApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      DefinitionUri: api.yaml
""",
    "api.yaml": """openapi: "3.0.1"
info:
  title: rest-flow
  description: a REST API synced by awsx
  version: "1.0"
paths:
  /ping:
    get:
      x-amazon-apigateway-integration:
        type: mock
        httpMethod: GET
        uri: ""
        requestTemplates:
          application/json: '{"statusCode": 200}'
""",
}


def test_rest_api_flow_moves_every_stage(tmp):
    env, d, stack, ids = setup(tmp, REST_APP)
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    assert by_id(doc)["RestApi"]["Result"] == "updated", doc
    apis = [e["api"] for e in writes(mark)]
    assert apis[:2] == ["PutRestApi", "CreateDeployment"] and "UpdateStage" in apis, apis
    api = boto("apigateway")
    stages = api.get_stages(restApiId=ids["RestApi"])["item"]
    deployments = {s["deploymentId"] for s in stages}
    assert len(deployments) == 1, stages
    assert any(s["stageName"] == "dev" for s in stages), stages
    mark = harness.log_mark()
    sync(env, d, stack)
    assert not writes(mark)


def test_package_over_50_mb_goes_through_s3(tmp):
    env, d, stack, ids = setup(tmp)
    rnd = random.Random(4)
    with open(d / "hello_world" / "blob.bin", "wb") as f:
        for _ in range(52):
            f.write(rnd.randbytes(1 << 20))
    mark = harness.log_mark()
    doc, r = sync(env, d, stack, "--resource-id", "HelloWorldFunction", expect=2)
    assert "--s3-bucket" in r.stderr and "50 MB" in r.stderr, r.stderr
    assert not writes(mark), "something was uploaded before the size check"
    s3 = boto("s3")
    s3.create_bucket(Bucket="sync-artifacts")
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack, "--resource-id", "HelloWorldFunction",
                  "--s3-bucket", "sync-artifacts")
    res = by_id(doc)["HelloWorldFunction"]
    assert res["Result"] == "updated"
    apis = [e["api"] for e in writes(mark)]
    assert "PutObject" in apis and "UpdateFunctionCode" in apis, apis
    conf = boto("lambda").get_function(FunctionName=ids["HelloWorldFunction"])["Configuration"]
    assert conf["CodeSha256"] == res["CodeSha256"]


def test_throttled_update_still_completes(tmp):
    env, d, stack, ids = setup(tmp)
    sync(env, d, stack, "--no-dependency-layer")
    with open(d / "hello_world" / "app.py", "a") as f:
        f.write("\n# throttled edit\n")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        env["AWS_ENDPOINT_URL"] = fault.url
        # ListStackResources, then UpdateFunctionCode (an edit of what the last sync
        # left goes straight to it) throttled twice
        fault.set_schedule([{}, {"throttle": "rest-json"}, {"throttle": "rest-json"}])
        doc, _ = sync(env, d, stack, "--resource-id", "HelloWorldFunction",
                      "--no-dependency-layer")
        sent = [(q.method, q.path) for q in fault.requests]
    assert by_id(doc)["HelloWorldFunction"]["Result"] == "updated", doc
    code_puts = [t for m, t in sent if m == "PUT" and t.endswith("/code")]
    assert len(code_puts) == 3, sent
    conf = boto("lambda").get_function(FunctionName=ids["HelloWorldFunction"])["Configuration"]
    assert conf["CodeSha256"] == by_id(doc)["HelloWorldFunction"]["CodeSha256"]


def test_missing_codeuri_names_the_template_line(tmp):
    env, d, stack, ids = setup(tmp)
    t = d / "template.yaml"
    text = t.read_text().replace("CodeUri: greeting/", "CodeUri: greetings/")
    t.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "greetings/" in l)
    mark = harness.log_mark()
    _, r = sync(env, d, stack, expect=1)
    assert "template.yaml:%d:" % line in r.stderr and "greetings/" in r.stderr, r.stderr
    assert "does not exist" in r.stderr, r.stderr
    assert not harness.requests_since(mark, access_key=KEY)


def test_resource_missing_from_stack_suggests_full_sync(tmp):
    env, d, stack, ids = setup(tmp)
    t = d / "template.yaml"
    t.write_text(t.read_text().replace("Resources:\n", """Resources:
  NewFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello_world/
      Handler: app.lambda_handler
""", 1))
    _, r = sync(env, d, stack, expect=1)
    assert "NewFunction is not in stack" in r.stderr and "full sync" in r.stderr, r.stderr


def test_unknown_stack_and_usage_errors(tmp):
    env, d, stack, ids = setup(tmp)
    _, r = sync(env, d, "no-such-stack-" + stack, expect=5)
    assert "does not exist" in r.stderr, r.stderr
    _, r = sync(env, d, stack, "--resource-id", "Nope", expect=2)
    assert "no such resource" in r.stderr and "HelloWorldFunction" in r.stderr, r.stderr
    # without --code it is a full sync, which a script must confirm with --no-confirm
    r = subprocess.run([harness.awsx_bin(), "sync", "--stack-name", stack], env=env,
                       cwd=str(d), capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "--no-confirm" in r.stderr, r.stderr


def test_dependency_install_failure_is_reported(tmp):
    env, d, stack, ids = setup(tmp)
    (d / "greeting" / "requirements.txt").write_text("fail-to-install\n")
    _, r = sync(env, d, stack, expect=1)
    assert "No matching distribution" in r.stderr and "exit code 1" in r.stderr, r.stderr
    # nothing half-installed is left to be used next time
    deps = d / ".awsx" / "deps"
    assert not [p for p in deps.iterdir() if ".tmp" in p.name], list(deps.iterdir())


def test_text_output(tmp):
    env, d, stack, ids = setup(tmp)
    r = subprocess.run([harness.awsx_bin(), "sync", "--stack-name", stack, "--code"],
                       env=env, cwd=str(d), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("HelloWorldFunction") and "updated" in lines[0], lines
    assert "2 updated, 0 unchanged" in lines[-1], lines


NODE_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  NodeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: node/
      Handler: index.handler
      Runtime: nodejs20.x
""",
    "node/index.js": "exports.handler = async () => require('left-pad');\n",
    "node/package.json": json.dumps({"name": "node-fn", "version": "1.0.0",
                                     "dependencies": {"left-pad": "1.3.0"},
                                     "devDependencies": {"jest": "29.0.0"}}),
}


def test_node_dependencies_in_a_layer(tmp):
    env, d, stack, ids = setup(tmp, NODE_APP)
    doc, _ = sync(env, d, stack)
    r = by_id(doc)["NodeFunction"]
    assert r["Result"] == "updated" and "LayerVersionArn" in r, r
    zips = list((d / ".awsx" / "deps").glob("*.zip"))
    assert len(zips) == 1, zips
    with zipfile.ZipFile(zips[0]) as zf:
        assert zf.namelist() == ["nodejs/node_modules/left-pad/index.js"], zf.namelist()
    calls = [json.loads(l)["argv"] for l in (pathlib.Path(tmp) / "pip.log").read_text().splitlines()]
    assert calls == [["npm", "install", "--omit=dev", "--no-audit", "--no-fund"]], calls
    # a lock file changes the key and switches to npm ci
    (d / "node" / "package-lock.json").write_text('{"lockfileVersion": 3}')
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    calls = [json.loads(l)["argv"] for l in (pathlib.Path(tmp) / "pip.log").read_text().splitlines()]
    assert calls[-1][:2] == ["npm", "ci"], calls
    assert "PublishLayerVersion" in [e["api"] for e in writes(mark)]


MAKE_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  MadeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: made/
      Handler: bootstrap
      Runtime: provided.al2023
    Metadata:
      BuildMethod: makefile
""",
    "made/Makefile": "build-MadeFunction:\n\tcp main.sh $(ARTIFACTS_DIR)/bootstrap\n"
                     "\tchmod 755 $(ARTIFACTS_DIR)/bootstrap\n\techo run >> ../made.count\n",
    "made/main.sh": "#!/bin/sh\necho hello\n",
}


def test_makefile_build(tmp):
    env, d, stack, ids = setup(tmp, MAKE_APP)
    doc, _ = sync(env, d, stack)
    assert by_id(doc)["MadeFunction"]["Result"] == "updated", doc
    with zipfile.ZipFile(d / ".awsx" / "build" / "MadeFunction.zip") as zf:
        info = zf.getinfo("bootstrap")
        assert zf.namelist() == ["bootstrap"], zf.namelist()
        assert (info.external_attr >> 16) & 0o777 == 0o755
    # make ran in a scratch copy, never in the source folder
    assert not (d / "made" / "bootstrap").exists()
    count = d / ".awsx" / "build" / "made.count"
    assert count.read_text().count("run") == 1
    doc, _ = sync(env, d, stack)
    assert by_id(doc)["MadeFunction"]["Result"] == "unchanged"
    assert count.read_text().count("run") == 1, "make ran again with nothing changed"
    (d / "made" / "main.sh").write_text("#!/bin/sh\necho changed\n")
    doc, _ = sync(env, d, stack)
    assert by_id(doc)["MadeFunction"]["Result"] == "updated"
    assert count.read_text().count("run") == 2


ALIAS_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  AliasedFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.12
      AutoPublishAlias: live
  InlineFlow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        Comment: ${Word}
        StartAt: Done
        States:
          Done:
            Type: Succeed
      DefinitionSubstitutions:
        Word: first
      Policies: []
""",
    "fn/app.py": "def handler(e, c):\n    return 1\n",
}


def test_auto_publish_alias_and_inline_state_machine(tmp):
    env, d, stack, ids = setup(tmp, ALIAS_APP)
    sync(env, d, stack)
    (d / "fn" / "app.py").write_text("def handler(e, c):\n    return 2\n")
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack, "--resource-id", "AliasedFunction")
    apis = [e["api"] for e in writes(mark)]
    assert apis == ["UpdateFunctionCode", "PublishVersion", "UpdateAlias"], apis
    lam = boto("lambda")
    alias = lam.get_alias(FunctionName=ids["AliasedFunction"], Name="live")
    version = lam.get_function(FunctionName=ids["AliasedFunction"],
                               Qualifier=alias["FunctionVersion"])["Configuration"]
    assert version["CodeSha256"] == by_id(doc)["AliasedFunction"]["CodeSha256"], version
    # an inline definition is local too: an edit in the template is one UpdateStateMachine
    t = d / "template.yaml"
    t.write_text(t.read_text().replace("Word: first", "Word: second"))
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack, "--resource-id", "InlineFlow")
    assert [e["api"] for e in writes(mark)] == ["UpdateStateMachine"]
    sm = boto("stepfunctions").describe_state_machine(stateMachineArn=ids["InlineFlow"])
    assert json.loads(sm["definition"])["Comment"] == "second", sm["definition"]


def test_removed_requirements_drop_the_dependency_layer(tmp):
    env, d, stack, ids = setup(tmp)
    sync(env, d, stack)
    (d / "greeting" / "requirements.txt").unlink()
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack, "--resource-id", "GreetingFunction")
    apis = [e["api"] for e in writes(mark)]
    # (the package changes too: requirements.txt was in it)
    assert apis == ["UpdateFunctionConfiguration", "UpdateFunctionCode",
                    "DeleteLayerVersion"], apis
    conf = boto("lambda").get_function(FunctionName=ids["GreetingFunction"])["Configuration"]
    assert not conf.get("Layers"), conf.get("Layers")


class LambdaInProgress:
    """Answers as AWS Lambda does while an update is applied, which moto never does:
    UpdateFunctionCode first refused with ResourceConflictException, then its answer and
    the next polls of GetFunctionConfiguration saying LastUpdateStatus InProgress (or,
    with final="Failed", ending in Failed with a reason)."""

    def __init__(self, upstream, conflicts=1, in_progress=2, final=None):
        self.upstream = upstream.rstrip("/")
        self.conflicts, self.in_progress, self.final = conflicts, in_progress, final
        self.seen = []

    def _forward(self, method, path, headers, body):
        import urllib.error
        import urllib.request
        req = urllib.request.Request(self.upstream + path, data=body or None, method=method)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "connection", "accept-encoding"):
                req.add_header(k, v)
        try:
            resp = urllib.request.urlopen(req, timeout=60)
            return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def _status(self, status, data, value, reason=None):
        doc = json.loads(data)
        doc["LastUpdateStatus"] = value
        if reason:
            doc["LastUpdateStatusReason"] = reason
        return status, {"Content-Type": "application/json"}, json.dumps(doc)

    def answer(self, method, path, headers, body):
        self.seen.append((method, path))
        if method == "PUT" and path.endswith("/code"):
            if self.conflicts:
                self.conflicts -= 1
                return 409, {"Content-Type": "application/json",
                             "x-amzn-ErrorType": "ResourceConflictException"}, json.dumps({
                    "Type": "User", "message": "The operation cannot be performed at this "
                    "time. An update is in progress for resource: x"})
            status, data = self._forward(method, path, headers, body)
            return self._status(status, data, "InProgress")
        if method == "GET" and path.endswith("/configuration"):
            status, data = self._forward(method, path, headers, body)
            if self.in_progress:
                self.in_progress -= 1
                return self._status(status, data, "InProgress")
            if self.final:
                return self._status(status, data, self.final, "Runtime.InvalidEntrypoint")
            return status, {"Content-Type": "application/json"}, data
        return None


def test_update_waits_for_last_update_status_and_conflicts(tmp):
    import forwarder
    env, d, stack, ids = setup(tmp)
    sync(env, d, stack, "--no-dependency-layer")
    with open(d / "hello_world" / "app.py", "a") as f:
        f.write("\n# waited\n")
    lam = LambdaInProgress(harness.env()["endpoint_url"])
    with forwarder.Forwarder(harness.env()["endpoint_url"], answer=lam.answer) as fwd:
        env["AWS_ENDPOINT_URL"] = fwd.url
        doc, _ = sync(env, d, stack, "--resource-id", "HelloWorldFunction",
                      "--no-dependency-layer")
    assert by_id(doc)["HelloWorldFunction"]["Result"] == "updated", doc
    puts = [p for m, p in lam.seen if m == "PUT" and p.endswith("/code")]
    polls = [p for m, p in lam.seen if m == "GET" and p.endswith("/configuration")]
    assert len(puts) == 2, lam.seen          # refused once, then accepted
    assert len(polls) == 3, lam.seen         # InProgress twice, then Successful

    with open(d / "hello_world" / "app.py", "a") as f:
        f.write("\n# fails\n")
    lam = LambdaInProgress(harness.env()["endpoint_url"], conflicts=0, in_progress=1,
                           final="Failed")
    with forwarder.Forwarder(harness.env()["endpoint_url"], answer=lam.answer) as fwd:
        env["AWS_ENDPOINT_URL"] = fwd.url
        doc, r = sync(env, d, stack, "--resource-id", "HelloWorldFunction",
                      "--no-dependency-layer", expect=5)
    assert "Runtime.InvalidEntrypoint" in r.stderr, r.stderr
    assert by_id(doc)["HelloWorldFunction"]["Result"] == "failed", doc


harness.main(globals())
