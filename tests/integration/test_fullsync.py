# SPDX-License-Identifier: Apache-2.0
"""awsx sync without --code (a full sync) against moto behind the SigV4-verifying proxy.

awsx builds, publishes the dependency layers, packages to S3 and creates or updates the
stack itself (no samstack.py here). Each test runs in an AWS account of its own, reached
through AssumeRole into a random account id: the managed stack awsx-managed-default is
one per account and region, so parallel tests never race to create it, and the managed
bucket's first use can be seen. Write calls are counted from the proxy's request log
(by the test's temporary key), never from awsx's own report. Failures come from
motoext.py: Lambda's Timeout limit, and the test-only type AWSX::Test::Fail."""

import base64
import hashlib
import json
import os
import pathlib
import random
import re
import select
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import harness  # noqa: E402
import synctest  # noqa: E402

BLOG = synctest.ROOT / "examples" / "blog"
MANAGED_STACK = "awsx-managed-default"
S3_WRITES = ("PutObject",)


def account_env(tmp):
    """awsx's environment (synctest's) with temporary credentials of a fresh account."""
    env = synctest.environment(tmp)
    account = "%012d" % random.SystemRandom().randrange(10**11, 10**12)
    creds = synctest.boto("sts").assume_role(
        RoleArn="arn:aws:iam::%s:role/awsx-fullsync" % account,
        RoleSessionName="fullsync")["Credentials"]
    env.update(AWS_ACCESS_KEY_ID=creds["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
               AWS_SESSION_TOKEN=creds["SessionToken"])
    return env


def client(env, service):
    import boto3
    return boto3.client(service, endpoint_url=harness.env()["endpoint_url"],
                        region_name="us-east-1", aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                        aws_session_token=env["AWS_SESSION_TOKEN"])


def setup(tmp, app=BLOG):
    """A fresh account and a copy of app in tmp/app; (env, app dir, a new stack name)."""
    return account_env(tmp), synctest.write_app(tmp, app), "full-" + uuid.uuid4().hex[:10]


def json_documents(text):
    """Every JSON document in text (there must be one: see
    test_json_output_is_one_document_in_every_case)."""
    decoder, docs, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        doc, i = decoder.raw_decode(text, i)
        docs.append(doc)


class Run:
    def __init__(self, r):
        self.r, self.stderr = r, r.stderr
        docs = json_documents(r.stdout) if r.stdout.lstrip().startswith("{") else []
        self.infra = docs[0] if docs else None
        # after a skip, the code sync's report is inside the one document
        self.code = self.infra.get("Code") if self.infra else None


def full_sync(env, d, stack, *extra, expect=0, confirm=False):
    """awsx sync --output json in the app's folder (--no-confirm unless confirm), with
    no terminal; a Run (.infra: the first JSON document, .code: the code sync's)."""
    argv = [harness.awsx_bin(), "sync", "--stack-name", stack, "--output", "json"]
    argv += ([] if confirm else ["--no-confirm"]) + list(extra)
    r = subprocess.run(argv, env=env, cwd=str(d), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == expect, "exit %d (want %d)\n%s\n%s" % (
        r.returncode, expect, r.stdout, r.stderr)
    return Run(r)


def requests(mark, env):
    return harness.requests_since(mark, access_key=env["AWS_ACCESS_KEY_ID"])


def writes(mark, env):
    return [e for e in requests(mark, env)
            if not (e.get("api") or "").startswith(synctest.READ_PREFIXES)]


def apis(entries, drop=()):
    return [e["api"] for e in entries if e["api"] not in drop]


def functions(env, stack):
    """{logical id: function name} of the stack's Lambda functions."""
    out = {}
    cfn = client(env, "cloudformation")
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
        for r in page["StackResourceSummaries"]:
            if r["ResourceType"] == "AWS::Lambda::Function":
                out[r["LogicalResourceId"]] = r["PhysicalResourceId"]
    return out


def nested_stack(env, stack, logical_id):
    cfn = client(env, "cloudformation")
    rows = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return next(r["PhysicalResourceId"] for r in rows if r["LogicalResourceId"] == logical_id)


def configuration(env, name):
    return client(env, "lambda").get_function_configuration(FunctionName=name)


def bucket_of(run):
    """The artifact bucket, from the packaged template's URL."""
    m = re.match(r"https://s3\.amazonaws\.com/([^/]+)/", run.infra["TemplateURL"])
    assert m, run.infra
    return m.group(1)


def stack_status(env, stack):
    try:
        s = client(env, "cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    except Exception as e:  # noqa: BLE001 - botocore's ClientError
        if "does not exist" in str(e):
            return None
        raise
    return s["StackStatus"]


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def check_packaged_code(env, d, stack, bucket, logical_id, function_name):
    """The function runs the package awsx built (.awsx/build/ID.zip), uploaded under
    its SHA-256 in the stack's prefix."""
    built = (d / ".awsx" / "build" / (logical_id + ".zip")).read_bytes()
    sha = configuration(env, function_name)["CodeSha256"]
    assert sha == sha256_b64(built), (logical_id, sha)
    key = "%s/%s.zip" % (stack, hashlib.sha256(built).hexdigest())
    body = client(env, "s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == built, key


def check_dependency_layer(env, stack, logical_id, function_name):
    """The function has one layer: its dependency layer's version, published by awsx."""
    layers = [x["Arn"] for x in configuration(env, function_name).get("Layers", [])]
    assert len(layers) == 1, (logical_id, layers)
    name = "%s-%s-deps" % (stack, logical_id)
    assert ":layer:%s:" % name in layers[0], layers
    # (moto answers GetLayerVersionByArn with ListLayers: no Description)
    versions = client(env, "lambda").list_layer_versions(LayerName=name)["LayerVersions"]
    version = next(v for v in versions if v["LayerVersionArn"] == layers[0])
    assert version.get("Description", "").startswith("awsx dependencies "), version
    return layers[0]


def event_lines(stderr, logical_id, status):
    return [line for line in stderr.splitlines()
            if re.search(r"\b%s\s+\S+\s+%s\b" % (re.escape(logical_id), status), line)]


# --------------------------------------------------------------------------------------
# Create, skip, code edits, stack updates
# --------------------------------------------------------------------------------------

def test_first_sync_creates_stack_with_packaged_code_and_layers(tmp):
    env, d, stack = setup(tmp)
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "created", run.infra
    assert run.infra["StackStatus"] == "CREATE_COMPLETE", run.infra
    assert "CreateStack" in apis(writes(mark, env))
    fns = functions(env, stack)
    assert set(fns) == {"HelloWorldFunction", "GreetingFunction"}, fns
    bucket = bucket_of(run)
    for logical_id, name in fns.items():
        check_packaged_code(env, d, stack, bucket, logical_id, name)
        check_dependency_layer(env, stack, logical_id, name)
        # the dependencies live in the layer, never in the package
        assert b"requests/__init__.py" not in (d / ".awsx" / "build" /
                                               (logical_id + ".zip")).read_bytes()
        # the stack's events as they happened, the resources' own included
        assert event_lines(run.stderr, logical_id, "CREATE_COMPLETE"), run.stderr
    assert event_lines(run.stderr, stack, "CREATE_COMPLETE"), run.stderr


def test_unchanged_sync_skips_cloudformation_and_writes_nothing(tmp):
    env, d, stack = setup(tmp)
    full_sync(env, d, stack)
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "skipped", run.infra
    assert all(r["Result"] == "unchanged" for r in run.code["Resources"]), run.code
    w = writes(mark, env)
    assert not w, "an unchanged full sync made write calls: %s" % apis(w)
    assert run.infra["Uploaded"] == 0, run.infra


def test_handler_edit_is_one_update_function_code(tmp):
    env, d, stack = setup(tmp)
    full_sync(env, d, stack)
    with open(d / "hello_world" / "app.py", "a") as f:
        f.write("\n# edited\n")
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "skipped", run.infra
    w = writes(mark, env)
    assert apis(w, drop=S3_WRITES) == ["UpdateFunctionCode"], apis(w)
    fns = functions(env, stack)
    assert fns["HelloWorldFunction"] in w[-1]["path"], w[-1]
    check_packaged_code(env, d, stack, bucket_of(run), "HelloWorldFunction",
                        fns["HelloWorldFunction"])


def test_code_edit_uploads_only_new_objects_head_first(tmp):
    env, d, stack = setup(tmp)
    first = full_sync(env, d, stack)
    bucket = bucket_of(first)
    with open(d / "greeting" / "app.py", "a") as f:
        f.write("\n# edited\n")
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    log = requests(mark, env)
    puts = [e["path"] for e in log if e["api"] == "PutObject"]
    new_zip = "/%s/%s/%s.zip" % (bucket, stack, hashlib.sha256(
        (d / ".awsx" / "build" / "GreetingFunction.zip").read_bytes()).hexdigest())
    # the edited package and the template that names it: nothing else
    assert len(puts) == 2 and new_zip in puts, puts
    assert [p for p in puts if p != new_zip][0].endswith(".template.json"), puts
    for p in puts:
        heads = [i for i, e in enumerate(log) if e["api"] == "HeadObject" and e["path"] == p]
        put = next(i for i, e in enumerate(log) if e["api"] == "PutObject" and e["path"] == p)
        assert heads and heads[0] < put and log[heads[0]]["status"] == 404, (p, log)
    present = [e for e in log if e["api"] == "HeadObject" and e["status"] == 200]
    assert len(present) == run.infra["AlreadyInS3"] >= 1, (present, run.infra)
    assert run.infra["Uploaded"] == 2, run.infra


def test_globals_property_change_updates_stack(tmp):
    env, d, stack = setup(tmp)
    full_sync(env, d, stack)
    t = d / "template.yaml"
    t.write_text(t.read_text().replace("Timeout: 10", "Timeout: 25"))
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "updated", run.infra
    assert run.infra["StackStatus"] == "UPDATE_COMPLETE", run.infra
    assert "UpdateStack" in apis(writes(mark, env)), apis(writes(mark, env))
    for logical_id, name in functions(env, stack).items():
        assert configuration(env, name)["Timeout"] == 25, logical_id
        # the template CloudFormation holds names the dependency layer too
        check_dependency_layer(env, stack, logical_id, name)
        assert event_lines(run.stderr, logical_id, "UPDATE_COMPLETE"), run.stderr


PARAM_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  GreetFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: greet/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          GREETING: !Ref Greeting
""",
    "greet/app.py": "import os\n\ndef handler(e, c):\n    return os.environ['GREETING']\n",
}


def test_parameter_override_change_updates_stack(tmp):
    env, d, stack = setup(tmp, PARAM_APP)

    def greeting():
        name = functions(env, stack)["GreetFunction"]
        return configuration(env, name)["Environment"]["Variables"]["GREETING"]

    full_sync(env, d, stack, "--parameter-overrides", "Greeting=hi")
    assert greeting() == "hi"
    mark = harness.log_mark()
    run = full_sync(env, d, stack, "--parameter-overrides", "Greeting=hi")
    assert run.infra["Infrastructure"] == "skipped" and not writes(mark, env), run.infra
    mark = harness.log_mark()
    run = full_sync(env, d, stack, "--parameter-overrides", "Greeting=bye")
    assert run.infra["Infrastructure"] == "updated", run.infra
    assert apis(writes(mark, env), drop=S3_WRITES) == ["UpdateStack"], apis(writes(mark, env))
    assert greeting() == "bye"
    params = client(env, "cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params["Parameters"]} == {
        "Greeting": "bye"}, params
    # no override: the default, which is not what is deployed
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "updated", run.infra
    assert greeting() == "hello"


# --------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------

def test_failed_update_prints_events_and_exits_5(tmp):
    env, d, stack = setup(tmp)
    full_sync(env, d, stack)
    t = d / "template.yaml"
    good = t.read_text()
    t.write_text(good.replace("Timeout: 10", "Timeout: 1000"))     # Lambda's limit: 900
    run = full_sync(env, d, stack, expect=5)
    failed = event_lines(run.stderr, "HelloWorldFunction", "UPDATE_FAILED")
    assert failed and "less than or equal to 900" in failed[0], run.stderr
    assert event_lines(run.stderr, stack, "UPDATE_ROLLBACK_COMPLETE"), run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert "UPDATE_ROLLBACK_COMPLETE" in last, last
    # the failed resources listed before that last line, one per line
    block = run.stderr[run.stderr.index("failed resources:"):]
    assert "HelloWorldFunction: " in block and "less than or equal to 900" in block, block
    assert run.infra["Infrastructure"] == "failed", run.infra
    assert run.infra["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", run.infra
    for name in functions(env, stack).values():
        assert configuration(env, name)["Timeout"] == 10, name
    # the same template again is sent again (and fails again), never taken as deployed
    mark = harness.log_mark()
    run = full_sync(env, d, stack, expect=5)
    assert "UpdateStack" in apis(writes(mark, env)), apis(writes(mark, env))
    # back to what is deployed (the rollback restored it): CloudFormation is skipped
    t.write_text(good)
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "skipped", run.infra
    assert "UpdateStack" not in apis(writes(mark, env)), apis(writes(mark, env))


FAIL_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  WorkFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: work/
      Handler: app.handler
      Runtime: python3.12
  Breaker:
    Type: AWSX::Test::Fail
    DependsOn: WorkFunction
    Properties:
      Fail: true
      Reason: the breaker was set
""",
    "work/app.py": "def handler(e, c):\n    return 1\n",
}


def test_failed_create_rolls_back_then_asks_to_delete(tmp):
    env, d, stack = setup(tmp, FAIL_APP)
    run = full_sync(env, d, stack, expect=5)
    failed = event_lines(run.stderr, "Breaker", "CREATE_FAILED")
    assert failed and "the breaker was set" in failed[0], run.stderr
    assert event_lines(run.stderr, "WorkFunction", "DELETE_COMPLETE"), run.stderr
    assert event_lines(run.stderr, stack, "ROLLBACK_COMPLETE"), run.stderr
    assert stack_status(env, stack) == "ROLLBACK_COMPLETE"
    mark = harness.log_mark()
    run = full_sync(env, d, stack, expect=5)
    assert "ROLLBACK_COMPLETE" in run.stderr and "delete" in run.stderr, run.stderr
    assert "UpdateStack" not in apis(writes(mark, env)), apis(writes(mark, env))


# --------------------------------------------------------------------------------------
# Artifact buckets
# --------------------------------------------------------------------------------------

SMALL_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  SmallFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: small/
      Handler: app.handler
      Runtime: python3.12
""",
    "small/app.py": "def handler(e, c):\n    return 'small'\n",
}


def test_managed_bucket_created_on_first_use_then_reused(tmp):
    env, d, stack = setup(tmp, SMALL_APP)
    assert stack_status(env, MANAGED_STACK) is None       # a fresh account
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert apis(writes(mark, env)).count("CreateStack") == 2, apis(writes(mark, env))
    assert stack_status(env, MANAGED_STACK) == "CREATE_COMPLETE"
    managed = client(env, "cloudformation").describe_stacks(StackName=MANAGED_STACK)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in managed["Stacks"][0]["Outputs"]}
    bucket = outputs["ArtifactBucket"]
    assert bucket_of(run) == bucket, (run.infra, outputs)
    s3 = client(env, "s3")
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == \
        "AES256", rules
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                     "BlockPublicPolicy": True, "RestrictPublicBuckets": True}, block
    # another stack of the same account: the same bucket, no second managed stack
    other = stack + "-other"
    mark = harness.log_mark()
    run = full_sync(env, d, other)
    assert bucket_of(run) == bucket, run.infra
    creates = [e for e in writes(mark, env) if e["api"] == "CreateStack"]
    assert len(creates) == 1, apis(writes(mark, env))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert any(k.startswith(other + "/") for k in keys), keys


def test_s3_bucket_option_uses_given_bucket(tmp):
    env, d, stack = setup(tmp, SMALL_APP)
    s3 = client(env, "s3")
    s3.create_bucket(Bucket=stack + "-artifacts")
    run = full_sync(env, d, stack, "--s3-bucket", stack + "-artifacts")
    assert run.infra["Infrastructure"] == "created", run.infra
    assert bucket_of(run) == stack + "-artifacts", run.infra
    assert stack_status(env, MANAGED_STACK) is None, "the managed stack was created"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=stack + "-artifacts")["Contents"]]
    assert any(k.endswith(".zip") for k in keys) and any(
        k.endswith(".template.json") for k in keys), keys
    fn = functions(env, stack)["SmallFunction"]
    check_packaged_code(env, d, stack, stack + "-artifacts", "SmallFunction", fn)


# --------------------------------------------------------------------------------------
# Confirmation
# --------------------------------------------------------------------------------------

def confirmed_file(env):
    return pathlib.Path(env["HOME"]) / ".awsx" / "sync-confirmed.json"


def confirmed_key(env, stack, region="us-east-1"):
    """The key confirm_stack() writes: account, region and stack."""
    account = client(env, "sts").get_caller_identity()["Account"]
    return "%s/%s/%s" % (account, region, stack)


def test_without_terminal_or_no_confirm_nothing_happens(tmp):
    env, d, stack = setup(tmp, SMALL_APP)
    mark = harness.log_mark()
    run = full_sync(env, d, stack, expect=2, confirm=True)
    assert "--no-confirm" in run.stderr and stack in run.stderr, run.stderr
    # only who the credentials are (the confirmation is per account) before stopping
    assert apis(requests(mark, env)) == ["GetCallerIdentity"], apis(requests(mark, env))
    assert stack_status(env, stack) is None
    assert not confirmed_file(env).exists()


def test_remembered_confirmation_runs_without_flag(tmp):
    env, d, stack = setup(tmp, SMALL_APP)
    f = confirmed_file(env)
    f.parent.mkdir(parents=True)
    f.write_text(json.dumps({confirmed_key(env, stack): True}))   # as confirm_stack() writes
    run = full_sync(env, d, stack, confirm=True)
    assert run.infra["Infrastructure"] == "created", run.infra
    # only that stack, in that region
    full_sync(env, d, stack + "-other", expect=2, confirm=True)
    env2 = dict(env, AWS_REGION="us-west-2")
    full_sync(env2, d, stack, expect=2, confirm=True)


def test_confirmation_on_terminal_is_remembered(tmp):
    import pty
    env, d, stack = setup(tmp, SMALL_APP)
    master, slave = pty.openpty()
    argv = [harness.awsx_bin(), "sync", "--stack-name", stack]
    proc = subprocess.Popen(argv, env=env, cwd=str(d), stdin=slave, stderr=slave,
                            stdout=subprocess.PIPE, close_fds=True)
    os.close(slave)
    seen, answered = b"", False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:          # EIO: the terminal's other side is closed
                    break
                if not chunk:
                    break
                seen += chunk
                if not answered and b"[y/N]" in seen:
                    os.write(master, b"y\n")
                    answered = True
            elif proc.poll() is not None:
                break
        out, _ = proc.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert answered, text
    assert proc.returncode == 0, (proc.returncode, text)
    assert stack_status(env, stack) == "CREATE_COMPLETE"
    assert json.loads(confirmed_file(env).read_text()) == {confirmed_key(env, stack): True}
    # asked once: no terminal and no flag is fine from now on
    full_sync(env, d, stack, confirm=True)


# --------------------------------------------------------------------------------------
# Nested stacks
# --------------------------------------------------------------------------------------

def test_nested_stack_code_edit_skips_and_property_change_updates(tmp):
    env, d, stack = setup(tmp, synctest.NESTED_APP)
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "created", run.infra
    bucket = bucket_of(run)
    child = functions(env, nested_stack(env, stack, "Child"))["ChildFunction"]
    check_packaged_code(env, d, stack, bucket, "Child/ChildFunction", child)

    with open(d / "child" / "src" / "app.py", "a") as f:
        f.write("\n# edited\n")
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "skipped", run.infra
    w = writes(mark, env)
    assert apis(w, drop=S3_WRITES) == ["UpdateFunctionCode"], apis(w)
    assert child in w[-1]["path"], w[-1]
    check_packaged_code(env, d, stack, bucket, "Child/ChildFunction", child)

    t = d / "child" / "template.yaml"
    t.write_text(t.read_text().replace("Timeout: 5", "Timeout: 7"))
    mark = harness.log_mark()
    run = full_sync(env, d, stack)
    assert run.infra["Infrastructure"] == "updated", run.infra
    assert "UpdateStack" in apis(writes(mark, env)), apis(writes(mark, env))
    # (moto replaces a nested stack on update: its function is looked up again)
    child = functions(env, nested_stack(env, stack, "Child"))["ChildFunction"]
    assert configuration(env, child)["Timeout"] == 7
    check_packaged_code(env, d, stack, bucket, "Child/ChildFunction", child)


# --------------------------------------------------------------------------------------
# --output json
# --------------------------------------------------------------------------------------

def test_json_output_is_one_document_in_every_case(tmp):
    # (awsx as of this test prints, after a skip, the code sync's report as a second
    # document: stdout is then not JSON, and this test fails)
    env, d, stack = setup(tmp, SMALL_APP)
    seen = {}

    def sync_json(*extra):
        r = full_sync(env, d, stack, *extra).r
        doc = json.loads(r.stdout)          # the whole of stdout: one JSON document
        seen[doc["Infrastructure"]] = doc
        return doc

    assert sync_json()["Infrastructure"] == "created"
    assert sync_json("--no-skip-deploy-sync")["Infrastructure"] == "unchanged"
    t = d / "template.yaml"
    t.write_text(t.read_text().replace("Runtime: python3.12",
                                       "Runtime: python3.12\n      Timeout: 9"))
    assert sync_json()["Infrastructure"] == "updated"
    (d / "small" / "app.py").write_text("def handler(e, c):\n    return 'edited'\n")
    assert sync_json()["Infrastructure"] == "skipped"
    for doc in seen.values():
        assert doc["StackName"] == stack and "TemplateURL" in doc, doc


harness.main(globals())
