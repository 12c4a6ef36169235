# SPDX-License-Identifier: Apache-2.0
"""test_credentials.py: the credential chain and transport settings beyond
the one-source-each scenarios of test_whoami.py: credential_source, MFA
without a terminal, caching and refresh of temporary credentials, partial
and looping configurations, region checks, and TLS verification with and
without AWS_CA_BUNDLE.  Every AWS request goes through the SigV4-verifying
proxy; no test asserts on elapsed time.
"""

import json
import pathlib
import shlex
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
SUPPORT = HERE.parent / "support"
sys.path.insert(0, str(SUPPORT))

import harness  # noqa: E402
import forwarder  # noqa: E402
import fakes  # noqa: E402

SECRET = harness.TEST_SECRET
CRED_PROC = SUPPORT / "credential_process.py"


def setup(tmp, **extra):
    env = harness.home(str(tmp))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def write(path, text):
    pathlib.Path(path).write_text(text)


def describe(res):
    return "\n  exit %s\n  stdout: %r\n  stderr: %r" % (res.returncode, res.stdout[-2000:],
                                                       res.stderr[-2000:])


def expect(res, code, *needles):
    assert res.returncode == code, "expected exit %d%s" % (code, describe(res))
    for n in needles:
        assert n.lower() in res.stderr.lower(), "stderr lacks %r%s" % (n, describe(res))


def whoami_json(env, *extra):
    res = harness.run_awsx(["whoami", "--output", "json"] + list(extra), env)
    assert res.returncode == 0, "whoami failed" + describe(res)
    return json.loads(res.stdout), res


# ---- credential_source ----

def test_credential_source_environment(tmp):
    env = setup(tmp, AWS_ACCESS_KEY_ID="AKIACREDSRCENV000001", AWS_SECRET_ACCESS_KEY=SECRET)
    write(env["AWS_CONFIG_FILE"],
          "[profile envrole]\nrole_arn = arn:aws:iam::123456789012:role/envrole\n"
          "credential_source = Environment\nrole_session_name = src-env\n")
    mark = harness.log_mark()
    doc, res = whoami_json(env, "--profile", "envrole")
    assert doc["Source"].startswith("assume-role envrole <- env"), describe(res)
    assert "src-env" in doc["Arn"], describe(res)
    reqs = harness.requests_since(mark, access_key="AKIACREDSRCENV000001")
    assert [r["operation"] for r in reqs] == ["AssumeRole"], reqs
    assert all(r["verified"] for r in reqs), reqs


def test_credential_source_ecs_container(tmp):
    with fakes.Ecs("ASIACREDSRCECS000001", SECRET, "ecs-token") as ecs:
        env = setup(tmp, AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/creds")
        write(env["AWS_CONFIG_FILE"],
              "[profile ecsrole]\nrole_arn = arn:aws:iam::123456789012:role/ecsrole\n"
              "credential_source = EcsContainer\n")
        doc, res = whoami_json(env, "--profile", "ecsrole")
    assert doc["Source"] == "assume-role ecsrole <- container", describe(res)
    assert ecs.requests, "container endpoint not asked"


def test_credential_source_unknown(tmp):
    env = setup(tmp)
    write(env["AWS_CONFIG_FILE"],
          "[profile bad]\nrole_arn = arn:aws:iam::123456789012:role/x\ncredential_source = Magic\n")
    res = harness.run_awsx(["whoami", "--profile", "bad"], env)
    expect(res, 3, "credential_source", "Magic")


def test_source_profile_loop(tmp):
    env = setup(tmp)
    write(env["AWS_CONFIG_FILE"],
          "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n"
          "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n")
    res = harness.run_awsx(["whoami", "--profile", "a"], env)
    expect(res, 3, "loop")


def test_mfa_without_terminal(tmp):
    env = setup(tmp)
    write(env["AWS_SHARED_CREDENTIALS_FILE"],
          "[base]\naws_access_key_id = AKIACREDMFA000000001\naws_secret_access_key = %s\n" % SECRET)
    write(env["AWS_CONFIG_FILE"],
          "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/mfa\nsource_profile = base\n"
          "mfa_serial = arn:aws:iam::123456789012:mfa/me\n")
    mark = harness.log_mark()
    res = harness.run_awsx(["whoami", "--profile", "mfa"], env, input="")
    expect(res, 3, "MFA", "arn:aws:iam::123456789012:mfa/me", "terminal")
    assert not harness.requests_since(mark, access_key="AKIACREDMFA000000001"), \
        "AssumeRole was sent without an MFA code"


def _run_on_terminal(argv, env, answer, prompt=b"Enter MFA code", limit_s=60):
    """Run argv with a pseudo-terminal as its controlling terminal, type
    answer after prompt appears; returns (exit status, everything shown)."""
    import os
    import pty
    import select
    import time
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    shown, answered = b"", False
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        if not answered and prompt in shown:
            os.write(fd, answer + b"\n")
            answered = True
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def test_mfa_prompt_on_terminal(tmp):
    env = setup(tmp)
    write(env["AWS_SHARED_CREDENTIALS_FILE"],
          "[base]\naws_access_key_id = AKIACREDMFA000000002\naws_secret_access_key = %s\n" % SECRET)
    write(env["AWS_CONFIG_FILE"],
          "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/mfa\nsource_profile = base\n"
          "mfa_serial = arn:aws:iam::123456789012:mfa/me\n")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as rec:  # no faults: a recorder
        env["AWS_ENDPOINT_URL"] = rec.url
        code, shown = _run_on_terminal([harness.awsx_bin(), "whoami", "--profile", "mfa",
                                        "--output", "json"], env, b"123456")
        bodies = [b.decode() if isinstance(b, bytes) else b for b in rec.bodies]
    assert code == 0, "exit %s, terminal showed:\n%s" % (code, shown)
    assert "Enter MFA code for arn:aws:iam::123456789012:mfa/me" in shown, shown
    assume = [b for b in bodies if "Action=AssumeRole" in b]
    assert assume and "TokenCode=123456" in assume[0] and "SerialNumber=" in assume[0], bodies
    assert '"Source": "assume-role mfa <- profile base"' in shown, shown


def test_partial_environment_keys(tmp):
    env = setup(tmp, AWS_ACCESS_KEY_ID="AKIACREDPARTIAL00001")
    res = harness.run_awsx(["whoami"], env)
    expect(res, 3, "AWS_SECRET_ACCESS_KEY")


# ---- caching and refresh of temporary credentials ----

def _counting_process(tmp, minutes):
    count = pathlib.Path(tmp) / "runs"
    inner = " ".join(shlex.quote(x) for x in (
        sys.executable, str(CRED_PROC), "--access-key", "ASIACREDREFRESH00001",
        "--token", "refresh-token", "--expiration-minutes", str(minutes)))
    cmd = "sh -c %s" % shlex.quote("echo run >> %s; exec %s" % (shlex.quote(str(count)), inner))
    return count, cmd


def test_long_lived_credentials_fetched_once(tmp):
    count, cmd = _counting_process(tmp, 60)
    env = setup(tmp)
    write(env["AWS_CONFIG_FILE"], "[profile p]\ncredential_process = %s\n" % cmd)
    whoami_json(env, "--profile", "p")
    assert count.read_text().count("run") == 1, count.read_text()


def test_expiring_credentials_refreshed(tmp):
    # Expiring within the five-minute refresh window: each use fetches again.
    count, cmd = _counting_process(tmp, 2)
    env = setup(tmp)
    write(env["AWS_CONFIG_FILE"], "[profile p]\ncredential_process = %s\n" % cmd)
    whoami_json(env, "--profile", "p")
    assert count.read_text().count("run") >= 2, count.read_text()


# ---- region ----

def test_invalid_region(tmp):
    env = setup(tmp, AWS_ACCESS_KEY_ID="AKIACREDREGION000001", AWS_SECRET_ACCESS_KEY=SECRET)
    res = harness.run_awsx(["whoami", "--region", "us-east-1; rm -rf /"], env)
    expect(res, 3, "invalid region")


def test_region_from_profile(tmp):
    env = setup(tmp)
    del env["AWS_REGION"]
    write(env["AWS_SHARED_CREDENTIALS_FILE"],
          "[r]\naws_access_key_id = AKIACREDREGION000002\naws_secret_access_key = %s\n" % SECRET)
    write(env["AWS_CONFIG_FILE"], "[profile r]\nregion = eu-central-1\n")
    mark = harness.log_mark()
    doc, res = whoami_json(env, "--profile", "r")
    assert doc["Region"] == "eu-central-1", describe(res)
    reqs = harness.requests_since(mark, access_key="AKIACREDREGION000002")
    assert reqs and reqs[0].get("region") == "eu-central-1", reqs
    # the environment wins over the profile, the flag over both
    env["AWS_DEFAULT_REGION"] = "eu-west-2"
    doc, res = whoami_json(env, "--profile", "r")
    assert doc["Region"] == "eu-west-2", describe(res)
    env["AWS_REGION"] = "eu-west-3"
    doc, res = whoami_json(env, "--profile", "r")
    assert doc["Region"] == "eu-west-3", describe(res)
    doc, res = whoami_json(env, "--profile", "r", "--region", "ap-south-1")
    assert doc["Region"] == "ap-south-1", describe(res)


# ---- TLS ----

def _make_cert(tmp):
    key, crt = pathlib.Path(tmp) / "key.pem", pathlib.Path(tmp) / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(crt)],
                   check=True, capture_output=True, timeout=60)
    return key, crt


def test_tls_verified_and_ca_bundle(tmp):
    key, crt = _make_cert(tmp)
    with forwarder.Forwarder(harness.env()["endpoint_url"], tls=(key, crt)) as tls:
        env = setup(tmp, AWS_ACCESS_KEY_ID="AKIACREDTLS000000001", AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_ENDPOINT_URL=tls.url, AWS_MAX_ATTEMPTS="1")
        # a certificate nobody vouches for is refused: TLS is always verified
        res = harness.run_awsx(["whoami"], env)
        expect(res, 4, "certificate")
        # ... and accepted once AWS_CA_BUNDLE names it
        env["AWS_CA_BUNDLE"] = str(crt)
        doc, res = whoami_json(env)
        assert doc["Source"] == "env", describe(res)


def test_ca_bundle_missing_file(tmp):
    env = setup(tmp, AWS_ACCESS_KEY_ID="AKIACREDTLS000000002", AWS_SECRET_ACCESS_KEY=SECRET,
                AWS_CA_BUNDLE=str(pathlib.Path(tmp) / "nope.pem"))
    res = harness.run_awsx(["whoami"], env)
    expect(res, 3, "CA bundle", "nope.pem")


# ---- clock skew ----

def test_clock_skew_corrected(tmp):
    # The server's clock runs 7 minutes ahead and it refuses the first request
    # as too skewed; awsx reads the server's Date, corrects, and the retry is
    # signed 7 minutes ahead (still inside the proxy's 15-minute window).
    env = setup(tmp, AWS_ACCESS_KEY_ID="AKIACREDSKEW00000001", AWS_SECRET_ACCESS_KEY=SECRET)
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.set_schedule([{"status": 403, "protocol": "query", "code": "RequestTimeTooSkewed",
                             "message": "The difference between the request time and the "
                                        "current time is too large.", "date_offset_s": 420}])
        env["AWS_ENDPOINT_URL"] = fault.url
        doc, res = whoami_json(env)
        assert fault.count == 2, "expected one retry, saw %d requests" % fault.count
        first = fault.requests[0].headers["x-amz-date"]
        second = fault.requests[1].headers["x-amz-date"]
    import datetime
    fmt = "%Y%m%dT%H%M%SZ"
    delta = (datetime.datetime.strptime(second, fmt) -
             datetime.datetime.strptime(first, fmt)).total_seconds()
    assert 360 <= delta <= 480, "retry not signed with the server's time: %s then %s" % (
        first, second)


def test_signature_error_without_skew_not_retried(tmp):
    env = setup(tmp, AWS_ACCESS_KEY_ID="AKIACREDSKEW00000002", AWS_SECRET_ACCESS_KEY="wrong")
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        env["AWS_ENDPOINT_URL"] = fault.url
        res = harness.run_awsx(["whoami"], env)
        expect(res, 5, "SignatureDoesNotMatch")
        assert fault.count == 1, "a plain signature error must not be retried"


harness.main(globals())
