# SPDX-License-Identifier: Apache-2.0
"""Library for the integration tests (tests/integration/test_*.py).

A test file is plain Python:

    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
    import harness

    def test_whoami(tmp):
        env = harness.home(tmp)
        env.update(AWS_ACCESS_KEY_ID="AKIAAWSXTEST0000001", AWS_SECRET_ACCESS_KEY=harness.TEST_SECRET)
        r = harness.run_awsx(["whoami"], env)
        assert r.returncode == 0, r.stderr

    harness.main(globals())

`python3 test_x.py --list` prints the test names (without "test_"), `python3 test_x.py
NAME` runs test_NAME(tmp) in a fresh temporary directory: exit 0 pass, 1 fail, 77 skip.
ctest sets AWSX_BIN (the binary) and AWSX_ENV_DIR (where awsenv.py wrote env.json).
Set AWSX_KEEP_TMP=1 to keep a test's temporary directory.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_proxy import FaultProxy  # noqa: E402,F401  (re-exported)
from samstack import deploy_sam_stack  # noqa: E402,F401  (re-exported)

TEST_SECRET = "awsx/TEST/secret/KEY0000000000000000000"
TEST_ACCESS_KEY = "AKIAAWSXTEST00000001"   # any AKIA*/ASIA* key maps to TEST_SECRET
SKIP = 77

# Variables a clean environment keeps from the outer one (sanitizers, locale, temp dir).
_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "ASAN_OPTIONS",
         "UBSAN_OPTIONS", "LSAN_OPTIONS", "MSAN_OPTIONS", "LLVM_PROFILE_FILE")

_env_cache = None


def env():
    """The running local endpoint: {"moto_url", "endpoint_url", "request_log", "keys_file", "pids"}."""
    global _env_cache
    if _env_cache is None:
        d = os.environ.get("AWSX_ENV_DIR")
        if not d:
            raise RuntimeError("AWSX_ENV_DIR is not set: run `python3 tests/support/awsenv.py "
                               "start --dir DIR` and export AWSX_ENV_DIR=DIR (ctest does this)")
        path = os.path.join(d, "env.json")
        try:
            with open(path) as f:
                _env_cache = json.load(f)
        except OSError as e:
            raise RuntimeError("no local AWS endpoint running (%s): start it with awsenv.py" % e)
    return _env_cache


def awsx_bin():
    b = os.environ.get("AWSX_BIN")
    if not b:
        raise RuntimeError("AWSX_BIN is not set (ctest sets it to the built awsx)")
    return b


def home(tmp):
    """A clean AWS environment rooted in tmp: returns the variables to run awsx with."""
    h = pathlib.Path(tmp) / "home"
    (h / ".aws").mkdir(parents=True, exist_ok=True)
    e = {k: os.environ[k] for k in _KEEP if k in os.environ}
    e.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    e.update({
        "HOME": str(h),
        "AWS_CONFIG_FILE": str(h / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(h / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": env()["endpoint_url"],
        "AWS_REGION": "us-east-1",
    })
    return e


def run_awsx(args, env, timeout=60, input=None):
    """Run the awsx binary; a CompletedProcess (text, stdout/stderr captured)."""
    argv = [awsx_bin()] + [str(a) for a in args]
    try:
        return subprocess.run(argv, env=env, input=input, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        def text(b):
            return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")
        raise AssertionError("awsx %s timed out after %s s\n--- stdout\n%s\n--- stderr\n%s"
                             % (" ".join(map(str, args)), timeout, text(e.stdout), text(e.stderr)))


def add_key(access_key_id, secret):
    """Teach the verifying proxy another key (it re-reads its keys file)."""
    with open(env()["keys_file"], "a") as f:
        f.write("%s=%s\n" % (access_key_id, secret))


def log_mark():
    """A position in the verifying proxy's request log; see requests_since()."""
    try:
        return os.path.getsize(env()["request_log"])
    except OSError:
        return 0


def requests_since(mark, **match):
    """Request-log entries written after mark, oldest first, as dicts with "method",
    "service", "operation", "api", "access_key", "status", "verified", "reason", ...
    Keyword arguments keep only entries with those values (e.g. access_key="AKIA...")."""
    out = []
    try:
        with open(env()["request_log"], "rb") as f:
            f.seek(mark)
            data = f.read()
    except OSError:
        return out
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue          # a line still being written
        if all(entry.get(k) == v for k, v in match.items()):
            out.append(entry)
    return out


class Skip(SystemExit):
    pass


def skip(reason):
    """End the current test as skipped (exit code 77, ctest SKIP_RETURN_CODE)."""
    print("SKIP: %s" % reason)
    sys.stdout.flush()
    raise Skip(SKIP)


def _report_failure(exc):
    traceback.print_exc()
    tb = exc.__traceback__
    frame = None
    while tb is not None:                 # innermost frame of a test_* function
        if tb.tb_frame.f_code.co_name.startswith("test_"):
            frame = tb.tb_frame
        tb = tb.tb_next
    if frame is not None and isinstance(exc, AssertionError):
        print("--- locals of %s:" % frame.f_code.co_name, file=sys.stderr)
        for k, v in frame.f_locals.items():
            r = repr(v)
            print("  %s = %s" % (k, r if len(r) <= 2000 else r[:2000] + "..."), file=sys.stderr)
    print("FAIL: %s: %s" % (type(exc).__name__, exc), file=sys.stderr)


def main(g):
    """Entry point of a test file: main(globals())."""
    tests = {n[len("test_"):]: f for n, f in g.items() if n.startswith("test_") and callable(f)}
    args = sys.argv[1:]
    if args == ["--list"]:
        for name in tests:
            print(name)
        sys.exit(0)
    if len(args) != 1:
        print("usage: %s --list | NAME" % sys.argv[0], file=sys.stderr)
        sys.exit(2)
    name = args[0]
    if name not in tests and name.replace("-", "_") in tests:
        name = name.replace("-", "_")
    if name not in tests:
        print("no test named %r; have: %s" % (name, ", ".join(tests)), file=sys.stderr)
        sys.exit(2)
    keep = bool(os.environ.get("AWSX_KEEP_TMP"))
    tmp = tempfile.mkdtemp(prefix="awsx-%s-" % name)
    code = 1
    try:
        tests[name](pathlib.Path(tmp))
        code = 0
    except Skip:
        code = SKIP
    except Exception as e:  # noqa: BLE001 - any exception fails the test
        _report_failure(e)
    finally:
        sys.stdout.flush()
        if keep:
            print("kept %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(code)
