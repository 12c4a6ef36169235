#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the integration-test harness (tests/support), with boto3 as the client.

Proves the SigV4-verifying proxy accepts what AWS accepts and rejects, in AWS's
shapes, what AWS rejects (wrong secret, stale date, wrong scope, missing or wrong
session token, unsigned calls), that it learns temporary credentials, that its request
log records every call, and that each FaultProxy action has the effect a client sees
from AWS. Needs the local endpoint (AWSX_ENV_DIR), not the awsx binary.
"""

import datetime
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness  # noqa: E402

import boto3  # noqa: E402
import botocore  # noqa: E402
import botocore.auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

# Each test runs in its own process (ctest runs them in parallel): a key of its
# own, so the proxy log read back holds only this test's requests.
KEY = "AKIAHARN" + hashlib.sha1(
    (sys.argv[1] if len(sys.argv) > 1 else "").encode()).hexdigest()[:12].upper()
NO_RETRY = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)


def client(service, endpoint=None, key=KEY, secret=harness.TEST_SECRET, token=None,
           region="us-east-1", config=NO_RETRY):
    return boto3.session.Session().client(
        service, endpoint_url=endpoint or harness.env()["endpoint_url"], region_name=region,
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
        config=config)


def error_of(call):
    """Run call(); return (HTTP status, error code, message, ClientError)."""
    try:
        call()
    except ClientError as e:
        r = e.response
        return (r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"],
                r["Error"].get("Message", ""), e)
    raise AssertionError("the call succeeded but should have failed")


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def signed_request(service, body, headers=None, secret=harness.TEST_SECRET, key=KEY,
                   region="us-east-1", endpoint=None, path="/", method="POST", when=None,
                   token=None):
    """A request signed by botocore's SigV4Auth, as (url, headers dict, body bytes)."""
    url = (endpoint or harness.env()["endpoint_url"]) + path
    req = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    signer = botocore.auth.SigV4Auth(Credentials(key, secret, token), service, region)
    if when is None:
        signer.add_auth(req)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=when):
            signer.add_auth(req)
    return url, dict(req.headers.items()), body


def send(url, headers, body, method="POST"):
    """(status, headers, body bytes) of one raw HTTP exchange."""
    r = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
GCI = b"Action=GetCallerIdentity&Version=2011-06-15"


def xml_error(body):
    root = ET.fromstring(body)
    ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    return root, ns


# --- the verifying proxy ----------------------------------------------------------------

def test_sts_signed_ok(tmp):
    mark = harness.log_mark()
    ident = client("sts").get_caller_identity()
    assert ident["Account"], ident
    log = harness.requests_since(mark, access_key=KEY, operation="GetCallerIdentity")
    assert log and log[-1]["verified"] is True and log[-1]["status"] == 200, log
    assert log[-1]["service"] == "sts" and log[-1]["method"] == "POST", log


def test_wrong_secret_query_shape(tmp):
    status, code, msg, _ = error_of(lambda: client("sts", secret="wrong").get_caller_identity())
    assert (status, code) == (403, "SignatureDoesNotMatch"), (status, code)
    assert msg.startswith("The request signature we calculated does not match"), msg
    # The raw wire shape, as STS sends it.
    url, headers, body = signed_request("sts", GCI, dict(FORM), secret="wrong")
    st, rh, data = send(url, headers, body)
    assert st == 403
    root, ns = xml_error(data)
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}ErrorResponse", root.tag
    assert root.find(ns + "Error/" + ns + "Type").text == "Sender"
    assert root.find(ns + "Error/" + ns + "Code").text == "SignatureDoesNotMatch"
    rid = root.find(ns + "RequestId").text
    assert rid and rh["x-amzn-RequestId"] == rid, (rid, dict(rh))
    assert "text/xml" in rh["Content-Type"]
    # Like AWS, the message says what was expected.
    assert "The Canonical String for this request should have been" in \
        root.find(ns + "Error/" + ns + "Message").text


def test_wrong_secret_json_shape(tmp):
    status, code, _, e = error_of(lambda: client("logs", secret="wrong").describe_log_groups())
    assert (status, code) == (400, "InvalidSignatureException"), (status, code)
    url, headers, body = signed_request(
        "logs", b"{}", {"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                        "Content-Type": "application/x-amz-json-1.1"}, secret="wrong")
    st, rh, data = send(url, headers, body)
    assert st == 400 and rh["x-amzn-ErrorType"] == "InvalidSignatureException", dict(rh)
    doc = json.loads(data)
    assert doc["__type"] == "InvalidSignatureException" and doc["message"], doc


def test_wrong_secret_rest_json_shape(tmp):
    status, code, _, e = error_of(lambda: client("lambda", secret="wrong").list_functions())
    assert (status, code) == (403, "InvalidSignatureException"), (status, code)
    assert e.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == \
        "InvalidSignatureException"


def test_wrong_secret_ec2_shape(tmp):
    status, code, _, _ = error_of(lambda: client("ec2", secret="wrong").describe_regions())
    assert (status, code) == (401, "AuthFailure"), (status, code)
    url, headers, body = signed_request("ec2", b"Action=DescribeRegions&Version=2016-11-15",
                                        dict(FORM), secret="wrong")
    st, rh, data = send(url, headers, body)
    root = ET.fromstring(data)
    assert root.tag == "Response" and root.find("Errors/Error/Code").text == "AuthFailure"
    assert root.find("RequestID").text


def test_s3_signed_and_wrong_secret(tmp):
    bucket = unique("awsx-harness")
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="dir/a b+c.txt", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key="dir/a b+c.txt")["Body"].read() == b"hello"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="dir/")
    assert [o["Key"] for o in listed["Contents"]] == ["dir/a b+c.txt"], listed
    status, code, _, e = error_of(lambda: client("s3", secret="wrong").list_objects_v2(Bucket=bucket))
    assert (status, code) == (403, "SignatureDoesNotMatch"), (status, code)
    assert "CanonicalRequest" in e.response["Error"], e.response["Error"]


def _s3_signed(path, body=b"", headers=None):
    url = harness.env()["endpoint_url"] + path
    h = dict(headers or {})
    h.setdefault("X-Amz-Content-SHA256", __import__("hashlib").sha256(body).hexdigest())
    req = AWSRequest(method="PUT" if body else "GET", url=url, data=body, headers=h)
    botocore.auth.S3SigV4Auth(Credentials(KEY, harness.TEST_SECRET), "s3", "us-east-1").add_auth(req)
    return url, dict(req.headers.items()), body


def test_s3_header_rules(tmp):
    bucket = unique("awsx-rules")
    client("s3").create_bucket(Bucket=bucket)
    url, headers, body = _s3_signed("/%s/k" % bucket, b"data")
    st, _, data = send(url, headers, body, method="PUT")
    assert st == 200, (st, data)
    # an x-amz-* header that was not signed
    headers2 = dict(headers, **{"x-amz-meta-extra": "1"})
    st, _, data = send(url, headers2, body, method="PUT")
    assert st == 403 and b"<HeadersNotSigned>x-amz-meta-extra</HeadersNotSigned>" in data, data
    # a payload hash that is not the body's
    url, headers, body = _s3_signed("/%s/k" % bucket, b"data")
    headers["X-Amz-Content-SHA256"] = "0" * 64
    st, _, data = send(url, headers, body, method="PUT")
    assert st == 400 and b"XAmzContentSHA256Mismatch" in data, data
    # no payload hash at all
    url, headers, body = _s3_signed("/%s/k" % bucket)
    del headers["X-Amz-Content-SHA256"]
    st, _, data = send(url, headers, None, method="GET")
    assert st == 400 and b"x-amz-content-sha256" in data, data


def test_signed_user_agent_accepted(tmp):
    # botocore never signs User-Agent, AWS accepts it when a client does (curl sends one).
    with mock.patch("botocore.auth.SIGNED_HEADERS_BLACKLIST", []):
        url, headers, body = signed_request("sts", GCI, dict(FORM, **{"User-Agent": "awsx/0  x"}))
    assert "user-agent" in headers["Authorization"], headers
    st, _, data = send(url, headers, body)
    assert st == 200, (st, data)
    headers["User-Agent"] = "awsx/1"
    st, _, data = send(url, headers, body)
    assert st == 403, (st, data)


def test_old_date_rejected(tmp):
    old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - \
        datetime.timedelta(minutes=20)
    url, headers, body = signed_request("sts", GCI, dict(FORM), when=old)
    st, _, data = send(url, headers, body)
    root, ns = xml_error(data)
    assert st == 403 and root.find(ns + "Error/" + ns + "Code").text == "SignatureDoesNotMatch"
    assert root.find(ns + "Error/" + ns + "Message").text.startswith("Signature expired: "), data
    with mock.patch("botocore.auth.get_current_datetime", return_value=old):
        status, code, msg, _ = error_of(lambda: client("logs").describe_log_groups())
    assert code == "InvalidSignatureException" and msg.startswith("Signature expired"), msg
    future = old + datetime.timedelta(minutes=60)
    with mock.patch("botocore.auth.get_current_datetime", return_value=future):
        status, code, msg, _ = error_of(lambda: client("sts").get_caller_identity())
    assert code == "SignatureDoesNotMatch" and msg.startswith("Signature not yet current"), msg
    with mock.patch("botocore.auth.get_current_datetime", return_value=old):
        status, code, _, _ = error_of(lambda: client("s3").list_buckets())
    assert (status, code) == (403, "RequestTimeTooSkewed"), (status, code)


def test_scope_checks(tmp):
    def code_msg(url, headers, body):
        st, _, data = send(url, headers, body)
        root, ns = xml_error(data)
        return st, root.find(ns + "Error/" + ns + "Code").text, root.find(ns + "Error/" + ns + "Message").text
    # scope date differs from X-Amz-Date
    url, headers, body = signed_request("sts", GCI, dict(FORM))
    d = headers["X-Amz-Date"][:8]
    headers["Authorization"] = headers["Authorization"].replace("/%s/" % d, "/20200101/")
    st, code, msg = code_msg(url, headers, body)
    assert code == "SignatureDoesNotMatch" and msg.startswith("Date in Credential scope"), msg
    # STS call signed for another service
    st, code, msg = code_msg(*signed_request("iam", GCI, dict(FORM)))
    assert code == "SignatureDoesNotMatch" and "scoped to correct service: 'sts'" in msg, msg
    # malformed region
    st, code, msg = code_msg(*signed_request("sts", GCI, dict(FORM), region="nowhere"))
    assert "valid region" in msg, msg
    # IAM is global: only its partition's home region
    st, code, msg = code_msg(*signed_request(
        "iam", b"Action=ListUsers&Version=2010-05-08", dict(FORM), region="eu-west-1"))
    assert code == "SignatureDoesNotMatch" and "valid region" in msg, msg
    # a json call signed as another service
    url, headers, body = signed_request(
        "lambda", b"{}", {"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                          "Content-Type": "application/x-amz-json-1.1"})
    st, rh, data = send(url, headers, body)
    assert json.loads(data)["__type"] == "InvalidSignatureException", data
    assert "correct service: 'logs'" in json.loads(data)["message"], data


def test_missing_auth_rejected(tmp):
    st, rh, data = send(harness.env()["endpoint_url"] + "/", dict(FORM), GCI)
    root, ns = xml_error(data)
    assert st == 403 and root.find(ns + "Error/" + ns + "Code").text == \
        "MissingAuthenticationToken", data
    st, rh, data = send(harness.env()["endpoint_url"] + "/", {
        "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
        "Content-Type": "application/x-amz-json-1.1"}, b"{}")
    assert json.loads(data)["__type"] == "MissingAuthenticationTokenException", data


def test_unknown_key_rejected(tmp):
    status, code, _, _ = error_of(lambda: client("sts", key="XYZZY0000000000").get_caller_identity())
    assert (status, code) == (403, "InvalidClientTokenId"), (status, code)
    status, code, _, _ = error_of(lambda: client("sts", key="ASIAAWSXNOTOKEN00001").get_caller_identity())
    assert (status, code) == (403, "InvalidClientTokenId"), (status, code)


def test_keys_file(tmp):
    key, secret = "AKID" + uuid.uuid4().hex[:16].upper(), "secret-" + uuid.uuid4().hex
    error_of(lambda: client("sts", key=key, secret=secret).get_caller_identity())
    harness.add_key(key, secret)
    assert client("sts", key=key, secret=secret).get_caller_identity()["Account"]


def test_assume_role_temporary_credentials(tmp):
    role = unique("awsx-role")
    arn = client("iam").create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": "*"}}]}))["Role"]["Arn"]
    c = client("sts").assume_role(RoleArn=arn, RoleSessionName="harness")["Credentials"]
    assert c["SecretAccessKey"] != harness.TEST_SECRET
    mark = harness.log_mark()
    who = client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                 token=c["SessionToken"]).get_caller_identity()
    assert who["Arn"], who
    assert client("logs", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                  token=c["SessionToken"]).describe_log_groups() is not None
    log = harness.requests_since(mark, access_key=c["AccessKeyId"])
    assert [e["verified"] for e in log] == [True, True], log
    # The learned secret is the only one that verifies; the token must come along.
    status, code, _, _ = error_of(lambda: client(
        "sts", key=c["AccessKeyId"], secret=harness.TEST_SECRET,
        token=c["SessionToken"]).get_caller_identity())
    assert code == "SignatureDoesNotMatch", code
    status, code, _, _ = error_of(lambda: client(
        "sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"]).get_caller_identity())
    assert code == "InvalidClientTokenId", code
    status, code, _, _ = error_of(lambda: client(
        "sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
        token="not-the-token").get_caller_identity())
    assert code == "InvalidClientTokenId", code


def test_unsigned_web_identity(tmp):
    sts = boto3.session.Session().client(
        "sts", endpoint_url=harness.env()["endpoint_url"], region_name="us-east-1",
        config=Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1}))
    mark = harness.log_mark()
    c = sts.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::123456789012:role/awsx-web", RoleSessionName="web",
        WebIdentityToken="token-" + uuid.uuid4().hex)["Credentials"]
    log = harness.requests_since(mark, operation="AssumeRoleWithWebIdentity")
    assert log and log[-1]["status"] == 200 and log[-1]["verified"] is False, log
    who = client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                 token=c["SessionToken"]).get_caller_identity()
    assert who["Arn"], who
    # Other operations are not accepted unsigned.
    status, code, _, _ = error_of(sts.get_caller_identity)
    assert (status, code) == (403, "MissingAuthenticationToken"), (status, code)


def test_presigned_urls(tmp):
    bucket = unique("awsx-presign")
    v4 = Config(signature_version="s3v4", retries={"total_max_attempts": 1})
    s3 = client("s3", config=v4)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"presigned body")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                    ExpiresIn=300)
    st, _, data = send(url, {}, None, method="GET")
    assert st == 200 and data == b"presigned body", (st, data)
    st, _, data = send(url[:-4] + ("0000" if not url.endswith("0000") else "1111"), {}, None,
                       method="GET")
    assert st == 403 and b"SignatureDoesNotMatch" in data, (st, data)
    bad = client("s3", secret="wrong", config=v4).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=300)
    st, _, data = send(bad, {}, None, method="GET")
    assert st == 403, st
    # boto3's default for custom endpoints is a SigV2 presigned URL: not accepted.
    v2 = client("s3").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    assert "AWSAccessKeyId=" in v2
    st, _, data = send(v2, {}, None, method="GET")
    assert st == 400 and b"Signature Version 2" in data, (st, data)
    # A presigned query-protocol GET (what EKS tokens are made of).
    req = AWSRequest(method="GET", url=harness.env()["endpoint_url"]
                     + "/?Action=GetCallerIdentity&Version=2011-06-15")
    botocore.auth.SigV4QueryAuth(Credentials(KEY, harness.TEST_SECRET), "sts", "us-east-1",
                                 expires=60).add_auth(req)
    st, _, data = send(req.url, {}, None, method="GET")
    assert st == 200 and b"GetCallerIdentityResult" in data, (st, data)
    # boto3 presigns STS for POST (its method), so the same URL as a GET must fail.
    sts_url = client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60)
    st, _, data = send(sts_url, {}, None, method="GET")
    assert st == 403 and b"SignatureDoesNotMatch" in data, (st, data)
    st, _, data = send(sts_url, {}, b"", method="POST")
    assert st == 200 and b"GetCallerIdentityResult" in data, (st, data)


def test_request_log_records(tmp):
    mark = harness.log_mark()
    key = "AKIA" + uuid.uuid4().hex[:16].upper()
    client("sts", key=key).get_caller_identity()
    error_of(lambda: client("logs", key=key, secret="wrong").describe_log_groups())
    client("lambda", key=key).list_functions()
    log = harness.requests_since(mark, access_key=key)
    assert [(e["service"], e["operation"], e["status"], e["verified"]) for e in log] == [
        ("sts", "GetCallerIdentity", 200, True),
        ("logs", "DescribeLogGroups", 400, False),
        ("lambda", "GET /2015-03-31/functions", 200, True)], log
    assert log[1]["reason"] == "signature mismatch" and log[1]["canonical_request"], log[1]
    assert log[2]["api"] == "ListFunctions", log[2]
    for e in log:
        assert {"method", "service", "operation", "access_key", "status", "verified",
                "reason"} <= set(e), e


def test_keepalive_and_chunked_body(tmp):
    url, headers, body = signed_request("sts", GCI, dict(FORM))
    host, port = url.split("//")[1].split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        for i in range(2):             # two requests on one connection
            url, headers, body = signed_request("sts", GCI, dict(FORM))
            conn.request("POST", "/", body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            assert r.status == 200 and int(r.headers["Content-Length"]) == len(data), (r.status, data)
        url, headers, body = signed_request("sts", GCI, dict(FORM))
        conn.request("POST", "/", body=iter([body[:10], body[10:]]), headers=headers,
                     encode_chunked=True)
        r = conn.getresponse()
        data = r.read()
        assert r.status == 200 and b"GetCallerIdentityResult" in data, (r.status, data)
    finally:
        conn.close()


def test_expect_100_continue(tmp):
    url, headers, body = signed_request("sts", GCI, dict(FORM))
    port = int(url.split("//")[1].split("/")[0].split(":")[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        head = "".join("%s: %s\r\n" % kv for kv in headers.items())
        head += "Host: %s\r\n" % url.split("//")[1].split("/")[0]
        s.sendall(("POST / HTTP/1.1\r\n%sContent-Length: %d\r\nExpect: 100-continue\r\n\r\n"
                   % (head, len(body))).encode())
        got = s.recv(1024)
        assert got.startswith(b"HTTP/1.1 100"), got
        s.sendall(body)
        f = s.makefile("rb")
        status = f.readline()
        while f.readline() not in (b"\r\n", b""):
            pass
        assert status.startswith(b"HTTP/1.1 200"), status
    finally:
        s.close()


# --- the fault proxy --------------------------------------------------------------------

CALLS = {
    "query": ("sts", lambda c: c.get_caller_identity()),
    "json": ("logs", lambda c: c.describe_log_groups()),
    "rest-json": ("lambda", lambda c: c.list_functions()),
    "ec2": ("ec2", lambda c: c.describe_regions()),
    "s3": ("s3", lambda c: c.list_buckets()),
}


def test_fault_throttle(tmp):
    want = {"query": (400, "Throttling"), "json": (400, "ThrottlingException"),
            "rest-json": (429, "TooManyRequestsException"), "ec2": (503, "RequestLimitExceeded"),
            "s3": (503, "SlowDown")}
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fp:
        for proto, (svc, call) in CALLS.items():
            for p in (proto, "auto"):
                fp.set_schedule([{"throttle": p}])
                status, code, _, e = error_of(lambda: call(client(svc, fp.url)))
                assert (status, code) == want[proto], (proto, p, status, code)
                assert e.response["ResponseMetadata"]["RequestId"] == "fault-%d" % fp.count
            assert call(client(svc, fp.url)) is not None      # then pass-through
        assert fp.count == 15, fp.count


def test_fault_throttle_then_retry_succeeds(tmp):
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fp:
        fp.set_schedule([{"throttle": "auto"}, {"status": 503, "protocol": "auto"}])
        cfg = Config(retries={"mode": "standard", "total_max_attempts": 3})
        assert client("logs", fp.url, config=cfg).describe_log_groups() is not None
        assert fp.count == 3, fp.count
        assert [r.headers["x-amz-target"] for r in fp.requests] == \
            ["Logs_20140328.DescribeLogGroups"] * 3


def test_fault_server_errors(tmp):
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fp:
        for proto, (svc, call) in CALLS.items():
            for st in (500, 503):
                fp.set_schedule([{"status": st, "protocol": "auto"}])
                status, code, _, e = error_of(lambda: call(client(svc, fp.url)))
                assert status == st, (proto, st, status, code)
                assert e.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == \
                    "fault-%d" % fp.count, e.response
        fp.set_schedule([{"status": 500, "protocol": "json", "code": "X", "message": "m"}])
        status, code, msg, _ = error_of(lambda: client("logs", fp.url).describe_log_groups())
        assert (status, code, msg) == (500, "X", "m")


def test_fault_reset(tmp):
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fp:
        fp.set_schedule([{"reset": True}])
        try:
            client("sts", fp.url).get_caller_identity()
            raise AssertionError("no error after a reset")
        except botocore.exceptions.ConnectionClosedError:
            pass
        # On the wire it is a TCP RST, not a clean close.
        fp.set_schedule([{"reset": True}])
        url, headers, body = signed_request("sts", GCI, dict(FORM), endpoint=fp.url)
        s = socket.create_connection(("127.0.0.1", fp.port), timeout=30)
        try:
            s.sendall(b"POST / HTTP/1.1\r\n" + b"".join(
                ("%s: %s\r\n" % kv).encode() for kv in headers.items())
                + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            try:
                got = s.recv(100)
                raise AssertionError("expected a reset, got %r" % got)
            except ConnectionResetError:
                pass
        finally:
            s.close()
        assert client("sts", fp.url).get_caller_identity()["Account"]


def test_fault_truncate(tmp):
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fp:
        fp.set_schedule([{"truncate": 10}])
        try:
            client("sts", fp.url).get_caller_identity()
            raise AssertionError("no error after a truncated body")
        except botocore.exceptions.ConnectionClosedError:
            pass
        fp.set_schedule([{"truncate": 10}])
        url, headers, body = signed_request("sts", GCI, dict(FORM), endpoint=fp.url)
        conn = http.client.HTTPConnection("127.0.0.1", fp.port, timeout=30)
        try:
            conn.request("POST", "/", body=body, headers=headers)
            r = conn.getresponse()
            assert r.status == 200 and int(r.headers["Content-Length"]) > 10
            try:
                r.read()
                raise AssertionError("read a whole body")
            except http.client.IncompleteRead as e:
                assert len(e.partial) == 10, e
        finally:
            conn.close()


def test_fault_stall(tmp):
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fp:
        fp.set_schedule([{"stall_ms": 3000}])
        cfg = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=0.5)
        try:
            client("sts", fp.url, config=cfg).get_caller_identity()
            raise AssertionError("no error from a stalled request")
        except (botocore.exceptions.ReadTimeoutError, botocore.exceptions.ConnectionClosedError):
            pass        # normally the read timeout; the close if the client was even slower
        assert fp.count == 1


def test_fault_delay_passes_through(tmp):
    mark = harness.log_mark()
    key = "AKIA" + uuid.uuid4().hex[:16].upper()
    with harness.FaultProxy(harness.env()["endpoint_url"], default={"delay_ms": 20}) as fp:
        fp.set_schedule([{"delay_ms": 300}])
        assert client("sts", fp.url, key=key).get_caller_identity()["Account"]
        assert client("sts", fp.url, key=key).get_caller_identity()["Account"]
        assert fp.count == 2
        assert fp.requests[0].method == "POST" and fp.requests[0].path == "/"
        assert fp.requests[0].headers["host"] == "127.0.0.1:%d" % fp.port
        assert fp.bodies[0] == GCI
    log = harness.requests_since(mark, access_key=key)
    assert [e["verified"] for e in log] == [True, True], log


# --- the harness itself -----------------------------------------------------------------

def test_home_is_clean(tmp):
    with mock.patch.dict(os.environ, {"AWS_PROFILE": "outer", "AWS_ACCESS_KEY_ID": "AKIAOUTER",
                                      "HTTPS_PROXY": "http://proxy.invalid:1"}):
        env = harness.home(tmp)
    assert os.path.isdir(os.path.join(tmp, "home", ".aws"))
    assert env["HOME"] == os.path.join(str(tmp), "home")
    assert env["AWS_CONFIG_FILE"] == os.path.join(str(tmp), "home", ".aws", "config")
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == os.path.join(str(tmp), "home", ".aws", "credentials")
    assert env["AWS_ENDPOINT_URL"] == harness.env()["endpoint_url"]
    assert env["AWS_EC2_METADATA_DISABLED"] == "true" and env["AWS_REGION"] == "us-east-1"
    assert "PATH" in env and "AWS_PROFILE" not in env and "AWS_ACCESS_KEY_ID" not in env
    assert "HTTPS_PROXY" not in env


def test_main_exit_codes(tmp):
    support = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support")
    src = ("import sys; sys.path.insert(0, %r)\nimport harness\n"
           "def test_ok(tmp): assert tmp.is_dir()\n"
           "def test_bad_one(tmp):\n    x = 41\n    assert x == 42\n"
           "def test_skipped(tmp): harness.skip('no reason')\n"
           "harness.main(globals())\n" % support)
    f = tmp / "test_demo.py"
    f.write_text(src)

    def run(*a):
        return subprocess.run([sys.executable, str(f)] + list(a), capture_output=True,
                              text=True, timeout=60)
    r = run("--list")
    assert r.returncode == 0 and r.stdout.split() == ["ok", "bad_one", "skipped"], r
    assert run("ok").returncode == 0
    r = run("bad_one")
    assert r.returncode == 1 and "x = 41" in r.stderr, r
    assert run("bad-one").returncode == 1
    assert run("skipped").returncode == 77


harness.main(globals())
