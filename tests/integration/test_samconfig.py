# SPDX-License-Identifier: Apache-2.0
"""awsx sync reads samconfig like SAM CLI: [ENV.sync.parameters] over
[ENV.global.parameters], the command line over both, TOML and YAML."""

import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import harness  # noqa: E402
import synctest  # noqa: E402
from synctest import boto  # noqa: E402

APP = {
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: none
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          STAGE: !Ref Stage
""",
    "fn/app.py": "def handler(e, c):\n    return 1\n",
}


def run(env, d, *args, expect=0):
    r = subprocess.run([harness.awsx_bin(), "sync", "--no-confirm"] + list(args), env=env,
                       cwd=str(d), capture_output=True, text=True, timeout=120)
    assert r.returncode == expect, "exit %d (want %d)\n%s\n%s" % (
        r.returncode, expect, r.stdout, r.stderr)
    return r


def stack_params(name):
    s = boto("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in s.get("Parameters", [])}


def names():
    base = "scfg-" + uuid.uuid4().hex[:8]
    return base + "-global", base + "-sync", base + "-dev", base + "-cli"


def check_precedence(tmp, config_name, text_of):
    env = synctest.environment(tmp)
    env.pop("AWS_REGION", None)          # the region comes from samconfig
    d = synctest.write_app(tmp, APP)
    g, s, dev, cli = names()
    (d / config_name).write_text(text_of(g, s, dev))
    run(env, d)
    assert stack_params(s) == {"Stage": "sync"}, stack_params(s)
    run(env, d, "--config-env", "dev", "--region", "us-east-1")
    assert stack_params(dev) == {"Stage": "dev"}, stack_params(dev)
    run(env, d, "--stack-name", cli, "--parameter-overrides", "Stage=cli")
    assert stack_params(cli) == {"Stage": "cli"}, stack_params(cli)
    cfn = boto("cloudformation")
    existing = {x["StackName"] for x in cfn.list_stacks()["StackSummaries"]}
    assert g not in existing, "the global stack_name won over the sync one"


def test_toml_precedence(tmp):
    check_precedence(tmp, "samconfig.toml", lambda g, s, dev: """version = 0.1
[default.global.parameters]
stack_name = "%s"
region = "us-east-1"
parameter_overrides = "Stage=global"

[default.sync.parameters]
stack_name = "%s"
parameter_overrides = ["Stage=sync"]

[dev.sync.parameters]
stack_name = "%s"
parameter_overrides = "Stage=dev"
""" % (g, s, dev))


def test_yaml_precedence(tmp):
    check_precedence(tmp, "samconfig.yaml", lambda g, s, dev: """version: 0.1
default:
  global:
    parameters:
      stack_name: %s
      region: us-east-1
      parameter_overrides: Stage=global
  sync:
    parameters:
      stack_name: %s
      parameter_overrides:
        - Stage=sync
dev:
  sync:
    parameters:
      stack_name: %s
      parameter_overrides: Stage=dev
""" % (g, s, dev))


def test_invalid_samconfig_names_the_line(tmp):
    env = synctest.environment(tmp)
    d = synctest.write_app(tmp, APP)
    (d / "samconfig.toml").write_text('version = 0.1\n[default.sync.parameters]\n'
                                      'stack_name = "unterminated\n')
    mark = harness.log_mark()
    r = run(env, d, "--stack-name", "never-created", expect=3)
    assert "samconfig.toml:3:" in r.stderr, r.stderr
    assert not harness.requests_since(mark, access_key=synctest.KEY)


harness.main(globals())
