#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Start and stop the local AWS endpoint used by the integration tests.

  awsenv.py start --dir DIR   moto server (127.0.0.1, free port; moto_server.py adds
                              the CloudFormation types of motoext.py) + the SigV4-verifying
                              proxy in front of it, both in the background (own
                              session, output in DIR/*.log); writes DIR/env.json:
                              {"moto_url", "endpoint_url", "request_log", "keys_file",
                               "pids": {"moto": PID, "proxy": PID}}
                              and returns once both answer (bounded, 60 s each).
  awsenv.py stop --dir DIR    stops what start started; harmless when nothing runs.

Moto keeps its state for the whole run; tests use unique names.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
MARKERS = {"moto": "moto_server.py", "proxy": "sigv4_proxy.py"}
# Leak guard: servers that nobody stops (ctest killed) end by themselves after this long.
MAX_SECONDS = int(os.environ.get("AWSX_ENV_MAX_SECONDS", 6 * 3600))


def ensure_moto():
    probe = [sys.executable, "-c", "import moto.server, flask, flask_cors"]
    if subprocess.run(probe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return True
    print("moto not importable; trying: %s -m pip install 'moto[server]'" % sys.executable,
          file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "moto[server]"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    if subprocess.run(probe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return True
    print("moto is not installed: run python3 -m pip install 'moto[server]'")
    return False


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def guarded(argv):
    """argv under coreutils timeout(1), when there is one."""
    t = shutil.which("timeout")
    return [t, "--signal=TERM", "--kill-after=10", str(MAX_SECONDS)] + argv if t else argv


def spawn(argv, log_path, env=None):
    with open(log_path, "ab") as log:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True, env=env)


def answers(url):
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/moto-api/", method="GET"),
                                    timeout=2) as r:
            r.read()
        return True
    except urllib.error.HTTPError:
        return True        # any HTTP answer means it is up
    except (OSError, ValueError):
        return False


# Services whose first request makes moto import a large backend (ec2 takes seconds):
# touching them once at start keeps that cost out of the tests' timeouts.
WARM_UP = ("sts", "iam", "ec2", "autoscaling", "cloudformation", "lambda", "logs", "s3",
           "xray", "apigateway", "states", "organizations")


def warm_up(moto_url):
    def touch(service):
        req = urllib.request.Request(moto_url + "/", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAWARMUP/20200101/us-east-1/%s/"
                             "aws4_request, SignedHeaders=host, Signature=0" % service})
        try:
            urllib.request.urlopen(req, timeout=30).read()
        except (OSError, ValueError):
            pass                          # any answer (or none) is fine: it was only a warm-up
    threads = [threading.Thread(target=touch, args=(s,), daemon=True) for s in WARM_UP]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


def wait_for(check, proc, what, timeout=READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        if proc.poll() is not None:
            raise RuntimeError("%s exited with status %s during start-up" % (what, proc.returncode))
        time.sleep(0.1)
    raise RuntimeError("%s did not become ready within %d s" % (what, timeout))


def is_ours(pid, name):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return MARKERS[name].encode() in f.read()
    except OSError:
        return False


def kill(pid, name):
    """Stop one process group we started (pid == pgid after setsid), bounded in time."""
    if not pid or not is_ours(pid, name):
        return
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                # reap if it is our child; otherwise just test for existence
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                if not is_ours(pid, name):
                    return
            time.sleep(0.05)


def stop(d):
    path = os.path.join(d, "env.json")
    try:
        with open(path) as f:
            env = json.load(f)
    except (OSError, ValueError):
        return 0
    for name in ("proxy", "moto"):
        kill(env.get("pids", {}).get(name), name)
    os.unlink(path)
    return 0


def start(d):
    os.makedirs(d, exist_ok=True)
    stop(d)                               # a previous run that was not stopped
    if not ensure_moto():
        return 1
    env = dict(os.environ)
    for k in [k for k in env if k.startswith("AWS_") or k.lower().endswith("_proxy")]:
        del env[k]                        # moto must not pick up a real account or proxy
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    log_moto = os.path.join(d, "moto.log")
    log_proxy = os.path.join(d, "proxy.log")
    request_log = os.path.join(d, "requests.log")
    keys_file = os.path.join(d, "keys.txt")
    ready_file = os.path.join(d, "proxy.ready")
    if os.path.exists(request_log):
        os.unlink(request_log)
    if not os.path.exists(keys_file):
        with open(keys_file, "w") as f:
            f.write("# access-key-id=secret, read by sigv4_proxy.py\n")

    def start_proxy(upstream):
        if os.path.exists(ready_file):
            os.unlink(ready_file)
        return spawn([sys.executable, os.path.join(HERE, "sigv4_proxy.py"),
                      "--upstream", upstream, "--log", request_log, "--keys", keys_file,
                      "--ready-file", ready_file, "--max-seconds", str(MAX_SECONDS)],
                     log_proxy, env)

    moto = proxy = None
    try:
        for attempt in range(3):          # the free port can be taken before moto binds it
            port = free_port()
            moto_url = "http://127.0.0.1:%d" % port
            # moto.server plus the CloudFormation resource types it lacks (motoext.py)
            moto = spawn(guarded([sys.executable, os.path.join(HERE, "moto_server.py"),
                                  "-H", "127.0.0.1", "-p", str(port)]), log_moto, env)
            if proxy is None:             # in parallel with moto: it loads botocore's models
                proxy, proxy_upstream = start_proxy(moto_url), moto_url
            try:
                wait_for(lambda: answers(moto_url), moto, "moto")
                break
            except RuntimeError:
                if moto.poll() is None or attempt == 2:
                    raise
        if proxy_upstream != moto_url:    # moto had to move: restart the proxy
            kill(proxy.pid, "proxy")
            proxy = start_proxy(moto_url)
        warm_up(moto_url)
        wait_for(lambda: os.path.exists(ready_file), proxy, "sigv4 proxy")
        with open(ready_file) as f:
            proxy_port = int(f.read().split()[-1])
    except Exception as e:  # noqa: BLE001 - report, clean up, fail
        for p, name in ((proxy, "proxy"), (moto, "moto")):
            if p is not None:
                kill(p.pid, name)
        print("awsenv start failed: %s (logs in %s)" % (e, d))
        return 1
    info = {
        "moto_url": moto_url,
        "endpoint_url": "http://127.0.0.1:%d" % proxy_port,
        "request_log": request_log,
        "keys_file": keys_file,
        "pids": {"moto": moto.pid, "proxy": proxy.pid},
    }
    with open(os.path.join(d, "env.json.tmp"), "w") as f:
        json.dump(info, f, indent=2)
    os.replace(os.path.join(d, "env.json.tmp"), os.path.join(d, "env.json"))
    print("awsenv: moto %s, verifying proxy %s" % (info["moto_url"], info["endpoint_url"]))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="local AWS endpoint for the integration tests")
    ap.add_argument("command", choices=("start", "stop"))
    ap.add_argument("--dir", required=True)
    args = ap.parse_args(argv)
    d = os.path.abspath(args.dir)
    return start(d) if args.command == "start" else stop(d)


if __name__ == "__main__":
    sys.exit(main())
