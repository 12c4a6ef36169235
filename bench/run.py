#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""awsx benchmark harness: runs awsx and a peer tool on the same work and writes
docs/PERFORMANCE.md.

    python3 bench/run.py [--awsx PATH] [--runs [NAME=]N] [--warmups [NAME=]N]
                         [--memory-runs [NAME=]N] [--latency-ms [NAME=]N]
                         [--only NAME[,NAME]] [--output FILE | --no-write] [--list]

For every benchmark it starts from a fresh moto state, runs the setup, then runs
awsx and the peer ALTERNATELY (awsx, peer, awsx, peer, ...): warm-up rounds that
are not recorded, timing rounds, then memory rounds.  Each benchmark sets its own
counts and added latency (a long one runs fewer rounds); --runs, --warmups,
--memory-runs and --latency-ms override them, N for every benchmark or NAME=N for
one.  Every run must exit 0 and pass the benchmark's output check, or the benchmark
is aborted with the command, exit status and output.

How one run is measured:
  - timing run: the command is spawned with Popen and reaped with os.wait4(); wall time
    is time.perf_counter() around both, CPU time is user + sys from wait4's rusage (the
    command and any children it waited for);
  - memory run: the command runs under GNU time (`/usr/bin/time -f %M -o F`, Debian
    package `time`: `apt-get install -y time` if it is missing); peak memory is its %M,
    the command's own ru_maxrss.
Why not wait4's ru_maxrss: Linux carries the high-water RSS of the pre-exec address
space into the child's maxrss, and a child of this Python process starts from a copy of
(or, with vfork, the very) Python address space, so wait4 reports at least the harness's
own ~15 MiB even for /bin/true.  GNU time is a small C program, so the command it forks
starts from a ~1 MiB space.  The same measurements of /bin/true are reported as the floor.

The local endpoint is a moto server this script starts on a free loopback port and
always stops (normal end, error, Ctrl-C, SIGTERM).  For a benchmark with added
latency (its latency_ms, or --latency-ms) one instance of the project's fault proxy
(tests/support/fault_proxy.py) is put in front of moto for that benchmark and delays
every request by that many ms.  Both tools get the same endpoint (--endpoint-url) and
the same credentials through environment variables, with a temporary HOME and no
config files.

Benchmarks are not tests: nothing here asserts a time.  Python 3 standard library only
(plus GNU time for the memory runs, and boto3, which comes with moto, to seed moto
for the benchmarks that need many resources).

Adding a benchmark: write one function decorated with @benchmark that returns a
Benchmark(...); see the "whoami" and "lc-inventory" definitions below and
bench/README.md.
"""

import argparse
import csv
import datetime
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
DEFAULT_OUTPUT = os.path.join(REPO, "docs", "PERFORMANCE.md")
FAULT_PROXY = os.path.join(REPO, "tests", "support", "fault_proxy.py")
AWS_CLI = "/usr/bin/aws"  # AWS CLI v2 from Debian's awscli; the `aws` on PATH may be an old v1
GNU_TIME = "/usr/bin/time"  # only for the command's own peak RSS; see the header
READY_TIMEOUT = 60.0      # seconds to wait for moto (or the proxy) to answer
RUN_TIMEOUT = 600.0       # seconds one benchmarked command may take before it is killed
MOTO_ACCOUNT = "123456789012"


class BenchError(Exception):
    """A benchmark (or the harness) cannot go on; the message says why."""


# ---------------------------------------------------------------------------------
# Benchmark definitions
# ---------------------------------------------------------------------------------

@dataclass
class Benchmark:
    name: str
    description: str
    awsx_cmd: Callable[[Any], List[str]]          # ctx -> argv
    peer_name: str
    peer_cmd: Callable[[Any], List[str]]          # ctx -> argv
    setup: Callable[[Any], Any] = lambda env: env  # env -> ctx (seed data, temp files, ...)
    teardown: Callable[[Any], None] = lambda ctx: None
    # Called untimed before every run with (ctx, "awsx" | "peer"), e.g. to delete the
    # previous run's output file.
    before_run: Callable[[Any, str], None] = lambda ctx, side: None
    # Optional output checks, (ctx, stdout_bytes) -> None or an error string; they make sure
    # both tools did the work, not just exited 0.
    awsx_check: Optional[Callable[[Any, bytes], Optional[str]]] = None
    peer_check: Optional[Callable[[Any, bytes], Optional[str]]] = None
    # Programs the peer needs, as (path, how to install it); checked before anything runs.
    requires: tuple = ()
    notes: str = ""                               # extra text for PERFORMANCE.md
    # This benchmark's defaults; --runs, --warmups, --memory-runs and --latency-ms
    # override them (N for every benchmark, NAME=N for one).
    runs: int = 15                                # recorded timing rounds
    warmups: int = 2                              # unrecorded rounds first
    memory_runs: int = 5                          # rounds under GNU time
    latency_ms: int = 0                           # >0: both tools go through one fault
                                                  # proxy that delays every request


REGISTRY: List[Benchmark] = []


def benchmark(fn):
    """Decorator: fn() returns a Benchmark; it is added to the registry in file order."""
    REGISTRY.append(fn())
    return fn


def expect_in(*needles):
    def check(ctx, out):
        missing = [n for n in needles if n.encode() not in out]
        return "output lacks %s" % ", ".join(map(repr, missing)) if missing else None
    return check


@benchmark
def whoami():
    return Benchmark(
        name="whoami",
        description="One STS GetCallerIdentity call: start the client, read the credentials "
                    "from the environment, sign, send, parse and print the answer.",
        awsx_cmd=lambda ctx: [ctx.awsx, "whoami", "--endpoint-url", ctx.endpoint],
        peer_name="AWS CLI v2",
        peer_cmd=lambda ctx: [AWS_CLI, "sts", "get-caller-identity",
                              "--endpoint-url", ctx.endpoint],
        awsx_check=expect_in(MOTO_ACCOUNT),
        peer_check=expect_in(MOTO_ACCOUNT),
        requires=((AWS_CLI, "apt-get install -y awscli"),),
        notes="One request per run, and a small one: most of each client's time is its own "
              "start-up.",
    )


# The 17 regions every account has enabled by default (no opt-in needed).
DEFAULT_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
                   "sa-east-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
                   "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
                   "ap-southeast-1", "ap-southeast-2", "ap-south-1")
LC_PREFIX = "bench-lc-"       # every seeded launch configuration's name starts with this
LC_PER_REGION = 200
ASG_PER_REGION = 50           # group i uses launch configuration 4*i
SEED_THREADS = 8              # concurrent boto3 calls while seeding moto (untimed)


def lc_name(region, i):
    return "%s%s-%03d" % (LC_PREFIX, region, i)  # the region in the name: a tool that
                                                 # mixes regions up fails the check


def seed_launch_configurations(env, regions, per_region, asgs_per_region):
    """Create the launch configurations and Auto Scaling groups in moto with boto3,
    straight to moto (no delay proxy), SEED_THREADS calls at a time."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise BenchError("seeding needs boto3 in %s (it comes with moto: "
                         "pip install 'moto[server]')" % sys.executable)
    import concurrent.futures
    kw = dict(endpoint_url=env.moto_url, aws_access_key_id=env.vars["AWS_ACCESS_KEY_ID"],
              aws_secret_access_key=env.vars["AWS_SECRET_ACCESS_KEY"],
              config=Config(max_pool_connections=SEED_THREADS,
                            retries={"mode": "standard", "max_attempts": 5}))
    session = boto3.session.Session()
    try:
        asc = {r: session.client("autoscaling", region_name=r, **kw) for r in regions}
        zone = {r: session.client("ec2", region_name=r, **kw).describe_availability_zones()
                ["AvailabilityZones"][0]["ZoneName"] for r in regions}
    except Exception as e:
        raise BenchError("seeding moto failed: %s: %s" % (type(e).__name__, e))
    user_data = "#!/bin/bash\nset -eu\nyum install -y nginx\nsystemctl enable --now nginx\n"

    def create_lc(region, i):
        # Fields a real launch configuration has, so both tools parse realistic answers.
        extra = {"SpotPrice": "0.05"} if i % 10 == 9 else {}
        asc[region].create_launch_configuration(
            LaunchConfigurationName=lc_name(region, i), ImageId="ami-12c6146b",
            InstanceType=("t3.micro", "m5.large", "c5.xlarge")[i % 3], KeyName="ops",
            SecurityGroups=["sg-0123456789abcdef0"], UserData=user_data,
            IamInstanceProfile="app-profile", InstanceMonitoring={"Enabled": i % 2 == 0},
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda",
                                  "Ebs": {"VolumeSize": 8, "VolumeType": "gp3",
                                          "DeleteOnTermination": True}}],
            **extra)

    def create_asg(region, i):
        asc[region].create_auto_scaling_group(
            AutoScalingGroupName="bench-asg-%s-%03d" % (region, i),
            LaunchConfigurationName=lc_name(region, 4 * i),
            MinSize=0, MaxSize=0, DesiredCapacity=0, AvailabilityZones=[zone[region]])

    pool = concurrent.futures.ThreadPoolExecutor(SEED_THREADS)
    try:
        for fn, n in ((create_lc, per_region), (create_asg, asgs_per_region)):
            jobs = [pool.submit(fn, r, i) for r in regions for i in range(n)]
            for j in jobs:
                j.result()  # raises the first failure
    except Exception as e:
        raise BenchError("seeding moto failed: %s: %s" % (type(e).__name__, e))
    finally:  # on a failure or Ctrl-C, drop the calls not yet started
        pool.shutdown(wait=True, cancel_futures=True)


def _lc_inventory(script_format):
    """The inventory benchmark; script_format: awsx writes AWS's script format
    (names only, the same work as the loop) instead of its full CSV."""
    regions = DEFAULT_REGIONS
    expected = {(r, lc_name(r, i)) for r in regions for i in range(LC_PER_REGION)}

    def setup(env):
        t0 = time.monotonic()
        seed_launch_configurations(env, regions, LC_PER_REGION, ASG_PER_REGION)
        print("  seeded %d launch configurations and %d Auto Scaling groups in %d regions "
              "(%.0f s, untimed)" % (len(expected), ASG_PER_REGION * len(regions), len(regions),
                                     time.monotonic() - t0), flush=True)
        # Output paths are relative to the runs' working directory, env.workdir.
        return types.SimpleNamespace(
            env=env, awsx=env.awsx, endpoint=env.endpoint, csv_name="inventory.csv",
            csv=os.path.join(env.workdir, "inventory.csv"), peer_dir_name="lc-json",
            peer_dir=os.path.join(env.workdir, "lc-json"))

    def before_run(ctx, side):
        if side == "awsx":
            if os.path.exists(ctx.csv):
                os.unlink(ctx.csv)
        else:
            shutil.rmtree(ctx.peer_dir, ignore_errors=True)
            os.makedirs(ctx.peer_dir)

    def compare(got, what):
        if got == expected:
            return None
        missing, extra = sorted(expected - got), sorted(got - expected)
        return ("%s: %d launch configurations named %s*, expected %d (missing %d%s, "
                "unexpected %d%s)" % (what, len(got), LC_PREFIX, len(expected), len(missing),
                                      " e.g. %s/%s" % missing[0] if missing else "", len(extra),
                                      " e.g. %s/%s" % extra[0] if extra else ""))

    def awsx_check_script(ctx, out):
        import ast
        try:
            with open(ctx.csv, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        except OSError as e:
            return "no CSV: %s" % e
        got = set()
        for r in rows:
            names = ast.literal_eval(r["launch_configuratons"])
            if int(r["count"]) != len(names):
                return "%s: count %s but %d names in %s" % (ctx.csv_name, r["count"], len(names),
                                                            r["region"])
            got |= {(r["region"], n) for n in names if n.startswith(LC_PREFIX)}
        return compare(got, ctx.csv_name)

    def awsx_check(ctx, out):
        if script_format:
            return awsx_check_script(ctx, out)
        try:
            with open(ctx.csv, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        except OSError as e:
            return "no CSV: %s" % e
        ours = [r for r in rows if r.get("name", "").startswith(LC_PREFIX)]
        problem = compare({(r["region"], r["name"]) for r in ours}, ctx.csv_name)
        if problem:
            return problem
        if len(ours) != len(expected):
            return "%s: %d rows for %d launch configurations" % (ctx.csv_name, len(ours),
                                                                  len(expected))
        in_use = sum(1 for r in ours if r.get("in_use") == "true")
        if in_use != ASG_PER_REGION * len(regions):
            return "%s: %d launch configurations in use, expected %d" % (
                ctx.csv_name, in_use, ASG_PER_REGION * len(regions))
        return None

    def peer_check(ctx, out):
        got = set()
        for r in regions:
            path = os.path.join(ctx.peer_dir, r + ".json")
            try:
                with open(path, encoding="utf-8") as f:
                    lcs = json.load(f)["LaunchConfigurations"]
            except (OSError, ValueError, KeyError, TypeError) as e:
                return "%s: %s" % (path, e)
            got |= {(r, lc["LaunchConfigurationName"]) for lc in lcs
                    if lc["LaunchConfigurationName"].startswith(LC_PREFIX)}
        return compare(got, "%s/*.json" % ctx.peer_dir_name)

    # What people run today: one AWS CLI call per region, one after another, each
    # paginating on its own, each region's answer saved to a file.
    loop = ('out=$1 ep=$2; shift 2; for r in "$@"; do '
            '/usr/bin/aws autoscaling describe-launch-configurations --region "$r" '
            '--output json --endpoint-url "$ep" > "$out/$r.json" || exit 1; done')

    if script_format:
        return Benchmark(
            name="lc-inventory-names",
            description="The same estate and proxy as lc-inventory, with awsx doing exactly "
                        "the loop's work: launch configuration names per region, written "
                        "as AWS's inventory script writes them (--aws-script-compatible: "
                        "no Auto Scaling groups are read).",
            setup=setup,
            before_run=before_run,
            awsx_cmd=lambda ctx: [ctx.awsx, "lc-migrate", "inventory", "--regions",
                                  ",".join(regions), "--aws-script-compatible", "-o",
                                  ctx.csv_name, "--endpoint-url", ctx.endpoint],
            peer_name="AWS CLI v2 loop",
            peer_cmd=lambda ctx: ["sh", "-c", loop, "sh", ctx.peer_dir_name, ctx.endpoint]
                                 + list(regions),
            awsx_check=awsx_check,
            peer_check=peer_check,
            requires=((AWS_CLI, "apt-get install -y awscli"),),
            notes="As lc-inventory; awsx's file is checked to name exactly the seeded "
                  "launch configurations of every region, with matching counts.",
            runs=5,
            warmups=1,
            memory_runs=3,
            latency_ms=50,
        )
    return Benchmark(
        name="lc-inventory",
        description="Inventory the launch configurations of %d regions, %d per region "
                    "(%d in all, %d of them used by Auto Scaling groups), every request "
                    "delayed by the fault proxy like a real round trip. awsx reads every region "
                    "concurrently, with each configuration's Auto Scaling groups, and writes "
                    "one CSV; the peer is the shell loop people script today, one AWS CLI "
                    "call per region, each region's JSON to a file."
                    % (len(regions), LC_PER_REGION, len(expected),
                       ASG_PER_REGION * len(regions)),
        setup=setup,
        before_run=before_run,
        awsx_cmd=lambda ctx: [ctx.awsx, "lc-migrate", "inventory", "--regions",
                              ",".join(regions), "--format", "csv", "-o", ctx.csv_name,
                              "--endpoint-url", ctx.endpoint],
        peer_name="AWS CLI v2 loop",
        peer_cmd=lambda ctx: ["sh", "-c", loop, "sh", ctx.peer_dir_name, ctx.endpoint]
                             + list(regions),
        awsx_check=awsx_check,
        peer_check=peer_check,
        requires=((AWS_CLI, "apt-get install -y awscli"),),
        notes="Both tools go through the same fault proxy in front of moto, which handles "
              "requests concurrently (a thread per connection; the delay does not hold a "
              "lock). awsx does more work than the loop: it also reads every region's Auto "
              "Scaling groups to say which configurations are in use. It asks for pages of "
              "100 and keeps up to 16 requests in flight, so its wall time is mostly moto's: "
              "one Python process answering every page, tens of milliseconds each. The loop "
              "starts the AWS CLI once per region, and each CLI run fetches its region's "
              "pages one after another (it sends no page size, so the service's default "
              "of 50 applies). Seeding moto is not timed. Every run is checked: awsx's CSV "
              "and the loop's JSON files must both name exactly the seeded launch "
              "configurations of every region, and awsx's CSV must mark the %d used ones."
              % (ASG_PER_REGION * len(regions)),
        runs=5,
        warmups=1,
        memory_runs=3,
        latency_ms=50,
    )


@benchmark
def lc_inventory():
    return _lc_inventory(script_format=False)


@benchmark
def lc_inventory_names():
    return _lc_inventory(script_format=True)


# ---------------------------------------------------------------------------------
# Environment: moto, optional delay proxy, child environment
# ---------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_answers(port, path="/moto-api/", method="GET", timeout=2.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except OSError:
        return None
    finally:
        conn.close()


def stop_process(proc, name):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # own session: the group is just this server
    except ProcessLookupError:
        return
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        print("%s did not stop on SIGTERM; killing it" % name, file=sys.stderr)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def log_tail(path, lines=20):
    """The end of a server log, for error messages (the work directory is removed)."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).rstrip() or "(log empty)"
    except OSError:
        return "(no log)"


class Env:
    """What the benchmarks get: endpoint URL, tool paths, a work directory, the child
    environment (vars), and run() for setup steps."""

    def __init__(self, awsx, workdir):
        self.awsx = awsx
        self.aws_cli = AWS_CLI
        self.workdir = workdir
        self.latency_ms = 0     # of the current benchmark's route (see route())
        self.moto_port = None
        self.moto_url = None
        self.endpoint = None
        self._moto = None
        self._proxy = None
        home = os.path.join(workdir, "home")
        os.makedirs(home, exist_ok=True)
        # A clean, fixed environment for both tools (no pyenv, no PYTHON*, no ~/.aws).
        self.vars = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "AWS_ACCESS_KEY_ID": "AKIABENCH00000000000",
            "AWS_SECRET_ACCESS_KEY": "benchSecretKey0000000000000000000000000",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.path.join(workdir, "nonexistent", "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(workdir, "nonexistent", "credentials"),
            "AWS_PAGER": "",
            "NO_COLOR": "1",
        }

    def start(self):
        for attempt in range(3):  # the free port may be taken between probe and bind
            self.moto_port = free_port()
            log = open(os.path.join(self.workdir, "moto.log"), "ab")
            self._moto = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.moto_port)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
            log.close()
            deadline = time.monotonic() + READY_TIMEOUT
            while time.monotonic() < deadline and self._moto.poll() is None:
                if http_answers(self.moto_port) is not None:
                    break
                time.sleep(0.1)
            if self._moto.poll() is None and http_answers(self.moto_port) is not None:
                break
            stop_process(self._moto, "moto")
            self._moto = None
        else:
            raise BenchError("moto server did not answer within %d s; is moto installed for "
                             "%s? (pip install 'moto[server]')\n%s"
                             % (READY_TIMEOUT, sys.executable,
                                log_tail(os.path.join(self.workdir, "moto.log"))))
        self.moto_url = "http://127.0.0.1:%d" % self.moto_port
        self.endpoint = self.moto_url

    def route(self, latency_ms):
        """Point self.endpoint at moto itself (0) or at a fresh fault proxy in front of
        moto that delays every request by latency_ms; both tools of a benchmark use it."""
        self.stop_proxy()
        self.latency_ms = latency_ms
        self.endpoint = self.moto_url
        if latency_ms > 0:
            self._start_proxy(latency_ms)

    def stop_proxy(self):
        stop_process(self._proxy, "delay proxy")
        self._proxy = None

    def _start_proxy(self, latency_ms):
        if not os.path.exists(FAULT_PROXY):
            raise BenchError("added latency needs %s" % FAULT_PROXY)
        ready = os.path.join(self.workdir, "proxy.ready")
        if os.path.exists(ready):
            os.unlink(ready)
        log = open(os.path.join(self.workdir, "proxy.log"), "ab")
        self._proxy = subprocess.Popen(
            [sys.executable, FAULT_PROXY, "--upstream", self.moto_url,
             "--default", '{"delay_ms": %d}' % latency_ms, "--ready-file", ready],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and self._proxy.poll() is None:
            if os.path.exists(ready):
                with open(ready) as f:
                    m = re.search(r"listening on (\d+)", f.read())
                if m:
                    self.endpoint = "http://127.0.0.1:%s" % m.group(1)
                    return
            time.sleep(0.05)
        raise BenchError("delay proxy did not start\n%s"
                         % log_tail(os.path.join(self.workdir, "proxy.log")))

    def stop(self):
        stop_process(self._proxy, "delay proxy")
        stop_process(self._moto, "moto")
        self._proxy = self._moto = None

    def reset_moto(self):
        # a reset after thousands of resources takes moto a while
        if http_answers(self.moto_port, "/moto-api/reset", "POST", timeout=120.0) != 200:
            raise BenchError("moto reset failed")

    def run(self, argv, **kw):
        """For setup steps: run argv in the benchmark environment, raise on failure."""
        kw.setdefault("env", self.vars)
        kw.setdefault("cwd", self.workdir)
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
        if r.returncode != 0:
            raise BenchError("setup command failed (%d): %s\n%s"
                             % (r.returncode, shlex.join(argv), r.stderr.decode(errors="replace")))
        return r.stdout


# ---------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------

@dataclass
class Sample:
    wall: float                   # seconds
    user: float                   # seconds
    sys: float                    # seconds
    maxrss: Optional[int] = None  # KiB (memory runs only)

    @property
    def cpu(self):
        return self.user + self.sys


def measure(argv, env, cwd, outdir, tag, memory=False):
    """Run argv once; return (Sample, exit status, stdout, stderr).

    Timing run (memory=False): argv is spawned directly and reaped with os.wait4().
    Memory run (memory=True): argv runs under GNU time, whose %M is argv's own max RSS."""
    out_path = os.path.join(outdir, tag + ".out")
    err_path = os.path.join(outdir, tag + ".err")
    rss_path = os.path.join(outdir, tag + ".rss")
    cmd = [GNU_TIME, "-f", "%M", "-o", rss_path] + list(argv) if memory else list(argv)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        # Timing runs avoid start_new_session: it makes Popen fork instead of vfork, which
        # costs milliseconds here.  Memory runs get their own group so a timeout kills both.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=env, cwd=cwd, start_new_session=memory)
        killer = threading.Timer(RUN_TIMEOUT, _kill, (proc.pid, memory))
        killer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: do not leave the command running
            _kill(proc.pid, memory)
            proc.wait()
            raise
        finally:
            killer.cancel()
        t1 = time.perf_counter()
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    with open(out_path, "rb") as f:
        stdout = f.read()
    with open(err_path, "rb") as f:
        stderr = f.read()
    sample = Sample(t1 - t0, ru.ru_utime, ru.ru_stime)
    if memory:
        try:
            with open(rss_path) as f:  # "Command exited with non-zero status N" may come first
                sample.maxrss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            if proc.returncode == 0:
                raise BenchError("no peak RSS from %s for: %s" % (GNU_TIME, shlex.join(argv)))
    return sample, proc.returncode, stdout, stderr


def _kill(pid, group):
    try:
        if group:
            os.killpg(pid, signal.SIGKILL)  # GNU time and the command it runs
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def floor(workdir, runs, memory_runs):
    """The same measurements of /bin/true: what spawning and measuring cost by themselves."""
    timing, mem = [], []
    for i in range(runs):
        timing.append(measure(["/bin/true"], None, workdir, workdir, "floor")[0])
    for i in range(memory_runs):
        s, rc, _, _ = measure(["/bin/true"], None, workdir, workdir, "floor", memory=True)
        if rc != 0:
            raise BenchError("%s /bin/true fails" % GNU_TIME)
        mem.append(s)
    return summarize(timing, mem)


def run_once(bench, side, argv, ctx, env, check, memory):
    bench.before_run(ctx, side)
    tag = "%s.%s%s" % (bench.name, side, ".mem" if memory else "")
    sample, rc, out, err = measure(argv, env.vars, env.workdir, env.workdir, tag, memory)
    problem = None
    if rc != 0:
        problem = "exit status %d" % rc
    elif check is not None:
        problem = check(ctx, out)
    if problem:
        raise BenchError("benchmark %s: %s run failed (%s)\n  command: %s\n  stdout: %s\n  stderr: %s"
                         % (bench.name, side, problem, shlex.join(argv),
                            out.decode(errors="replace").strip()[:2000] or "(empty)",
                            err.decode(errors="replace").strip()[:2000] or "(empty)"))
    return sample


def run_benchmark(bench, env, cfg):
    """cfg: this benchmark's runs, warmups, memory_runs and latency_ms (resolved)."""
    runs, warmups, memory_runs = cfg["runs"], cfg["warmups"], cfg["memory_runs"]
    env.reset_moto()
    env.route(cfg["latency_ms"])
    if cfg["latency_ms"]:
        print("  through the fault proxy at %s, +%d ms per request"
              % (env.endpoint, cfg["latency_ms"]), flush=True)
    ctx = None
    try:
        ctx = bench.setup(env)
        awsx_argv = bench.awsx_cmd(ctx)
        peer_argv = bench.peer_cmd(ctx)
        timing = {"awsx": [], "peer": []}
        mem = {"awsx": [], "peer": []}
        plan = ([("warm-up", False)] * warmups + [("run", False)] * runs
                + [("memory", True)] * memory_runs)
        counts = {"warm-up": warmups, "run": runs, "memory": memory_runs}
        seen = {"warm-up": 0, "run": 0, "memory": 0}
        for kind, memory in plan:  # alternate: awsx, peer, awsx, peer, ...
            a = run_once(bench, "awsx", awsx_argv, ctx, env, bench.awsx_check, memory)
            p = run_once(bench, "peer", peer_argv, ctx, env, bench.peer_check, memory)
            seen[kind] += 1
            if kind == "run":
                timing["awsx"].append(a)
                timing["peer"].append(p)
            elif kind == "memory":
                mem["awsx"].append(a)
                mem["peer"].append(p)
            if memory:
                detail = "awsx %6.1f MiB  %s %6.1f MiB" % (a.maxrss / 1024.0, bench.peer_name,
                                                          p.maxrss / 1024.0)
            else:
                detail = "awsx %8.1f ms  %s %8.1f ms" % (a.wall * 1e3, bench.peer_name,
                                                        p.wall * 1e3)
            print("  %-7s %2d/%-2d  %s" % (kind, seen[kind], counts[kind], detail), flush=True)
    finally:
        if ctx is not None:
            bench.teardown(ctx)
        env.stop_proxy()
    return {"bench": bench, "awsx_argv": awsx_argv, "peer_argv": peer_argv, "cfg": dict(cfg),
            "endpoint": env.endpoint,
            "awsx": summarize(timing["awsx"], mem["awsx"]),
            "peer": summarize(timing["peer"], mem["peer"])}


def summarize(timing, mem):
    def stats(values):
        return {"median": statistics.median(values), "min": min(values), "max": max(values),
                "n": len(values)}
    out = {
        "wall": stats([s.wall for s in timing]),
        "cpu": stats([s.cpu for s in timing]),
        "user": stats([s.user for s in timing]),
        "sys": stats([s.sys for s in timing]),
    }
    if mem:
        out["rss"] = stats([s.maxrss / 1024.0 for s in mem])  # MiB
    return out


# ---------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------

PHRASES = {  # key -> (label, ratio >= 1, ratio < 1)
    "wall": ("Wall time", "awsx is %.1fx faster", "awsx is %.1fx slower"),
    "cpu": ("CPU time (user+sys)", "awsx uses %.1fx less CPU", "awsx uses %.1fx more CPU"),
    "user": ("of which user", "%.1fx less", "%.1fx more"),
    "sys": ("of which sys", "%.1fx less", "%.1fx more"),
    "rss": ("Peak memory (max RSS)", "awsx uses %.1fx less memory", "awsx uses %.1fx more memory"),
}


def ratio(a, p, key):
    return p[key]["median"] / a[key]["median"] if a[key]["median"] > 0 else float("nan")


def ratio_text(a, p, key):
    r = ratio(a, p, key)
    if r != r:  # nan
        return "n/a (awsx measured 0)"
    _, more, less = PHRASES[key]
    return more % r if r >= 1 else less % (1 / r)


def ms(x):
    return "%.1f ms" % (x * 1e3) if x < 1 else "%.2f s" % x


def mib(x):
    return "%.1f MiB" % x


def fmt_stat(s, fmt):
    return "%s (%s-%s)" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"]))


def machine_info():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown RAM"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GiB RAM" % (int(f.readline().split()[1]) / 1048576.0)
    except (OSError, ValueError, IndexError):
        pass
    distro = "unknown distribution"
    try:
        with open("/etc/os-release") as f:
            m = re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M)
            distro = m.group(1) if m else distro
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "mem": mem, "distro": distro}


def tool_version(argv, env):
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=60)
        return r.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


def display_cmd(argv, env, endpoint):
    """argv as a shell command, with the per-run endpoint shown as $ENDPOINT."""
    words = []
    for w in argv:
        if w == endpoint:
            words.append("$ENDPOINT")
        elif w == env.awsx:
            rel = os.path.relpath(w, REPO)
            words.append(shlex.quote(rel if not rel.startswith("..") else w))
        else:
            words.append(shlex.quote(w))
    return " ".join(words)


def reproduce_cmd(args):
    cmd = ["python3", "bench/run.py"]
    for opt in COUNT_OPTIONS:
        for spec in getattr(args, opt.replace("-", "_")) or ():
            cmd += ["--" + opt, spec]
    if args.only:
        cmd += ["--only", args.only]
    if args.awsx:
        rel = os.path.relpath(os.path.abspath(args.awsx), REPO)
        cmd += ["--awsx", rel if not rel.startswith("..") else os.path.abspath(args.awsx)]
    return shlex.join(cmd)


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return "unknown"


def route_text(latency_ms):
    return ("straight to moto, no added latency" if not latency_ms else
            "through one `tests/support/fault_proxy.py` in front of moto, which adds %d ms "
            "to every request of both tools" % latency_ms)


def write_report(path, results, env, args, info, versions, build_note, base, load):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = []
    add = L.append
    add("# awsx performance")
    add("")
    add("<!-- Generated by bench/run.py from the results of the benchmarks it ran; "
        "do not edit by hand: rerun it. -->")
    add("")
    add("Measured, not asserted: `bench/run.py` runs awsx and a peer tool on the same work, "
        "alternately (awsx, peer, awsx, peer, ...), against a local moto server it starts "
        "itself, and writes this file. Benchmarks are not tests: nothing checks a time or a "
        "ratio; this page records what was measured on this machine on this date.")
    add("")
    add("Reproduce from the repository root (needs `/usr/bin/aws` from Debian's `awscli`, "
        "`/usr/bin/time` from `time`, and moto in `python3`):")
    add("")
    add("```sh")
    add(reproduce_cmd(args))
    add("```")
    add("")
    add("`python3 bench/run.py --help` lists the options; `bench/README.md` says how to add a "
        "benchmark.")
    add("")
    add("## Setup")
    add("")
    add("- Date: %s" % now)
    add("- Machine: nproc %s, CPU %s, %s, %s, kernel %s"
        % (info["nproc"], info["cpu"], info["mem"], info["distro"], info["kernel"]))
    add("- awsx: `%s` (%s)" % (versions["awsx"], build_note))
    add("- AWS CLI: `%s` (`/usr/bin/aws`)" % versions["aws"])
    add("- Endpoint: moto %s server on 127.0.0.1, reached directly or through the project's "
        "fault proxy with added latency, as each benchmark says. Both tools get the same "
        "endpoint with `--endpoint-url` (shown as `$ENDPOINT`; the port changes per run)."
        % versions["moto"])
    add("- Same environment for both tools: fixed test keys in `AWS_ACCESS_KEY_ID` / "
        "`AWS_SECRET_ACCESS_KEY`, `AWS_REGION=us-east-1`, `AWS_EC2_METADATA_DISABLED=true`, an "
        "empty temporary `HOME`, `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` naming files "
        "that do not exist, `AWS_PAGER=\"\"`, `PATH=/usr/local/bin:/usr/bin:/bin`.")
    add("- Load average (1 min) at start %s, at end %s; other work on the machine shows up "
        "in the wall times." % (load["start"], load["end"]))
    add("- Per benchmark: fresh moto state and untimed setup; warm-up rounds (not recorded), "
        "timing rounds, then memory rounds, each round one awsx run then one peer run; each "
        "benchmark says how many. Every run must exit 0 and pass the benchmark's check of "
        "its output.")
    add("")
    add("### How it is measured")
    add("")
    add("- Wall time: `time.perf_counter()` around spawning the command and reaping it, so it "
        "includes process start-up (for awsx, loading its shared libraries; for the AWS CLI, "
        "starting Python and importing botocore) and the endpoint's own time.")
    add("- CPU time: user + sys from `os.wait4()`'s rusage of that child, the same timing runs. "
        "The total is precise; the split between user and sys is sampled at timer ticks and "
        "is rough for short runs.")
    add("- Peak memory: the command's max RSS as reported by GNU time (`/usr/bin/time -f %M`), "
        "in separate memory rounds. `os.wait4()`'s own max RSS is not used: on Linux a child "
        "starts from its parent's address space and keeps that high-water mark across exec, so "
        "every child of the Python harness reports at least the harness's size (about 15 MiB, "
        "even for `/bin/true`). GNU time is a small C program, so its child starts small.")
    add("- Figures are medians, with the range (min-max) in brackets. Ratios are peer / awsx "
        "of the medians.")
    add("- Floor, the same measurements of `/bin/true`: wall %s, CPU %s, peak %s."
        % (ms(base["wall"]["median"]), ms(base["cpu"]["median"]), mib(base["rss"]["median"])))
    add("")
    add("moto is slow (about 12 ms per request for many APIs) and shares the machine's %s cores with the "
        "clients, so where the endpoint dominates the wall time, each client's own CPU time and "
        "peak memory are the figures awsx controls. Wall times here are what a user waits "
        "against a local endpoint, not against AWS." % info["nproc"])
    add("")
    add("## Summary")
    add("")
    add("| Benchmark | Peer | Added latency | Wall time | CPU time (user+sys) | "
        "Peak memory (RSS) |")
    add("|---|---|---|---|---|---|")
    for r in results:
        a, p = r["awsx"], r["peer"]
        add("| %s | %s | %s | %s | %s | %s |"
            % (r["bench"].name, r["bench"].peer_name,
               "%d ms" % r["cfg"]["latency_ms"] if r["cfg"]["latency_ms"] else "none",
               ratio_text(a, p, "wall"), ratio_text(a, p, "cpu"), ratio_text(a, p, "rss")))
    add("")
    for r in results:
        b, a, p = r["bench"], r["awsx"], r["peer"]
        add("## %s" % b.name)
        add("")
        add(b.description)
        add("")
        add("```sh")
        add("# awsx")
        add(display_cmd(r["awsx_argv"], env, r["endpoint"]))
        add("# %s" % b.peer_name)
        add(display_cmd(r["peer_argv"], env, r["endpoint"]))
        add("```")
        add("")
        add("Endpoint: %s. Timing: medians of %s each, after %s not recorded; memory: "
            "medians of %s each." % (route_text(r["cfg"]["latency_ms"]),
                                     plural(a["wall"]["n"], "run"),
                                     plural(r["cfg"]["warmups"], "warm-up round"),
                                     plural(a["rss"]["n"], "run")))
        add("")
        add("| | awsx | %s | peer / awsx |" % b.peer_name)
        add("|---|---|---|---|")
        for key in ("wall", "cpu", "user", "sys", "rss"):
            fmt = mib if key == "rss" else ms
            r_ = ratio(a, p, key)
            add("| %s | %s | %s | %s |" % (PHRASES[key][0], fmt_stat(a[key], fmt),
                                           fmt_stat(p[key], fmt),
                                           "n/a" if r_ != r_ else "%.1fx" % r_))
        add("")
        add("In words: %s, %s, %s." % (ratio_text(a, p, "wall"), ratio_text(a, p, "cpu"),
                                       ratio_text(a, p, "rss")))
        add("")
        if b.notes:
            add(b.notes)
            add("")

    text = "\n".join(L).rstrip() + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def print_summary(results, base):
    print()
    row = "%-13s %-16s %12s %12s %12s"
    hdr = row % ("benchmark", "tool", "wall", "cpu", "peak rss")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        a, p = r["awsx"], r["peer"]
        for label, s in (("awsx", a), (r["bench"].peer_name, p)):
            print(row % (r["bench"].name, label, ms(s["wall"]["median"]),
                         ms(s["cpu"]["median"]), mib(s["rss"]["median"])))
        print(row % ("", "peer/awsx", "%.1fx" % ratio(a, p, "wall"),
                     "%.1fx" % ratio(a, p, "cpu"), "%.1fx" % ratio(a, p, "rss")))
    print("(medians; peer/awsx > 1: awsx is faster / uses less.  Floor, /bin/true measured the "
          "same way: %s wall, %s CPU, %s)" % (ms(base["wall"]["median"]),
                                              ms(base["cpu"]["median"]),
                                              mib(base["rss"]["median"])))


# ---------------------------------------------------------------------------------
# awsx binary
# ---------------------------------------------------------------------------------

def cmake_cache(build_dir):
    vals = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                m = re.match(r"^([A-Za-z_]+):[A-Z]+=(.*)$", line.strip())
                if m:
                    vals[m.group(1)] = m.group(2)
    except OSError:
        pass
    return vals


def find_awsx(path):
    """Return (absolute path, build note).  Without a path, brings build/awsx up to date
    (configuring build/ as Release first if it is not configured), so a stale binary is
    never measured."""
    if path:
        awsx = os.path.abspath(path)
        if not os.access(awsx, os.X_OK):
            raise BenchError("--awsx %s is not an executable file" % path)
    else:
        build = os.path.join(REPO, "build")
        awsx = os.path.join(build, "awsx")
        cmds = [["cmake", "--build", "build", "-j2", "--target", "awsx"]]
        if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
            cmds.insert(0, ["cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"])
        print("bringing build/awsx up to date (%s) ..." % " && ".join(map(shlex.join, cmds)),
              flush=True)
        for cmd in cmds:
            r = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                raise BenchError("build failed: %s\n%s"
                                 % (shlex.join(cmd), r.stdout.decode(errors="replace")[-4000:]))
    with open(awsx, "rb") as f:
        image = f.read()
    if b"__asan_init" in image or b"__ubsan_handle" in image:
        raise BenchError("%s is a sanitizer build; benchmark a plain build "
                         "(cmake -S . -B build -DCMAKE_BUILD_TYPE=Release) or pass --awsx" % awsx)
    cache = cmake_cache(os.path.dirname(awsx))
    btype = cache.get("CMAKE_BUILD_TYPE") or "unknown"
    note = "CMake build type %s" % btype if cache else "build type unknown"
    if btype not in ("Release", "RelWithDebInfo", "unknown"):
        print("warning: %s is a %s build; numbers will not be representative" % (awsx, btype),
              file=sys.stderr)
    return awsx, note


# ---------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------

# Per-benchmark settings that the command line may override: option -> (minimum, field).
COUNT_OPTIONS = {"runs": 1, "warmups": 0, "memory-runs": 1, "latency-ms": 0}


def resolve_counts(bench, args):
    """This benchmark's runs, warmups, memory_runs and latency_ms: its own defaults, then
    each option's plain N (every benchmark), then NAME=N for this one, later ones winning."""
    known = {b.name for b in REGISTRY}
    cfg = {}
    for opt, minimum in COUNT_OPTIONS.items():
        key = opt.replace("-", "_")
        value = getattr(bench, key)
        specs = getattr(args, key) or []
        for want_named in (False, True):
            for spec in specs:
                name, sep, num = spec.rpartition("=")
                if sep and name not in known:
                    raise ValueError("--%s %s: no benchmark named %r (have: %s)"
                                     % (opt, spec, name, ", ".join(sorted(known))))
                if bool(sep) != want_named or (sep and name != bench.name):
                    continue
                try:
                    n = int(num)
                except ValueError:
                    raise ValueError("--%s %s: not a whole number" % (opt, spec))
                if n < minimum:
                    raise ValueError("--%s must be >= %d" % (opt, minimum))
                value = n
        cfg[key] = value
    return cfg


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark awsx against peer tools and write docs/PERFORMANCE.md.",
        epilog="Benchmarks: " + ", ".join(b.name for b in REGISTRY))
    ap.add_argument("--awsx", help="awsx binary (default: build/awsx, brought up to date with "
                    "cmake --build; build/ is configured as Release first if needed)")
    spec = " N for every benchmark or NAME=N for one (repeatable); default: each benchmark's own"
    ap.add_argument("--runs", action="append", metavar="[NAME=]N",
                    help="recorded timing runs per tool;" + spec)
    ap.add_argument("--warmups", action="append", metavar="[NAME=]N",
                    help="unrecorded warm-up runs per tool;" + spec)
    ap.add_argument("--memory-runs", action="append", metavar="[NAME=]N",
                    help="runs per tool under GNU time for peak memory, after the timing "
                    "runs;" + spec)
    ap.add_argument("--latency-ms", action="append", metavar="[NAME=]N",
                    help="put the fault proxy in front of moto and add N ms to every request "
                    "(0: straight to moto);" + spec)
    ap.add_argument("--only", help="comma-separated benchmark names (default: all)")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="report file (default "
                    "docs/PERFORMANCE.md); it is regenerated from this run's benchmarks only")
    ap.add_argument("--no-write", action="store_true", help="print the summary, write no file")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)

    if args.list:
        for b in REGISTRY:
            print("%-13s vs %s (%s, %s, %s, %s)\n    %s"
                  % (b.name, b.peer_name, plural(b.runs, "run"), plural(b.warmups, "warm-up"),
                     plural(b.memory_runs, "memory run"),
                     "+%d ms per request" % b.latency_ms if b.latency_ms else "straight to moto",
                     b.description))
        return 0

    selected = REGISTRY
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in {b.name for b in REGISTRY}]
        if unknown:
            ap.error("unknown benchmark(s): %s (have: %s)"
                     % (", ".join(unknown), ", ".join(b.name for b in REGISTRY)))
        selected = [b for b in REGISTRY if b.name in names]
    try:
        configs = {b.name: resolve_counts(b, args) for b in selected}
    except ValueError as e:
        ap.error(str(e))

    if not os.access(GNU_TIME, os.X_OK):
        print("bench needs %s (GNU time) for peak memory; install it with: apt-get install -y time"
              % GNU_TIME, file=sys.stderr)
        return 1
    for b in selected:
        for path, install in b.requires:
            if not os.access(path, os.X_OK):
                print("benchmark %s needs %s; install it with: %s" % (b.name, path, install),
                      file=sys.stderr)
                return 1

    # SIGTERM ends the run like Ctrl-C, so the finally blocks stop the servers.
    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)

    env = None
    workdir = tempfile.mkdtemp(prefix="awsx-bench-")
    try:
        awsx, build_note = find_awsx(args.awsx)
        env = Env(awsx, workdir)
        print("starting moto ...", flush=True)
        env.start()
        print("moto at %s" % env.moto_url)
        versions = {
            "awsx": tool_version([awsx, "--version"], env.vars),
            "aws": tool_version([AWS_CLI, "--version"], env.vars),
            "moto": tool_version([sys.executable, "-c", "import moto; print(moto.__version__)"],
                                 None),
        }
        load_start = loadavg()
        base = floor(workdir, max([5] + [c["runs"] for c in configs.values()]),
                     max(c["memory_runs"] for c in configs.values()))
        results = []
        for b in selected:
            cfg = configs[b.name]
            print("benchmark %s: awsx vs %s (%d warm-up, %d timing, %d memory rounds)"
                  % (b.name, b.peer_name, cfg["warmups"], cfg["runs"], cfg["memory_runs"]),
                  flush=True)
            results.append(run_benchmark(b, env, cfg))
        print_summary(results, base)
        if not args.no_write:
            write_report(args.output, results, env, args, machine_info(), versions, build_note, base,
                         {"start": load_start, "end": loadavg()})
            print("wrote %s" % os.path.relpath(args.output))
        return 0
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if env is not None:
            env.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
