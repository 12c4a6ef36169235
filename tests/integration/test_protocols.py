# SPDX-License-Identifier: Apache-2.0
"""test_protocols.py: the aws/ core's wire protocols, one scenario per test
function, run by ctest as protocols-<name> (or by hand:
`python3 test_protocols.py --list`, `python3 test_protocols.py NAME`).

The scenarios drive the core through tests/support/probe.c (built as
<builddir>/tests/awsx-probe, next to AWSX_BIN), which performs one call, one
paginated call or makes one presigned URL of any service the core knows.
Every request goes through the SigV4-verifying proxy in front of moto
(AWS_ENDPOINT_URL from harness.home(), or a harness.FaultProxy in front of
it); each test checks the probe's exit status and output, and through the
proxy's request log that the requests arrived and verified.  Each test signs
with its own access key id (the proxy maps any AKIA* key to the test secret)
so the log can be filtered while tests run in parallel, and names what it
creates with a random suffix (moto's state is shared by all tests).

The probe prints the answer body on stdout; on an error a line
"awsx-probe: ..." on stderr, "code=<AWS code> status=<HTTP> attempts=<n>" on
stdout, and the error kind as exit status (3 config, 4 network, 5 service).

S3 goes to "localhost" instead of "127.0.0.1": moto reads some S3 requests to
a 127.0.0.1 endpoint as addressed to a bucket named "127" (a moto quirk).

Every endpoint a test could fall back to is a closed loopback port, so a
core that ignored an endpoint setting fails locally instead of reaching AWS.
No test asserts on elapsed time.
"""

import hashlib
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = pathlib.Path(__file__).resolve().parent
SUPPORT = HERE.parent / "support"
sys.path.insert(0, str(SUPPORT))

import harness  # noqa: E402

SECRET = harness.TEST_SECRET
PROBE_TIMEOUT = 120          # seconds; a bound, never an assertion
FETCH_TIMEOUT = 30
ERROR_LINE = re.compile(r"^code=(\S*) status=(-?\d+) attempts=(\d+)$", re.M)


# ---- helpers ----

def probe_bin():
    return os.path.join(os.path.dirname(os.path.abspath(harness.awsx_bin())), "tests",
                        "awsx-probe")


def key_for(name):
    """A 20-character access key id unique to this test: AKIA, the name in
    upper-case alnum, then hex of its hash to fill up."""
    alnum = re.sub(r"[^A-Z0-9]", "", name.upper())[:8]
    digest = hashlib.sha1(("protocols-" + name).encode()).hexdigest().upper()
    return ("AKIA" + alnum + digest)[:20]


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def setup(tmp, key, **extra):
    """A clean AWS environment (harness.home) signing with key and the test
    secret, plus extra variables; a value of None removes the variable."""
    env = harness.home(str(tmp))
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET)
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def localhost(url):
    """The same URL with host localhost (for S3, see the module comment)."""
    return url.replace("://127.0.0.1:", "://localhost:")


def s3_endpoint():
    return localhost(harness.env()["endpoint_url"])


class Result:
    """A finished probe run; stdout/stderr as text, stdout_bytes raw."""

    def __init__(self, argv, cp):
        self.argv = argv
        self.returncode = cp.returncode
        self.stdout_bytes = cp.stdout
        self.stdout = cp.stdout.decode("utf-8", "replace")
        self.stderr = cp.stderr.decode("utf-8", "replace")

    def error(self):
        """(code, status, attempts) of the probe's error line, or None."""
        m = ERROR_LINE.search(self.stdout)
        return (m.group(1), int(m.group(2)), int(m.group(3))) if m else None


def probe(args, env, timeout=PROBE_TIMEOUT):
    argv = [probe_bin()] + [str(a) for a in args]
    try:
        cp = subprocess.run(argv, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("awsx-probe %s did not finish within %s s\n--- stdout\n%r\n"
                             "--- stderr\n%r" % (" ".join(argv[1:]), timeout, e.stdout, e.stderr))
    return Result(argv, cp)


def describe(res):
    return "\n  argv: %s\n  exit %s\n  stdout: %r\n  stderr: %r" % (
        " ".join(res.argv[1:]), res.returncode, res.stdout[-3000:], res.stderr[-3000:])


def check(cond, msg, res=None):
    if not cond:
        raise AssertionError(msg + (describe(res) if res is not None else ""))


def expect_ok(res):
    check(res.returncode == 0, "awsx-probe failed", res)
    check(res.error() is None and not res.stderr.strip(), "an error was reported", res)
    return res.stdout


def expect_error(res, kind, code=None, status=None, attempts=None, *needles):
    """Exit status kind, the "code=... status=... attempts=..." line with
    these values (None: any), and a one-line "awsx-probe: " message on stderr
    mentioning the code and every needle."""
    check(res.returncode == kind, "expected exit %d" % kind, res)
    err = res.error()
    check(err is not None, "no 'code=... status=... attempts=...' line on stdout", res)
    got_code, got_status, got_attempts = err
    if code is not None:
        check(got_code == code, "expected code %s, got %s" % (code, got_code), res)
    if status is not None:
        check(got_status == status, "expected HTTP %d, got %d" % (status, got_status), res)
    if attempts is not None:
        check(got_attempts == attempts, "expected %d attempts, got %d"
              % (attempts, got_attempts), res)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    check(len(lines) == 1 and lines[0].startswith("awsx-probe: "),
          "stderr should be one 'awsx-probe: ' line", res)
    for n in ([code] if code else []) + list(needles):
        check(n in res.stderr, "stderr does not mention %r" % n, res)
    return err


def logged(mark, key, api=None):
    """Proxy log entries since mark signed with key (optionally one API)."""
    out = harness.requests_since(mark, access_key=key)
    if api is not None:
        out = [r for r in out if r.get("api") == api or r.get("operation") == api]
    return out


def expect_verified(mark, key, api=None, res=None, count=None):
    """The proxy saw requests signed with key (for api), all verified."""
    seen = logged(mark, key, api)
    check(seen, "the proxy saw no %s signed with %s; log tail: %r"
          % (api or "request", key, harness.requests_since(mark)[-10:]), res)
    bad = [r for r in seen if not r.get("verified")]
    check(not bad, "requests not verified by the proxy: %r" % bad, res)
    if count is not None:
        check(len(seen) == count, "expected %d %s signed with %s, the proxy saw %d: %r"
              % (count, api or "requests", key, len(seen), seen), res)
    return seen


def expect_rejected(mark, key, api=None, res=None):
    seen = logged(mark, key, api)
    check(seen, "the proxy saw nothing signed with %s" % key, res)
    check(not any(r.get("verified") for r in seen),
          "the proxy should have rejected the signature: %r" % seen, res)
    return seen


def pages(stdout):
    """The bodies of a --paginate run ("page N" lines, then "pages=N")."""
    bodies, cur, total = [], None, None
    for line in stdout.splitlines():
        m = re.fullmatch(r"page (\d+)", line)
        if m:
            check(int(m.group(1)) == len(bodies) + 1, "pages out of order: %r" % stdout)
            cur = []
            bodies.append(cur)
            continue
        m = re.fullmatch(r"pages=(\d+)", line)
        if m:
            total = int(m.group(1))
            cur = None
            continue
        if cur is not None:
            cur.append(line)
    check(total == len(bodies), "pages=%r but %d page bodies: %r" % (total, len(bodies), stdout))
    return ["\n".join(b) for b in bodies]


def fetch(url, method="GET"):
    """(status, body bytes) of a plain HTTP request (no signing)."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=FETCH_TIMEOUT) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def free_port():
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_url():
    return "http://127.0.0.1:%d" % free_port()


def moto_client(service):
    """A boto3 client straight to moto, only to set up fixtures."""
    import boto3
    return boto3.client(service, endpoint_url=harness.env()["moto_url"],
                        region_name="us-east-1", aws_access_key_id="AKIAPROTOCOLSFIXTURE",
                        aws_secret_access_key=SECRET)


def xml_values(text, tag):
    return re.findall(r"<%s>([^<]*)</%s>" % (tag, tag), text)


# ---- query protocol ----

def test_query_sts_get_caller_identity(tmp):
    key = key_for("query-sts")
    env = setup(tmp, key)
    mark = harness.log_mark()
    res = probe(["sts", "GetCallerIdentity"], env)
    out = expect_ok(res)
    check("<GetCallerIdentityResponse" in out, "not a GetCallerIdentity answer", res)
    check(xml_values(out, "Account") == ["123456789012"], "no Account in the answer", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_query_pagination(tmp):
    key = key_for("query-paginate")
    prefix = unique("awsx-protocols-lc")
    names = ["%s-%d" % (prefix, i) for i in range(3)]
    asg = moto_client("autoscaling")
    for n in names:
        asg.create_launch_configuration(LaunchConfigurationName=n, ImageId="ami-12345678",
                                        InstanceType="t2.micro")
    env = setup(tmp, key)
    mark = harness.log_mark()
    # Asking for exactly our three names keeps other tests' launch
    # configurations out of the listing (and exercises list members).
    args = ["--paginate", "NextToken:NextToken", "autoscaling",
            "DescribeLaunchConfigurations", "MaxRecords=1"]
    args += ["LaunchConfigurationNames.member.%d=%s" % (i + 1, n) for i, n in enumerate(names)]
    res = probe(args, env)
    out = expect_ok(res)
    bodies = pages(out)
    check(len(bodies) >= 3, "expected 3 or more pages, got %d" % len(bodies), res)
    seen = [n for b in bodies for n in xml_values(b, "LaunchConfigurationName")]
    for n in names:
        check(seen.count(n) == 1, "%s should appear exactly once: %r" % (n, seen), res)
    for b in bodies:
        check(len(xml_values(b, "LaunchConfigurationName")) <= 1,
              "MaxRecords=1 not honoured: %r" % b, res)
    expect_verified(mark, key, "DescribeLaunchConfigurations", res, count=len(bodies))


# ---- JSON 1.1 ----

def test_json11_create_and_paginate(tmp):
    key = key_for("json11-paginate")
    prefix = "/%s/" % unique("awsx-protocols-json")
    groups = ["%sgroup-%d" % (prefix, i) for i in range(3)]
    env = setup(tmp, key)
    mark = harness.log_mark()
    for g in groups:
        res = probe(["logs", "CreateLogGroup", "logGroupName=" + g], env)
        expect_ok(res)
    expect_verified(mark, key, "CreateLogGroup", count=3)
    mark = harness.log_mark()
    res = probe(["--paginate", "nextToken:nextToken", "logs", "DescribeLogGroups",
                 "logGroupNamePrefix=" + prefix, "limit=1"], env)
    out = expect_ok(res)
    bodies = pages(out)
    check(len(bodies) == 3, "expected 3 pages, got %d" % len(bodies), res)
    seen = []
    for b in bodies:
        try:
            doc = json.loads(b)
        except ValueError as e:
            raise AssertionError("page is not JSON (%s): %r%s" % (e, b, describe(res)))
        got = [g["logGroupName"] for g in doc.get("logGroups", [])]
        check(len(got) == 1, "limit=1 not honoured: %r" % doc, res)
        seen += got
    check(sorted(seen) == sorted(groups) and len(set(seen)) == 3,
          "each group should appear once: %r" % seen, res)
    expect_verified(mark, key, "DescribeLogGroups", res, count=3)


def test_connection_reused_across_calls(tmp):
    # Three pages are three calls: one TCP connection, reused by the next two.
    key = key_for("conn-reuse")
    prefix = "/%s/" % unique("awsx-protocols-reuse")
    env = setup(tmp, key)
    for i in range(3):
        expect_ok(probe(["logs", "CreateLogGroup", "logGroupName=%sg%d" % (prefix, i)], env))
    res = probe(["--debug", "--paginate", "nextToken:nextToken", "logs", "DescribeLogGroups",
                 "logGroupNamePrefix=" + prefix, "limit=1"], env)
    check(res.returncode == 0 and res.error() is None, "awsx-probe failed", res)  # --debug: stderr
    check(len(pages(res.stdout)) == 3, "expected 3 pages", res)
    connects = [ln for ln in res.stderr.splitlines() if ln.startswith("* Connected to")]
    reuses = [ln for ln in res.stderr.splitlines() if "Re-using existing connection" in ln]
    check(len(connects) == 1, "expected one connection, saw %d" % len(connects), res)
    check(len(reuses) == 2, "expected two reuses, saw %d" % len(reuses), res)


# ---- many calls in flight (aws_batch) ----

def test_batch_runs_calls_concurrently(tmp):
    # 8 calls, at most 4 on the wire: the server sees 4 at once, never more
    key = key_for("batch-conc")
    env = setup(tmp, key)
    with harness.FaultProxy(harness.env()["endpoint_url"], default={"delay_ms": 400}) as fault:
        env["AWS_ENDPOINT_URL"] = fault.url
        mark = harness.log_mark()
        res = probe(["--batch", "8", "--in-flight", "4", "sts", "GetCallerIdentity"], env)
        check(res.returncode == 0 and "ok=8 failed=0" in res.stdout, "batch failed", res)
        check(fault.count == 8, "expected 8 requests, saw %d" % fault.count, res)
        check(2 <= fault.max_active <= 4,
              "expected 2 to 4 requests at once, saw %d" % fault.max_active, res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=8)


def test_batch_one_in_flight_is_serial(tmp):
    key = key_for("batch-serial")
    env = setup(tmp, key)
    with harness.FaultProxy(harness.env()["endpoint_url"], default={"delay_ms": 100}) as fault:
        env["AWS_ENDPOINT_URL"] = fault.url
        res = probe(["--batch", "4", "--in-flight", "1", "sts", "GetCallerIdentity"], env)
        check(res.returncode == 0 and "ok=4 failed=0" in res.stdout, "batch failed", res)
        check(fault.max_active == 1, "expected one at a time, saw %d" % fault.max_active, res)


def test_batch_retries_each_call(tmp):
    # the first three answers are throttled: each affected call retries on its own
    key = key_for("batch-retry")
    env = setup(tmp, key)
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.set_schedule([{"throttle": "json"}] * 3)
        env["AWS_ENDPOINT_URL"] = fault.url
        res = probe(["--batch", "6", "--in-flight", "3", "logs", "DescribeLogGroups",
                     "limit=1"], env)
        check(res.returncode == 0 and "ok=6 failed=0" in res.stdout, "batch failed", res)
        check(fault.count == 9, "expected 6 calls + 3 retries, saw %d" % fault.count, res)


def test_batch_reports_each_failure(tmp):
    key = key_for("batch-fail")
    env = setup(tmp, key, AWS_MAX_ATTEMPTS="1")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.set_schedule([{"status": 503, "protocol": "query"}] * 2)
        env["AWS_ENDPOINT_URL"] = fault.url
        res = probe(["--batch", "5", "--in-flight", "1", "sts", "GetCallerIdentity"], env)
        check(res.returncode == 5, "a failed call must fail the batch", res)
        check("ok=3 failed=2" in res.stdout, "expected 3 ok and 2 failed", res)
        check(res.stdout.count("error: sts GetCallerIdentity failed: HTTP 503") == 2,
              "each failure reported", res)


def test_batch_rate_limited_completes(tmp):
    # a per-service rate limit delays starts but every call still finishes
    key = key_for("batch-rate")
    env = setup(tmp, key)
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        env["AWS_ENDPOINT_URL"] = fault.url
        res = probe(["--batch", "5", "--in-flight", "5", "--rate", "20", "sts",
                     "GetCallerIdentity"], env)
        check(res.returncode == 0 and "ok=5 failed=0" in res.stdout, "batch failed", res)
        check(fault.count == 5, "expected 5 requests", res)


def test_json11_error(tmp):
    key = key_for("json11-error")
    env = setup(tmp, key)
    mark = harness.log_mark()
    res = probe(["logs", "DescribeLogStreams",
                 "logGroupName=/%s/missing" % unique("awsx-protocols")], env)
    expect_error(res, 5, "ResourceNotFoundException", 400, 1)
    check(re.search(r"\(request id [^\s)]+\)", res.stderr), "no request id shown", res)
    expect_verified(mark, key, "DescribeLogStreams", res, count=1)


# ---- JSON 1.0 ----

def test_json10_sfn_list_state_machines(tmp):
    key = key_for("json10-sfn")
    env = setup(tmp, key)
    mark = harness.log_mark()
    res = probe(["sfn", "ListStateMachines"], env)
    out = expect_ok(res)
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise AssertionError("answer is not JSON (%s)%s" % (e, describe(res)))
    check(isinstance(doc.get("stateMachines"), list), "no stateMachines list", res)
    expect_verified(mark, key, "ListStateMachines", res, count=1)


# ---- EC2 ----

def test_ec2_describe_regions(tmp):
    key = key_for("ec2-regions")
    env = setup(tmp, key)
    mark = harness.log_mark()
    res = probe(["ec2", "DescribeRegions"], env)
    out = expect_ok(res)
    check("<DescribeRegionsResponse" in out, "not a DescribeRegions answer", res)
    check("us-east-1" in xml_values(out, "regionName"), "us-east-1 not listed", res)
    expect_verified(mark, key, "DescribeRegions", res, count=1)


def test_ec2_error(tmp):
    key = key_for("ec2-error")
    env = setup(tmp, key)
    mark = harness.log_mark()
    res = probe(["ec2", "DescribeInstances", "InstanceId.1=i-0123456789abcdef0"], env)
    expect_error(res, 5, "InvalidInstanceID.NotFound", 400, 1, "i-0123456789abcdef0")
    # EC2 puts the request id in <RequestID> of the error document.
    check(re.search(r"\(request id [^\s)]+\)", res.stderr), "no request id shown", res)
    expect_verified(mark, key, "DescribeInstances", res, count=1)


# ---- REST-JSON ----

def test_rest_json_lambda_list_functions(tmp):
    key = key_for("restjson-list")
    env = setup(tmp, key)
    mark = harness.log_mark()
    res = probe(["--path", "/2015-03-31/functions/", "lambda", "ListFunctions"], env)
    out = expect_ok(res)
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise AssertionError("answer is not JSON (%s)%s" % (e, describe(res)))
    check(isinstance(doc.get("Functions"), list), "no Functions list", res)
    expect_verified(mark, key, "ListFunctions", res, count=1)


def test_rest_json_error(tmp):
    key = key_for("restjson-error")
    name = unique("awsx-protocols-nofn")
    env = setup(tmp, key)
    mark = harness.log_mark()
    res = probe(["--path", "/2015-03-31/functions/" + name, "lambda", "GetFunction"], env)
    expect_error(res, 5, "ResourceNotFoundException", 404, 1, "HTTP 404")
    expect_verified(mark, key, "GetFunction", res, count=1)


# ---- REST-XML (S3) ----

S3_BODY = "hello wörld — ünïcode ✓ with  spaces + plus & more\tend"


def _s3_put(env, bucket, wire_key, body):
    res = probe(["--method", "PUT", "--path", "/" + bucket, "s3", "CreateBucket"], env)
    expect_ok(res)
    res = probe(["--method", "PUT", "--path", "/%s/%s" % (bucket, wire_key), "--body", body,
                 "-H", "Content-Type:text/plain; charset=utf-8", "s3", "PutObject"], env)
    expect_ok(res)


def test_rest_xml_s3_objects(tmp):
    key = key_for("restxml-s3")
    bucket = unique("awsx-protocols-s3")
    obj = "dir/a b+c ü.txt"
    wire_key = urllib.parse.quote(obj, safe="/")         # "dir/a%20b%2Bc%20%C3%BC.txt"
    check("%20" in wire_key and "%2B" in wire_key, "test bug: key not encoded: " + wire_key)
    body = S3_BODY.encode("utf-8")
    # A pass-through fault proxy records what went on the wire.
    with harness.FaultProxy(harness.env()["endpoint_url"]) as wire:
        env = setup(tmp, key, AWS_ENDPOINT_URL=localhost(wire.url))
        mark = harness.log_mark()
        _s3_put(env, bucket, wire_key, S3_BODY)
        expect_verified(mark, key, "CreateBucket", count=1)
        expect_verified(mark, key, "PutObject", count=1)

        res = probe(["--path", "/%s/%s" % (bucket, wire_key), "s3", "GetObject"], env)
        expect_ok(res)
        check(res.stdout_bytes == body + b"\n", "GetObject did not return exactly the body", res)

        res = probe(["--path", "/" + bucket, "-q", "list-type=2", "s3", "ListObjectsV2"], env)
        out = expect_ok(res)
        check(xml_values(out, "Key") == [obj], "ListObjectsV2 should list exactly %r" % obj, res)
        check(xml_values(out, "Size") == [str(len(body))], "wrong object size", res)

        # A query value with characters that need encoding (space, '+', '/'),
        # signed as AWS encodes it.
        res = probe(["--path", "/" + bucket, "-q", "list-type=2", "-q", "prefix=dir/a b+",
                     "s3", "ListObjectsV2"], env)
        out = expect_ok(res)
        check(xml_values(out, "Key") == [obj], "prefix with a space and '+' should match", res)
        sent = list(zip(wire.requests, wire.bodies))

    # Every request verified under S3's rules.
    seen = expect_verified(mark, key, None, res, count=5)
    check(all(r.get("service") == "s3" for r in seen), "not signed for s3: %r" % seen, res)
    check([r.get("api") for r in seen] == ["CreateBucket", "PutObject", "GetObject",
                                            "ListObjectsV2", "ListObjectsV2"],
          "unexpected operations: %r" % seen, res)
    # x-amz-content-sha256: present, signed, and (over plain HTTP, as
    # botocore does) the body's real hash, which the verifier compared with
    # the body it received.
    check(len(sent) == 5, "expected 5 requests on the wire, saw %d" % len(sent), res)
    for rec, data in sent:
        sha = rec.headers.get("x-amz-content-sha256")
        auth = rec.headers.get("authorization", "")
        check(sha == hashlib.sha256(data).hexdigest(),
              "%s %s: x-amz-content-sha256 %r is not the body's hash" % (rec.method, rec.path, sha),
              res)
        check(re.search(r"SignedHeaders=[^,]*x-amz-content-sha256", auth),
              "x-amz-content-sha256 not signed: %r" % auth, res)
    puts = [(rec, data) for rec, data in sent if rec.method == "PUT" and wire_key in rec.path]
    check(len(puts) == 1 and puts[0][1] == body,
          "PutObject body on the wire differs: %r" % [d for _, d in puts], res)
    check(puts[0][0].path == "/%s/%s" % (bucket, wire_key),
          "PutObject path on the wire: %r" % puts[0][0].path, res)


# ---- presigned URLs ----

def test_presign_sts(tmp):
    key = key_for("presign-sts")
    env = setup(tmp, key)
    res = probe(["--presign", "300", "sts", "GetCallerIdentity"], env)
    url = expect_ok(res).strip()
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    check(q.get("Action") == ["GetCallerIdentity"] and q.get("X-Amz-Expires") == ["300"]
          and q.get("X-Amz-Algorithm") == ["AWS4-HMAC-SHA256"] and "X-Amz-Signature" in q,
          "not a presigned GetCallerIdentity URL: %r" % url, res)
    check(url.startswith(harness.env()["endpoint_url"] + "/"),
          "the URL should use the configured endpoint: %r" % url, res)

    # urllib sends no Authorization header: a verified entry means the proxy
    # checked the query-string (presigned) signature.
    mark = harness.log_mark()
    status, body = fetch(url)
    check(status == 200, "presigned URL answered %d: %r" % (status, body[:500]), res)
    check(b"<GetCallerIdentityResponse" in body and b"<Account>123456789012</Account>" in body,
          "not a GetCallerIdentity answer: %r" % body[:500], res)
    seen = expect_verified(mark, key, "GetCallerIdentity", res, count=1)
    check(seen[0].get("method") == "GET", "expected a GET: %r" % seen, res)

    # The same URL for another action: the signature no longer matches.
    mark = harness.log_mark()
    other = url.replace("Action=GetCallerIdentity", "Action=GetSessionToken")
    check(other != url, "test bug: Action not found in %r" % url)
    status, body = fetch(other)
    check(status == 403, "a changed Action should be refused (403), got %d: %r"
          % (status, body[:300]), res)
    check(b"SignatureDoesNotMatch" in body, "expected SignatureDoesNotMatch: %r" % body[:300])
    expect_rejected(mark, key, "GetSessionToken", res)

    # The signature altered.
    mark = harness.log_mark()
    sig = q["X-Amz-Signature"][0]
    bad = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    tampered = url.replace("X-Amz-Signature=" + sig, "X-Amz-Signature=" + bad)
    check(tampered != url, "test bug: signature not found in %r" % url)
    status, body = fetch(tampered)
    check(status == 403, "an altered signature should be refused (403), got %d: %r"
          % (status, body[:300]), res)
    expect_rejected(mark, key, "GetCallerIdentity", res)


def test_presign_s3_get_object(tmp):
    key = key_for("presign-s3")
    bucket = unique("awsx-protocols-presign")
    wire_key = urllib.parse.quote("shared/report 2024+final.txt", safe="/")
    env = setup(tmp, key, AWS_ENDPOINT_URL=s3_endpoint())
    _s3_put(env, bucket, wire_key, S3_BODY)
    res = probe(["--presign", "300", "--path", "/%s/%s" % (bucket, wire_key),
                 "s3", "GetObject"], env)
    url = expect_ok(res).strip()
    check("X-Amz-Signature=" in url and "X-Amz-Expires=300" in url,
          "not a presigned URL: %r" % url, res)
    mark = harness.log_mark()
    status, body = fetch(url)
    check(status == 200, "presigned GetObject answered %d: %r" % (status, body[:500]), res)
    check(body == S3_BODY.encode("utf-8"), "presigned GetObject body differs: %r" % body, res)
    seen = expect_verified(mark, key, "GetObject", res, count=1)
    check(seen[0].get("service") == "s3", "not signed for s3: %r" % seen, res)


# ---- throttling, for every protocol (FaultProxy in front of the verifier) ----

def _throttled_twice(tmp, name, protocol, args, api, s3=False):
    key = key_for(name)
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"throttle": protocol}, {"throttle": protocol}])
        url = localhost(fault.url) if s3 else fault.url
        env = setup(tmp, key, AWS_ENDPOINT_URL=url, AWS_RETRY_MODE="standard")
        mark = harness.log_mark()
        res = probe(args, env)
        count = fault.count
    expect_ok(res)
    check(count == 3, "expected 3 attempts (2 throttled + 1), the fault proxy saw %d" % count,
          res)
    # The fault proxy answered the throttles itself; only the third went on.
    expect_verified(mark, key, api, res, count=1)
    return res


def test_throttle_query(tmp):
    res = _throttled_twice(tmp, "throttle-query", "query", ["sts", "GetCallerIdentity"],
                           "GetCallerIdentity")
    check("<GetCallerIdentityResponse" in res.stdout, "wrong answer", res)


def test_throttle_json(tmp):
    res = _throttled_twice(tmp, "throttle-json", "json",
                           ["logs", "DescribeLogGroups", "limit=1"], "DescribeLogGroups")
    check('"logGroups"' in res.stdout, "wrong answer", res)


def test_throttle_json10(tmp):
    res = _throttled_twice(tmp, "throttle-json10", "json", ["sfn", "ListStateMachines"],
                           "ListStateMachines")
    check('"stateMachines"' in res.stdout, "wrong answer", res)


def test_throttle_ec2(tmp):
    res = _throttled_twice(tmp, "throttle-ec2", "ec2", ["ec2", "DescribeRegions"],
                           "DescribeRegions")
    check("<DescribeRegionsResponse" in res.stdout, "wrong answer", res)


def test_throttle_rest_json(tmp):
    res = _throttled_twice(tmp, "throttle-restjson", "rest-json",
                           ["--path", "/2015-03-31/functions/", "lambda", "ListFunctions"],
                           "ListFunctions")
    check('"Functions"' in res.stdout, "wrong answer", res)


def test_throttle_s3(tmp):
    res = _throttled_twice(tmp, "throttle-s3", "s3", ["--path", "/", "s3", "ListBuckets"],
                           "ListBuckets", s3=True)
    check("<ListAllMyBucketsResult" in res.stdout, "wrong answer", res)


# ---- retries ----

def test_retry_connection_reset(tmp):
    key = key_for("retry-reset")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"reset": True}])
        env = setup(tmp, key, AWS_ENDPOINT_URL=fault.url)
        mark = harness.log_mark()
        res = probe(["sts", "GetCallerIdentity"], env)
        count = fault.count
    out = expect_ok(res)
    check("<GetCallerIdentityResponse" in out, "wrong answer", res)
    check(count == 2, "expected 2 attempts (reset, then success), saw %d" % count, res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_retry_truncated_body(tmp):
    key = key_for("retry-truncate")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"truncate": 10}])
        env = setup(tmp, key, AWS_ENDPOINT_URL=fault.url)
        mark = harness.log_mark()
        res = probe(["sts", "GetCallerIdentity"], env)
        count = fault.count
    out = expect_ok(res)
    check("<GetCallerIdentityResponse" in out and "</GetCallerIdentityResponse>" in out,
          "the answer should be the complete second body", res)
    check(count == 2, "expected 2 attempts (cut body, then success), saw %d" % count, res)
    # Both attempts went on to the verifier (the cut happened on the way back).
    expect_verified(mark, key, "GetCallerIdentity", res, count=2)


def test_retry_503_until_max_attempts(tmp):
    key = key_for("retry-503")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"status": 503, "protocol": "query"}] * 5)
        env = setup(tmp, key, AWS_ENDPOINT_URL=fault.url, AWS_MAX_ATTEMPTS=3)
        res = probe(["sts", "GetCallerIdentity"], env)
        count = fault.count
    expect_error(res, 5, "ServiceUnavailable", 503, 3, "fault-3")
    check("attempts=3" in res.stdout, "attempts=3 not reported", res)
    check(count == 3, "expected 3 attempts (AWS_MAX_ATTEMPTS=3), saw %d" % count, res)


def test_retry_max_attempts_one(tmp):
    key = key_for("retry-one")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"status": 503, "protocol": "json"}])
        env = setup(tmp, key, AWS_ENDPOINT_URL=fault.url, AWS_MAX_ATTEMPTS=1)
        res = probe(["logs", "DescribeLogGroups", "limit=1"], env)
        count = fault.count
    expect_error(res, 5, "ServiceUnavailableException", 503, 1, "fault-1")
    check(count == 1, "AWS_MAX_ATTEMPTS=1 must not retry; saw %d attempts" % count, res)


def test_non_retryable_400_not_retried(tmp):
    key = key_for("retry-400")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        env = setup(tmp, key, AWS_ENDPOINT_URL=fault.url)
        mark = harness.log_mark()
        res = probe(["ec2", "DescribeInstances", "InstanceId.1=i-0123456789abcdef0"], env)
        count = fault.count
    expect_error(res, 5, "InvalidInstanceID.NotFound", 400, 1)
    check(count == 1, "a 400 InvalidInstanceID.NotFound must not be retried; saw %d" % count,
          res)
    expect_verified(mark, key, "DescribeInstances", res, count=1)


# ---- wrong secret ----

def test_wrong_secret_json(tmp):
    key = key_for("wrong-secret-json")
    env = setup(tmp, key, AWS_SECRET_ACCESS_KEY="not/the/right/secret/0000000000000000000")
    mark = harness.log_mark()
    res = probe(["logs", "DescribeLogGroups", "limit=1"], env)
    expect_error(res, 5, "InvalidSignatureException", 400)
    expect_rejected(mark, key, "DescribeLogGroups", res)


def test_wrong_secret_presigned(tmp):
    key = key_for("wrong-secret-presign")
    env = setup(tmp, key, AWS_SECRET_ACCESS_KEY="not/the/right/secret/0000000000000000000")
    res = probe(["--presign", "300", "sts", "GetCallerIdentity"], env)
    url = expect_ok(res).strip()
    mark = harness.log_mark()
    status, body = fetch(url)
    check(status == 403, "a URL signed with the wrong secret should be refused, got %d: %r"
          % (status, body[:300]), res)
    check(b"SignatureDoesNotMatch" in body, "expected SignatureDoesNotMatch: %r" % body[:300],
          res)
    expect_rejected(mark, key, "GetCallerIdentity", res)


# ---- endpoint precedence ----

def test_endpoint_service_specific_wins(tmp):
    key = key_for("endpoint-service")
    env = setup(tmp, key, AWS_ENDPOINT_URL=closed_url(),
                AWS_ENDPOINT_URL_STS=harness.env()["endpoint_url"], AWS_MAX_ATTEMPTS=1)
    mark = harness.log_mark()
    res = probe(["sts", "GetCallerIdentity"], env)
    expect_ok(res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_endpoint_option_wins(tmp):
    key = key_for("endpoint-option")
    env = setup(tmp, key, AWS_ENDPOINT_URL=closed_url(), AWS_ENDPOINT_URL_STS=closed_url(),
                AWS_MAX_ATTEMPTS=1)
    pathlib.Path(env["AWS_CONFIG_FILE"]).write_text(
        "[default]\nendpoint_url = %s\n" % closed_url())
    mark = harness.log_mark()
    res = probe(["--endpoint-url", harness.env()["endpoint_url"], "sts", "GetCallerIdentity"],
                env)
    expect_ok(res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_endpoint_services_section(tmp):
    key = key_for("endpoint-services")
    # No AWS_ENDPOINT_URL*: the [services] section names STS's endpoint; the
    # profile's global endpoint_url (a closed port) ranks below it.
    # The keys come from the profile (with --profile the AWS CLI ignores the
    # environment's keys).
    env = setup(tmp, key, AWS_ENDPOINT_URL=None, AWS_ACCESS_KEY_ID=None,
                AWS_SECRET_ACCESS_KEY=None, AWS_MAX_ATTEMPTS=1)
    pathlib.Path(env["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        "[protocols-svc]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
        % (key, SECRET))
    pathlib.Path(env["AWS_CONFIG_FILE"]).write_text(
        "[profile protocols-svc]\n"
        "region = us-east-1\n"
        "services = protocols-endpoints\n"
        "endpoint_url = %s\n"
        "\n"
        "[services protocols-endpoints]\n"
        "sts =\n"
        "  endpoint_url = %s\n" % (closed_url(), harness.env()["endpoint_url"]))
    mark = harness.log_mark()
    res = probe(["--profile", "protocols-svc", "sts", "GetCallerIdentity"], env)
    expect_ok(res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)

    # The same through AWS_PROFILE.
    env["AWS_PROFILE"] = "protocols-svc"
    mark = harness.log_mark()
    res = probe(["sts", "GetCallerIdentity"], env)
    expect_ok(res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


if __name__ == "__main__":
    harness.main(globals())
