# SPDX-License-Identifier: Apache-2.0
"""test_whoami.py: integration scenarios for `awsx whoami`, one per test
function, run by ctest as whoami-<name> (or by hand:
`python3 test_whoami.py --list`, `python3 test_whoami.py NAME`).

Every AWS request goes through the SigV4-verifying proxy in front of moto
(AWS_ENDPOINT_URL from harness.home()); each test checks awsx's exit code,
stdout and stderr, and through the proxy's request log that the expected
operations arrived, verified, signed with the expected access key.  Each test
uses its own access key id so the log can be filtered while tests run in
parallel.  Credential endpoints other than STS (IMDS, container, SSO portal)
are loopback fakes from tests/support/fakes.py; credential_process is
tests/support/credential_process.py.  No test asserts on elapsed time.
"""

import datetime
import hashlib
import json
import os
import pathlib
import re
import shlex
import socket
import sys
import urllib.parse
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
SUPPORT = HERE.parent / "support"
sys.path.insert(0, str(SUPPORT))

import harness  # noqa: E402
import fakes  # noqa: E402

SECRET = harness.TEST_SECRET
ACCOUNT = "123456789012"  # moto's default account
CRED_PROC = SUPPORT / "credential_process.py"
ISO8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
TEXT_KEYS = ("Account", "Arn", "UserId", "Region", "Source")


# ---- helpers ----

def key_for(name, prefix="AKIA"):
    """A 20-character access key id unique to this test, e.g.
    AKIAENVKEYS1A2B...: the prefix, the name in upper-case alnum, then hex of
    its hash to fill up."""
    alnum = re.sub(r"[^A-Z0-9]", "", name.upper())[:10]
    digest = hashlib.sha1(name.encode()).hexdigest().upper()
    return (prefix + alnum + digest)[:20]


def setup(tmp, **extra):
    """A clean AWS environment (harness.home) plus extra variables; a value
    of None removes the variable."""
    env = harness.home(str(tmp))
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def write_config(env, text):
    pathlib.Path(env["AWS_CONFIG_FILE"]).write_text(text)


def write_credentials(env, text):
    pathlib.Path(env["AWS_SHARED_CREDENTIALS_FILE"]).write_text(text)


def run(args, env, **kw):
    return harness.run_awsx(list(args), env, **kw)


def describe(res):
    return "\n  exit %s\n  stdout: %r\n  stderr: %r" % (
        res.returncode, res.stdout[-3000:], res.stderr[-3000:])


def check(cond, msg, res=None):
    if not cond:
        raise AssertionError(msg + (describe(res) if res is not None else ""))


def parse_text(stdout):
    """'Key: value' lines to a dict."""
    out = {}
    for line in stdout.splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            out[k.strip()] = v.strip()
    return out


def expect_ok(res):
    """Exit 0 and the text form: returns the fields."""
    check(res.returncode == 0, "awsx whoami failed", res)
    fields = parse_text(res.stdout)
    for k in TEXT_KEYS:
        check(fields.get(k), "no '%s:' line in the output" % k, res)
    check(fields["Account"] == ACCOUNT, "unexpected Account", res)
    return fields


def expect_error(res, code, *needles, one_line=True):
    """Exit status 'code', stderr "awsx: ..." (one line unless one_line is
    False), mentioning every needle (case-insensitive)."""
    check(res.returncode == code, "expected exit %d" % code, res)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    check(lines and lines[0].startswith("awsx: "),
          "stderr does not start with 'awsx: '", res)
    if one_line:
        check(len(lines) == 1, "error is not one line", res)
    for n in needles:
        check(n.lower() in res.stderr.lower(), "stderr does not mention %r" % n, res)
    check(res.stdout == "", "stdout not empty on error", res)


def parse_iso(s):
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(s)


def expect_iso8601(value, what, res, annotated=False):
    """value is an ISO 8601 time; with annotated (the text output), a note
    for people may follow it ("2026-01-02T03:04:05Z (in 1h00m)")."""
    if annotated and value:
        value = value.split()[0]
    check(value and ISO8601.match(value), "%s is not ISO 8601: %r" % (what, value), res)


def requests(mark, key=None, op=None):
    """Proxy log entries since mark, optionally for one key and operation."""
    out = []
    for r in harness.requests_since(mark):
        if key is not None and r.get("access_key") != key:
            continue
        if op is not None and r.get("operation") != op:
            continue
        out.append(r)
    return out


def expect_verified(mark, key, op, res=None, count=None):
    """The proxy saw op signed with key, and every such request verified."""
    seen = requests(mark, key, op)
    check(seen, "the proxy saw no %s signed with %s; log: %r"
          % (op, key, harness.requests_since(mark)[-20:]), res)
    bad = [r for r in seen if not r.get("verified")]
    check(not bad, "%s with %s not verified: %r" % (op, key, bad), res)
    if count is not None:
        check(len(seen) == count, "expected %d %s with %s, saw %d"
              % (count, op, key, len(seen)), res)
    return seen


def moto_identity(access_key):
    """Ask moto itself (not through the proxy; moto does not check STS
    signatures) whom an access key belongs to: the Arn of
    GetCallerIdentity."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = harness.env()["moto_url"].rstrip("/") + "/"
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    req = AWSRequest(method="POST", url=url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(access_key, "moto-does-not-check"), "sts",
              "us-east-1").add_auth(req)
    prepared = req.prepare()
    r = urllib.request.Request(url, data=body.encode(), method="POST",
                               headers=dict(prepared.headers.items()))
    with urllib.request.urlopen(r, timeout=30) as resp:
        text = resp.read().decode()
    m = re.search(r"<Arn>([^<]*)</Arn>", text)
    return m.group(1) if m else ""


def recorded(rec, operation):
    """Requests through a fakes.Recorder for one query-protocol operation."""
    out = []
    for r in rec.requests:
        params = urllib.parse.parse_qs(r["body"].decode("utf-8", "replace"))
        params.update(r["query"])
        if params.get("Action", [""])[0] == operation:
            r = dict(r)
            r["params"] = {k: v[0] for k, v in params.items()}
            out.append(r)
    return out


def free_port():
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_hours(h):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now + datetime.timedelta(hours=h)


def static_profile(env, name, key):
    write_credentials(env, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                      % (name, key, SECRET))


# ---- credential sources ----

def test_env_keys(tmp):
    key = key_for("env-keys")
    env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET)
    mark = harness.log_mark()
    res = run(["whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "env", "Source should be 'env'", res)
    check(f["Region"] == "us-east-1", "Region should come from AWS_REGION", res)
    check("Expires" not in f, "long-term keys have no expiry", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_env_keys_with_session_token(tmp):
    key = key_for("env-session-token", "ASIA")
    token = "whoami-env-session-token-" + "Q" * 40
    with fakes.Recorder(harness.env()["endpoint_url"]) as rec:
        env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_SESSION_TOKEN=token, AWS_ENDPOINT_URL=rec.url)
        mark = harness.log_mark()
        res = run(["whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "env", "Source should be 'env'", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)
    calls = recorded(rec, "GetCallerIdentity")
    check(len(calls) == 1, "expected one GetCallerIdentity on the wire", res)
    check(calls[0]["headers"].get("x-amz-security-token") == token,
          "X-Amz-Security-Token not sent: %r" % calls[0]["headers"], res)
    check("x-amz-security-token" in calls[0]["headers"].get("authorization", "").lower(),
          "the session token header is not signed", res)


def test_profile_static_via_option(tmp):
    key = key_for("profile-option")
    env = setup(tmp)
    static_profile(env, "whoami-static", key)
    mark = harness.log_mark()
    res = run(["whoami", "--profile", "whoami-static"], env)
    f = expect_ok(res)
    check(f["Source"] == "profile whoami-static", "Source should name the profile", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_profile_static_via_aws_profile(tmp):
    key = key_for("profile-envvar")
    env = setup(tmp, AWS_PROFILE="whoami-envprof")
    static_profile(env, "whoami-envprof", key)
    # The config file side of the same profile, as `aws configure` writes it.
    write_config(env, "[profile whoami-envprof]\noutput = text\n")
    mark = harness.log_mark()
    res = run(["whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "profile whoami-envprof", "Source should name the profile", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_assume_role_two_hop_chain(tmp):
    key = key_for("assume-chain")
    env = setup(tmp)
    static_profile(env, "hop-a", key)
    write_config(env, (
        "[profile hop-b]\n"
        "role_arn = arn:aws:iam::%s:role/whoami-chain-b\n"
        "source_profile = hop-a\n"
        "\n"
        "[profile hop-c]\n"
        "role_arn = arn:aws:iam::%s:role/whoami-chain-c\n"
        "source_profile = hop-b\n"
        "role_session_name = whoami-chain-session\n") % (ACCOUNT, ACCOUNT))
    mark = harness.log_mark()
    res = run(["whoami", "--profile", "hop-c"], env)
    f = expect_ok(res)
    check(f["Source"].startswith("assume-role") and "hop-c" in f["Source"],
          "Source should be 'assume-role hop-c ...'", res)
    check("assumed-role/whoami-chain-c/whoami-chain-session" in f["Arn"],
          "Arn should be the second role's session", res)
    expect_iso8601(f.get("Expires"), "Expires", res, annotated=True)

    log = harness.requests_since(mark)
    # Hop 1: AssumeRole signed with the static key.
    first = [i for i, r in enumerate(log)
             if r.get("operation") == "AssumeRole" and r.get("access_key") == key]
    check(len(first) == 1, "expected one AssumeRole signed with hop-a's key: %r" % log, res)
    check(log[first[0]].get("verified"), "hop 1 not verified", res)
    # Hop 2: AssumeRole signed with hop 1's temporary key, i.e. a key moto
    # knows as role whoami-chain-b.
    second = [i for i, r in enumerate(log) if i > first[0]
              and r.get("operation") == "AssumeRole"
              and (r.get("access_key") or "").startswith("ASIA")
              and "assumed-role/whoami-chain-b/" in moto_identity(r["access_key"])]
    check(len(second) == 1, "expected one AssumeRole signed with hop 1's key: %r" % log, res)
    check(log[second[0]].get("verified"), "hop 2 not verified", res)
    # Then GetCallerIdentity with hop 2's key (role whoami-chain-c).
    final = [i for i, r in enumerate(log) if i > second[0]
             and r.get("operation") == "GetCallerIdentity"
             and (r.get("access_key") or "").startswith("ASIA")
             and "assumed-role/whoami-chain-c/" in moto_identity(r["access_key"])]
    check(len(final) == 1, "expected GetCallerIdentity with hop 2's key: %r" % log, res)
    check(log[final[0]].get("verified"), "GetCallerIdentity not verified", res)
    check(log[final[0]]["access_key"] != log[second[0]]["access_key"],
          "GetCallerIdentity signed with the wrong temporary key", res)


def test_assume_role_external_id_and_session_name(tmp):
    key = key_for("assume-extid")
    env = setup(tmp)
    static_profile(env, "whoami-src", key)
    write_config(env, (
        "[profile whoami-ext]\n"
        "role_arn = arn:aws:iam::%s:role/whoami-ext-role\n"
        "source_profile = whoami-src\n"
        "external_id = whoami-external-42\n"
        "role_session_name = whoami-ext-session\n"
        "duration_seconds = 1800\n") % ACCOUNT)
    with fakes.Recorder(harness.env()["endpoint_url"]) as rec:
        env["AWS_ENDPOINT_URL"] = rec.url
        mark = harness.log_mark()
        res = run(["whoami", "--profile", "whoami-ext"], env)
    f = expect_ok(res)
    check(f["Source"].startswith("assume-role") and "whoami-ext" in f["Source"],
          "Source should be 'assume-role whoami-ext ...'", res)
    # moto built the Arn from the session name it received.
    check(f["Arn"].endswith("assumed-role/whoami-ext-role/whoami-ext-session"),
          "Arn should carry the role session name", res)
    expect_iso8601(f.get("Expires"), "Expires", res, annotated=True)
    expect_verified(mark, key, "AssumeRole", res, count=1)
    calls = recorded(rec, "AssumeRole")
    check(len(calls) == 1, "expected one AssumeRole on the wire", res)
    p = calls[0]["params"]
    check(p.get("RoleArn") == "arn:aws:iam::%s:role/whoami-ext-role" % ACCOUNT,
          "RoleArn: %r" % p, res)
    check(p.get("ExternalId") == "whoami-external-42", "ExternalId: %r" % p, res)
    check(p.get("RoleSessionName") == "whoami-ext-session", "RoleSessionName: %r" % p, res)
    check(p.get("DurationSeconds") == "1800", "DurationSeconds: %r" % p, res)
    gci = recorded(rec, "GetCallerIdentity")
    check(len(gci) == 1, "expected one GetCallerIdentity on the wire", res)
    temp = re.search(r"Credential=([A-Z0-9]+)/", gci[0]["headers"].get("authorization", ""))
    check(temp and temp.group(1).startswith("ASIA"),
          "GetCallerIdentity not signed with the temporary key", res)
    expect_verified(mark, temp.group(1), "GetCallerIdentity", res, count=1)


def _process_command(*args):
    return " ".join([shlex.quote(sys.executable), shlex.quote(str(CRED_PROC))] + list(args))


def test_credential_process(tmp):
    key = key_for("cred-process", "ASIA")
    expiration = in_hours(1).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = setup(tmp)
    write_config(env, "[profile whoami-proc]\ncredential_process = %s\n" % _process_command(
        "--access-key", key, "--token", "whoami-process-token",
        "--expiration", expiration))
    mark = harness.log_mark()
    res = run(["whoami", "--profile", "whoami-proc", "--output", "json"], env)
    check(res.returncode == 0, "awsx whoami failed", res)
    doc = json.loads(res.stdout)
    check(doc.get("Source") == "process (profile whoami-proc)",
          "Source should be 'process (profile whoami-proc)'", res)
    expect_iso8601(doc.get("Expiration"), "Expiration", res)
    check(parse_iso(doc["Expiration"]) == parse_iso(expiration),
          "Expiration should be the process's %s" % expiration, res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_credential_process_failure(tmp):
    env = setup(tmp)
    write_config(env, "[profile whoami-procfail]\ncredential_process = %s\n" % _process_command(
        "--fail", '"whoami helper: token revoked by admin"'))
    res = run(["whoami", "--profile", "whoami-procfail"], env)
    expect_error(res, 3, "whoami helper: token revoked by admin")


def test_web_identity(tmp):
    token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ3aG9hbWkifQ.whoami-web-identity"
    token_file = pathlib.Path(tmp) / "web-identity-token"
    token_file.write_text(token)
    role = "arn:aws:iam::%s:role/whoami-web-role" % ACCOUNT
    with fakes.Recorder(harness.env()["endpoint_url"]) as rec:
        env = setup(tmp, AWS_WEB_IDENTITY_TOKEN_FILE=token_file,
                    AWS_ROLE_ARN=role, AWS_ROLE_SESSION_NAME="whoami-web-session",
                    AWS_ENDPOINT_URL=rec.url)
        mark = harness.log_mark()
        res = run(["whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "web-identity", "Source should be 'web-identity'", res)
    check(f["Arn"].endswith("assumed-role/whoami-web-role/whoami-web-session"),
          "Arn should be the web identity role session", res)
    expect_iso8601(f.get("Expires"), "Expires", res, annotated=True)
    calls = recorded(rec, "AssumeRoleWithWebIdentity")
    check(len(calls) == 1, "expected one AssumeRoleWithWebIdentity", res)
    p = calls[0]["params"]
    check(p.get("WebIdentityToken") == token, "WebIdentityToken: %r" % p, res)
    check(p.get("RoleArn") == role, "RoleArn: %r" % p, res)
    check(p.get("RoleSessionName") == "whoami-web-session", "RoleSessionName: %r" % p, res)
    check("authorization" not in calls[0]["headers"],
          "AssumeRoleWithWebIdentity must be sent unsigned", res)
    check([r for r in requests(mark, op="AssumeRoleWithWebIdentity")
           if not r.get("access_key")], "the proxy saw no unsigned AssumeRoleWithWebIdentity", res)
    gci = recorded(rec, "GetCallerIdentity")
    check(len(gci) == 1, "expected one GetCallerIdentity on the wire", res)
    temp = re.search(r"Credential=([A-Z0-9]+)/", gci[0]["headers"].get("authorization", ""))
    check(temp and temp.group(1).startswith("ASIA"), "not signed with a temporary key", res)
    expect_verified(mark, temp.group(1), "GetCallerIdentity", res, count=1)


def _container(tmp, name, use_file):
    key = key_for(name, "ASIA")
    auth = "Bearer whoami-" + name
    with fakes.Ecs(key, SECRET, "whoami-ecs-session-token", auth_token=auth) as ecs:
        env = setup(tmp, AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/v2/credentials/whoami")
        if use_file:
            tf = pathlib.Path(tmp) / "container-token"
            tf.write_text(auth)
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = str(tf)
        else:
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = auth
        mark = harness.log_mark()
        res = run(["whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "container", "Source should be 'container'", res)
    expect_iso8601(f.get("Expires"), "Expires", res, annotated=True)
    check(ecs.requests, "the container endpoint was not asked", res)
    r = ecs.requests[0]
    check(r["method"] == "GET" and r["path"] == "/v2/credentials/whoami",
          "wrong request to the container endpoint: %r" % r, res)
    check(r["headers"].get("authorization") == auth,
          "Authorization header should be the token: %r" % r["headers"], res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_container_full_uri_auth_token(tmp):
    _container(tmp, "container-token", use_file=False)


def test_container_full_uri_auth_token_file(tmp):
    _container(tmp, "container-tokenfile", use_file=True)


def test_imds_v2(tmp):
    key = key_for("imds-v2", "ASIA")
    with fakes.Imds(key, SECRET, "whoami-imds-session-token") as imds:
        env = setup(tmp, AWS_EC2_METADATA_DISABLED=None,
                    AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        mark = harness.log_mark()
        res = run(["whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "imds", "Source should be 'imds'", res)
    expect_iso8601(f.get("Expires"), "Expires", res, annotated=True)
    reqs = imds.requests
    check(reqs, "IMDS was not asked", res)
    check(reqs[0]["method"] == "PUT" and reqs[0]["path"] == imds.TOKEN_PATH
          and reqs[0]["status"] == 200,
          "the first IMDS request should be the token PUT: %r" % reqs[0], res)
    for r in reqs[1:]:
        check(r["headers"].get("x-aws-ec2-metadata-token") in imds.session_tokens,
              "IMDS request without the session token: %r" % r, res)
        check(r["status"] == 200, "IMDS answered %s to %r" % (r["status"], r), res)
    check(imds.credential_requests(), "the role's credentials were not fetched", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_imds_token_refused_falls_back_to_v1(tmp):
    # As the SDKs do: a 403/404/405 to the token PUT means "no IMDSv2 here".
    key = key_for("imds-v1", "ASIA")
    with fakes.Imds(key, SECRET, "whoami-imds-v1-token", token_status=404) as imds:
        env = setup(tmp, AWS_EC2_METADATA_DISABLED=None,
                    AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        mark = harness.log_mark()
        res = run(["whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "imds", "Source should be 'imds'", res)
    check(imds.requests[0]["method"] == "PUT", "IMDSv2 should be tried first", res)
    check(imds.credential_requests(), "the role's credentials were not fetched", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


SSO_START = "https://whoami-test.awsapps.com/start"


def test_sso_session_cached_token(tmp):
    key = key_for("sso-session", "ASIA")
    access_token = "whoami-sso-access-token"
    with fakes.SsoPortal(key, SECRET, "whoami-sso-session-token",
                         access_token=access_token) as portal:
        env = setup(tmp, AWS_ENDPOINT_URL_SSO=portal.url)
        write_config(env, (
            "[profile whoami-sso]\n"
            "sso_session = whoami-corp\n"
            "sso_account_id = 111122223333\n"
            "sso_role_name = WhoamiReadOnly\n"
            "\n"
            "[sso-session whoami-corp]\n"
            "sso_start_url = %s\n"
            "sso_region = us-east-1\n"
            "sso_registration_scopes = sso:account:access\n") % SSO_START)
        fakes.write_sso_cache(env["HOME"], SSO_START, "us-east-1", access_token,
                              in_hours(2), session_name="whoami-corp")
        mark = harness.log_mark()
        res = run(["whoami", "--profile", "whoami-sso"], env)
    f = expect_ok(res)
    check(f["Source"] == "sso (profile whoami-sso)", "Source should be 'sso (profile whoami-sso)'", res)
    expect_iso8601(f.get("Expires"), "Expires", res, annotated=True)
    calls = portal.credential_requests()
    check(len(calls) == 1, "expected one GetRoleCredentials: %r" % portal.requests, res)
    c = calls[0]
    check(c["headers"].get("x-amz-sso_bearer_token") == access_token,
          "bearer token header not sent: %r" % c["headers"], res)
    check(c["query"].get("role_name") == ["WhoamiReadOnly"]
          and c["query"].get("account_id") == ["111122223333"],
          "wrong role/account asked: %r" % c["query"], res)
    check(c["status"] == 200, "the portal refused the request", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_sso_legacy_profile(tmp):
    key = key_for("sso-legacy", "ASIA")
    access_token = "whoami-sso-legacy-token"
    with fakes.SsoPortal(key, SECRET, "whoami-sso-legacy-session",
                         access_token=access_token) as portal:
        env = setup(tmp, AWS_ENDPOINT_URL_SSO=portal.url)
        write_config(env, (
            "[profile whoami-legacy]\n"
            "sso_start_url = %s\n"
            "sso_region = us-east-1\n"
            "sso_account_id = 444455556666\n"
            "sso_role_name = WhoamiAdmin\n") % SSO_START)
        fakes.write_sso_cache(env["HOME"], SSO_START, "us-east-1", access_token,
                              in_hours(2))
        mark = harness.log_mark()
        res = run(["whoami", "--profile", "whoami-legacy"], env)
    f = expect_ok(res)
    check(f["Source"] == "sso (profile whoami-legacy)", "Source should name the sso profile", res)
    calls = portal.credential_requests()
    check(len(calls) == 1 and calls[0]["status"] == 200,
          "expected one accepted GetRoleCredentials: %r" % portal.requests, res)
    check(calls[0]["query"].get("role_name") == ["WhoamiAdmin"]
          and calls[0]["query"].get("account_id") == ["444455556666"],
          "wrong role/account asked: %r" % calls[0]["query"], res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_sso_expired_token(tmp):
    key = key_for("sso-expired", "ASIA")
    with fakes.SsoPortal(key, SECRET, "whoami-sso-expired-session",
                         access_token="whoami-expired") as portal:
        env = setup(tmp, AWS_ENDPOINT_URL_SSO=portal.url)
        write_config(env, (
            "[profile whoami-sso-old]\n"
            "sso_session = whoami-old\n"
            "sso_account_id = 111122223333\n"
            "sso_role_name = WhoamiReadOnly\n"
            "\n"
            "[sso-session whoami-old]\n"
            "sso_start_url = %s\n"
            "sso_region = us-east-1\n") % SSO_START)
        fakes.write_sso_cache(env["HOME"], SSO_START, "us-east-1", "whoami-expired",
                              in_hours(-1), session_name="whoami-old")
        res = run(["whoami", "--profile", "whoami-sso-old"], env)
    expect_error(res, 3, "aws sso login")
    check(not portal.credential_requests(),
          "an expired token must not be sent to the portal", res)


def test_no_credentials(tmp):
    env = setup(tmp)
    res = run(["whoami"], env)
    expect_error(res, 3, "credentials")


# ---- failures on the wire ----

def test_wrong_secret(tmp):
    key = key_for("wrong-secret")
    env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY="wrong")
    mark = harness.log_mark()
    res = run(["whoami"], env)
    check(res.returncode in (3, 5), "expected exit 3 or 5", res)
    expect_error(res, res.returncode, "SignatureDoesNotMatch", "403")
    seen = requests(mark, key, "GetCallerIdentity")
    check(seen and not any(r.get("verified") for r in seen),
          "the proxy should have rejected the signature: %r" % seen, res)


def test_throttled_twice_then_ok(tmp):
    key = key_for("throttled")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"throttle": "query"}, {"throttle": "query"}])
        env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL=fault.url, AWS_RETRY_MODE="standard")
        mark = harness.log_mark()
        res = run(["whoami"], env)
        count = fault.count
    f = expect_ok(res)
    check(f["Source"] == "env", "Source should be 'env'", res)
    check(count == 3, "expected 3 attempts, the fault proxy saw %d" % count, res)
    # The fault proxy answered the throttles itself; only the third went on.
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_5xx_until_attempts_exhausted(tmp):
    key = key_for("server-503")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"status": 503, "protocol": "query"}] * 5)
        env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL=fault.url, AWS_MAX_ATTEMPTS=3)
        res = run(["whoami"], env)
        count = fault.count
    # The fault proxy numbers its answers: the last attempt got "fault-3".
    expect_error(res, 5, "503", "ServiceUnavailable", "request id", "fault-3")
    check(count == 3, "expected 3 attempts (AWS_MAX_ATTEMPTS=3), saw %d" % count, res)


def test_unreachable_endpoint(tmp):
    key = key_for("unreachable")
    env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET,
                AWS_MAX_ATTEMPTS=2)
    port = free_port()
    res = run(["whoami", "--endpoint-url", "http://127.0.0.1:%d" % port], env)
    expect_error(res, 4)


def test_stalled_endpoint(tmp):
    key = key_for("stalled")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.schedule([{"stall_ms": 8000}])
        env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL=fault.url, AWS_MAX_ATTEMPTS=1,
                    AWSX_READ_TIMEOUT=2)
        res = run(["whoami"], env)
        count = fault.count
    expect_error(res, 4)
    check(count == 1, "expected a single attempt, saw %d" % count, res)


# ---- configuration ----

def test_malformed_config(tmp):
    env = setup(tmp)
    write_config(env, "[default]\nregion = us-east-1\nthis line is garbage\n"
                 "aws_access_key_id = %s\n" % key_for("malformed"))
    res = run(["whoami"], env)
    expect_error(res, 3, env["AWS_CONFIG_FILE"], "line 3")


def test_unknown_profile(tmp):
    env = setup(tmp)
    static_profile(env, "whoami-exists", key_for("unknown-profile"))
    res = run(["whoami", "--profile", "whoami-nosuch"], env)
    expect_error(res, 3, "whoami-nosuch")


# ---- output and command line ----

def test_debug_redacts_secrets(tmp):
    key = key_for("debug-redact", "ASIA")
    token = "whoami-debug-session-token-" + "Z" * 48
    with fakes.Recorder(harness.env()["endpoint_url"]) as rec:
        env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_SESSION_TOKEN=token, AWS_ENDPOINT_URL=rec.url)
        mark = harness.log_mark()
        res = run(["--debug", "whoami"], env)
    f = expect_ok(res)
    check(f["Source"] == "env", "Source should be 'env'", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)
    check("GetCallerIdentity" in res.stderr, "--debug should show the request", res)
    sigs = []
    for r in rec.requests:
        m = re.search(r"Signature=([0-9a-f]{64})", r["headers"].get("authorization", ""))
        if m:
            sigs.append(m.group(1))
    check(sigs, "no signed request recorded", res)
    both = res.stdout + res.stderr
    check(SECRET not in both, "--debug shows the secret key", res)
    check(token not in both, "--debug shows the session token", res)
    for s in sigs:
        check(s not in both, "--debug shows the full signature", res)


def test_output_json(tmp):
    key = key_for("output-json")
    env = setup(tmp, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET)
    mark = harness.log_mark()
    res = run(["--output", "json", "whoami"], env)
    check(res.returncode == 0, "awsx whoami failed", res)
    try:
        doc = json.loads(res.stdout)
    except ValueError as e:
        raise AssertionError("stdout is not one JSON document: %s%s" % (e, describe(res)))
    check(isinstance(doc, dict), "not a JSON object", res)
    check(set(doc) == set(TEXT_KEYS), "keys should be exactly %s" % (TEXT_KEYS,), res)
    check(doc["Account"] == ACCOUNT and doc["Source"] == "env"
          and doc["Region"] == "us-east-1", "wrong values", res)
    check(doc["Arn"].startswith("arn:aws:") and doc["UserId"], "wrong Arn/UserId", res)
    expect_verified(mark, key, "GetCallerIdentity", res, count=1)


def test_global_options_after_command(tmp):
    key = key_for("global-after")
    env = setup(tmp)
    static_profile(env, "whoami-global", key)
    mark = harness.log_mark()
    before = run(["--output", "json", "--profile", "whoami-global",
                  "--region", "eu-west-1", "whoami"], env)
    after = run(["whoami", "--output", "json", "--profile", "whoami-global",
                 "--region", "eu-west-1"], env)
    for res in (before, after):
        check(res.returncode == 0, "awsx whoami failed", res)
    a, b = json.loads(before.stdout), json.loads(after.stdout)
    check(a == b, "options before and after the command differ: %r vs %r" % (a, b), after)
    check(b["Region"] == "eu-west-1", "--region after the command ignored", after)
    check(b["Source"] == "profile whoami-global", "--profile after the command ignored", after)
    expect_verified(mark, key, "GetCallerIdentity", after, count=2)


def test_help(tmp):
    env = setup(tmp)
    res = run(["whoami", "-h"], env)
    check(res.returncode == 0, "whoami -h should exit 0", res)
    check("usage" in res.stdout.lower() and "whoami" in res.stdout,
          "whoami -h should print usage on stdout", res)


def test_unknown_command_suggests(tmp):
    env = setup(tmp)
    res = run(["whoamii"], env)
    expect_error(res, 2, one_line=False)
    check("whoami" in res.stderr.replace("whoamii", ""),
          "no 'did you mean whoami' suggestion", res)


def test_unknown_option(tmp):
    env = setup(tmp)
    res = run(["whoami", "--bogus"], env)
    expect_error(res, 2, "--bogus", one_line=False)


if __name__ == "__main__":
    harness.main(globals())
