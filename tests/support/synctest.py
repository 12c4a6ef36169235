# SPDX-License-Identifier: Apache-2.0
"""Helpers of the `awsx sync` integration tests (test_sync*.py).

ctest runs tests in parallel against one proxy: each test process signs with a key of
its own (the proxy maps any AKIA* key to the test secret), so that the write calls
counted in the shared request log are this test's only.  Write calls are counted from
the proxy's log, never from awsx's own report."""

import json
import os
import pathlib
import shutil
import subprocess

import harness

ROOT = pathlib.Path(__file__).resolve().parents[2]
FAKEBIN = ROOT / "tests" / "support" / "fakebin"
READ_PREFIXES = ("Get", "List", "Describe", "Head")
KEY = "AKIASYNC%012d" % (os.getpid() % 10**12)


def environment(tmp):
    """awsx's environment: a clean home, this process's key, the fake pip and npm."""
    env = harness.home(tmp)
    env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=harness.TEST_SECRET,
               PATH="%s:%s" % (FAKEBIN, env["PATH"]),
               AWSX_FAKE_PIP_LOG=str(pathlib.Path(tmp) / "pip.log"))
    return env


def write_app(tmp, app):
    """app (a folder to copy, or {relative path: text}) as tmp/app; its path."""
    d = pathlib.Path(tmp) / "app"
    if isinstance(app, dict):
        for name, text in app.items():
            p = d / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
    else:
        shutil.copytree(app, d)
    return d


def sync(env, d, stack, *extra, expect=0):
    """awsx sync --code --output json in the app's folder, as a user runs it; (the
    parsed JSON or None, the CompletedProcess)."""
    r = subprocess.run([harness.awsx_bin(), "sync", "--stack-name", stack, "--code",
                        "--output", "json"] + list(extra),
                       env=env, cwd=str(d), capture_output=True, text=True, timeout=120)
    assert r.returncode == expect, "exit %d (want %d)\n%s\n%s" % (
        r.returncode, expect, r.stdout, r.stderr)
    return json.loads(r.stdout) if r.stdout.strip().startswith("{") else None, r


def writes(mark):
    """The write calls (anything not Get/List/Describe/Head) the proxy saw since mark."""
    return [e for e in harness.requests_since(mark, access_key=KEY)
            if not (e.get("api") or "").startswith(READ_PREFIXES)]


def by_id(doc):
    return {r["Id"]: r for r in doc["Resources"]}


def boto(service):
    import boto3
    return boto3.client(service, endpoint_url=harness.env()["endpoint_url"],
                        region_name="us-east-1", aws_access_key_id=KEY,
                        aws_secret_access_key=harness.TEST_SECRET)


# A parent function and an AWS::Serverless::Application whose local child template has a
# function of its own (CodeUri relative to child/): the nested-stack app of the sync tests.
NESTED_APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  ParentFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: parent/
      Handler: app.handler
      Runtime: python3.12
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: child/template.yaml
      Parameters:
        Greeting: hello
""",
    "parent/app.py": "def handler(e, c):\n    return 'parent'\n",
    "child/template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
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
      Timeout: 5
      Environment:
        Variables:
          GREETING: !Ref Greeting
""",
    "child/src/app.py": "import os\n\ndef handler(e, c):\n    return os.environ['GREETING']\n",
}
