#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Deploy a SAM application with local code into moto, for tests and the demo.

What `sam package` + `sam deploy` would do, in a few lines of boto3, until `awsx
sync` does full deploys: zip each local CodeUri / ContentUri folder, upload it and
every local definition file (DefinitionUri, ...) to a bucket of moto's S3, rewrite the
template to point at them, and create (or update) the stack with CreateStack /
UpdateStack through the verifying proxy, whose SAM transform (samtransform.py)
turns it into resources moto creates. Returns {logical id: physical id}.

Nested stacks with a local template (AWS::CloudFormation::Stack TemplateURL,
AWS::Serverless::Application Location: a path relative to the parent template's
folder) are packaged the same way, recursively (their paths relative to their own
folder), uploaded as templates, and named by their S3 URL in the form `sam package`
writes (https://s3.amazonaws.com/BUCKET/KEY, or s3.REGION.amazonaws.com outside
us-east-1). A child keeps its own Transform, as with `sam package`: moto's process
applies it when it creates the nested stack (motoext.py).

  import harness
  ids = harness.deploy_sam_stack("blog-1", "examples/blog")

  python3 tests/support/samstack.py deploy --stack-name S --template-dir D \\
      [--endpoint-url URL] [--bucket B] [--region R] [--parameter KEY=VALUE ...]

The endpoint is --endpoint-url, else the local endpoint of AWSX_ENV_DIR (env.json).
Keys: harness.TEST_ACCESS_KEY / TEST_SECRET. Prints the ids as JSON.
"""

import argparse
import hashlib
import io
import json
import os
import sys
import time
import zipfile
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import samtransform  # noqa: E402

import yaml  # noqa: E402

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
DEFAULT_BUCKET = "awsx-test-artifacts"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Resource type -> (property, form of the S3 location, zip a folder?) for every local
# path `sam package` uploads that the tests use.
ARTIFACTS = {
    "AWS::Serverless::Function": [("CodeUri", "sam", True)],
    "AWS::Serverless::LayerVersion": [("ContentUri", "sam", True)],
    "AWS::Serverless::StateMachine": [("DefinitionUri", "sam", False)],
    "AWS::Serverless::Api": [("DefinitionUri", "sam", False)],
    "AWS::Serverless::HttpApi": [("DefinitionUri", "sam", False)],
    "AWS::Lambda::Function": [("Code", "lambda", True)],
    "AWS::Lambda::LayerVersion": [("Content", "lambda", True)],
    "AWS::StepFunctions::StateMachine": [("DefinitionS3Location", "sam", False)],
}


# Resource type -> property naming a nested stack's template: a local path is packaged
# (recursively) and replaced by the uploaded template's URL.
NESTED_TEMPLATES = {
    "AWS::CloudFormation::Stack": "TemplateURL",
    "AWS::Serverless::Application": "Location",
}
MAX_NESTING = 8


class DeployError(Exception):
    """The stack did not reach a complete state; the message says why."""


# --------------------------------------------------------------------------------------
# Packaging
# --------------------------------------------------------------------------------------

def find_template(template_dir, name=None):
    for n in [name] if name else TEMPLATE_NAMES:
        path = os.path.join(template_dir, n)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError("no %s in '%s'" % (name or " / ".join(TEMPLATE_NAMES), template_dir))


def zip_folder(path):
    """A zip of the folder (or of one file), entries sorted and dated 1980: the same
    bytes for the same tree, so an unchanged folder keeps its S3 key."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if os.path.isfile(path):
            _zip_add(z, path, os.path.basename(path))
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                full = os.path.join(root, f)
                _zip_add(z, full, os.path.relpath(full, path))
    return buf.getvalue()


def _zip_add(z, full, arcname):
    info = zipfile.ZipInfo(arcname.replace(os.sep, "/"), ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o755 if os.access(full, os.X_OK) else 0o644) << 16
    with open(full, "rb") as f:
        z.writestr(info, f.read())


def _is_local(value):
    return isinstance(value, str) and value and not value.startswith("s3://")


def _is_local_template(value):
    # a nested template named by a URL (https://, s3://) or by an application of the
    # Serverless Application Repository (a mapping) is not ours to package
    return isinstance(value, str) and value and "://" not in value


def template_url(region, bucket, key):
    """The https URL of an uploaded template, path-style, as `sam package` writes it
    (and as moto's CloudFormation and the proxy read it back from moto's S3)."""
    host = "s3.amazonaws.com" if region in (None, "us-east-1") else "s3.%s.amazonaws.com" % region
    return "https://%s/%s/%s" % (host, bucket, key)


class Packager:
    """Uploads local artifacts once each (content-addressed keys) and rewrites properties."""

    def __init__(self, s3, bucket, base_dir, prefix, parents=()):
        self.s3 = s3
        self.bucket = bucket
        self.base_dir = base_dir
        self.prefix = prefix
        self.parents = tuple(parents)    # templates being packaged above this one

    def upload(self, local, zip_it):
        path = self.local_path(local)
        if zip_it:
            data, ext = zip_folder(path), ".zip"
        else:
            with open(path, "rb") as f:
                data = f.read()
            ext = os.path.splitext(path)[1]
        return self.put(data, ext)

    def local_path(self, local):
        path = os.path.normpath(os.path.join(self.base_dir, local))
        if not os.path.exists(path):
            raise FileNotFoundError("local artifact '%s' does not exist" % path)
        return path

    def put(self, data, ext):
        key = "%s/%s%s" % (self.prefix, hashlib.sha256(data).hexdigest(), ext)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        return key

    def nested(self, local):
        """Package the nested template at local (a file, or a folder holding
        template.yaml), upload it; its URL."""
        path = self.local_path(local)
        if os.path.isdir(path):
            path = find_template(path)
        path = os.path.realpath(path)
        if path in self.parents:
            raise ValueError("nested template '%s' includes itself" % path)
        if len(self.parents) >= MAX_NESTING:
            raise ValueError("nested templates deeper than %d at '%s'" % (MAX_NESTING, path))
        with open(path, encoding="utf-8") as f:
            child = samtransform.load_template(f.read())
        Packager(self.s3, self.bucket, os.path.dirname(path), self.prefix,
                 self.parents + (path,)).rewrite(child)
        body = yaml.safe_dump(child, sort_keys=False, default_flow_style=False)
        key = self.put(body.encode("utf-8"), os.path.splitext(path)[1] or ".template")
        return template_url(self.s3.meta.region_name, self.bucket, key)

    def location(self, local, form, zip_it):
        key = self.upload(local, zip_it)
        if form == "lambda":
            return {"S3Bucket": self.bucket, "S3Key": key}
        return {"Bucket": self.bucket, "Key": key}

    def rewrite(self, template):
        """Replace every local path of the template by its S3 location (in place)."""
        for res in (template.get("Resources") or {}).values():
            props = res.get("Properties") if isinstance(res, dict) else None
            if not isinstance(props, dict):
                continue
            if res.get("Type") == "AWS::Serverless::Function" and (
                    props.get("PackageType") == "Image" or "InlineCode" in props):
                continue
            for prop, form, zip_it in ARTIFACTS.get(res.get("Type"), ()):
                if _is_local(props.get(prop)):
                    props[prop] = self.location(props[prop], form, zip_it)
            prop = NESTED_TEMPLATES.get(res.get("Type"))
            if prop and _is_local_template(props.get(prop)):
                props[prop] = self.nested(props[prop])
        # Functions without a CodeUri of their own take the one in Globals.
        glob = ((template.get("Globals") or {}).get("Function") or {})
        if _is_local(glob.get("CodeUri")):
            glob["CodeUri"] = self.location(glob["CodeUri"], "sam", True)
        return template


def package(template_dir, s3, bucket=DEFAULT_BUCKET, prefix="packages", template_name=None):
    """Upload the artifacts of the template in template_dir; the packaged template text
    (YAML, long-form intrinsics) to send to CloudFormation."""
    path = find_template(template_dir, template_name)
    with open(path, encoding="utf-8") as f:
        template = samtransform.load_template(f.read())
    ensure_bucket(s3, bucket)
    Packager(s3, bucket, os.path.dirname(path), prefix,
             (os.path.realpath(path),)).rewrite(template)
    return yaml.safe_dump(template, sort_keys=False, default_flow_style=False)


def ensure_bucket(s3, bucket):
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except s3.exceptions.ClientError:
        pass
    region = s3.meta.region_name
    # outside us-east-1, S3 wants the region spelt out (IllegalLocationConstraintException)
    extra = {} if region in (None, "us-east-1") else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=bucket, **extra)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass                      # a test running in parallel made it first


# --------------------------------------------------------------------------------------
# Deploying
# --------------------------------------------------------------------------------------

def endpoint_of(env):
    """The endpoint URL from env.json's dict, or from an awsx environment (harness.home())."""
    if env is None:
        import harness
        env = harness.env()
    url = env.get("endpoint_url") or env.get("AWS_ENDPOINT_URL")
    if not url:
        raise ValueError("no endpoint_url / AWS_ENDPOINT_URL in %r" % sorted(env))
    return url


def clients(endpoint, region="us-east-1", access_key=None):
    """(s3, cloudformation) boto3 clients signing with access_key (default the
    harness's TEST_ACCESS_KEY) and the test secret."""
    import boto3
    import harness
    from botocore.config import Config
    session = boto3.session.Session(aws_access_key_id=access_key or harness.TEST_ACCESS_KEY,
                                    aws_secret_access_key=harness.TEST_SECRET,
                                    region_name=region)
    # S3 through "localhost": moto reads some requests to 127.0.0.1 as bucket "127".
    u = urlsplit(endpoint)
    s3_url = urlunsplit((u.scheme, "localhost:%d" % u.port if u.port else "localhost",
                         u.path, "", "")) if u.hostname == "127.0.0.1" else endpoint
    s3 = session.client("s3", endpoint_url=s3_url,
                        config=Config(s3={"addressing_style": "path"}))
    cfn = session.client("cloudformation", endpoint_url=endpoint)
    return s3, cfn


def stack_status(cfn, stack_name):
    """The stack's (status, reason), or None when there is no such live stack."""
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except cfn.exceptions.ClientError as e:
        if "does not exist" in str(e):
            return None
        raise
    if not stacks or stacks[0]["StackStatus"] == "DELETE_COMPLETE":
        return None
    return stacks[0]["StackStatus"], stacks[0].get("StackStatusReason")


def wait_for_stack(cfn, stack_name, timeout=120.0):
    """Poll until the stack leaves *_IN_PROGRESS; DeployError unless it is complete."""
    deadline = time.monotonic() + timeout
    while True:
        status, reason = stack_status(cfn, stack_name) or ("DELETE_COMPLETE", None)
        if not status.endswith("_IN_PROGRESS"):
            break
        if time.monotonic() > deadline:
            raise DeployError("stack '%s' still %s after %d s" % (stack_name, status, timeout))
        time.sleep(0.2)
    if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise DeployError("stack '%s' is %s: %s" % (stack_name, status, reason or "no reason"))
    return status


def stack_resources(cfn, stack_name):
    """{logical id: physical id} of every resource of the stack."""
    out = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        for r in page["StackResourceSummaries"]:
            out[r["LogicalResourceId"]] = r.get("PhysicalResourceId")
    return out


def send_template(cfn, stack_name, body, parameters=None, capabilities=None):
    """CreateStack, or UpdateStack when the stack exists ("no updates" is fine)."""
    kw = {
        "StackName": stack_name,
        "TemplateBody": body,
        "Capabilities": list(capabilities or CAPABILITIES),
        "Parameters": [{"ParameterKey": k, "ParameterValue": str(v)}
                       for k, v in (parameters or {}).items()],
    }
    if stack_status(cfn, stack_name) is None:
        cfn.create_stack(**kw)
        return "create"
    try:
        cfn.update_stack(**kw)
    except cfn.exceptions.ClientError as e:
        if "No updates are to be performed" in str(e):
            return "none"
        raise
    return "update"


def deploy_sam_stack(stack_name, template_dir, env=None, bucket=DEFAULT_BUCKET,
                     parameters=None, region="us-east-1", template_name=None, timeout=120.0,
                     access_key=None):
    """Package template_dir's template, create or update stack_name through the local
    endpoint (env: env.json's dict or a harness.home() environment; default
    harness.env()), wait for it, and return {logical id: physical id}.
    DeployError when the stack ends in a failed state."""
    s3, cfn = clients(endpoint_of(env), region, access_key)
    body = package(template_dir, s3, bucket, prefix=stack_name, template_name=template_name)
    send_template(cfn, stack_name, body, parameters)
    wait_for_stack(cfn, stack_name, timeout)
    return stack_resources(cfn, stack_name)


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="deploy a SAM app with local code into moto")
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("deploy", help="package, create or update, wait; print the ids")
    d.add_argument("--stack-name", required=True)
    d.add_argument("--template-dir", required=True)
    d.add_argument("--template", help="file name in the folder (default template.yaml)")
    d.add_argument("--endpoint-url", help="default: env.json of $AWSX_ENV_DIR")
    d.add_argument("--bucket", default=DEFAULT_BUCKET)
    d.add_argument("--region", default="us-east-1")
    d.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args(argv)
    params = dict(p.split("=", 1) for p in args.parameter)
    env = {"endpoint_url": args.endpoint_url} if args.endpoint_url else None
    try:
        ids = deploy_sam_stack(args.stack_name, args.template_dir, env, args.bucket, params,
                               args.region, args.template)
    except (DeployError, OSError, ValueError) as e:
        print("samstack: %s" % e, file=sys.stderr)
        return 1
    json.dump(ids, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
